//! The QUIC link from this edge to its region server (LINK.md).
//!
//! quinn with the rustls ring provider, TLS 1.3, mutual authentication: the edge verifies the
//! region's certificate ([`tls::region_verifier`]: cluster CA and/or SHA-256 pins, or in
//! development the certificate file the region wrote) and presents its own client
//! certificate, which the region requires. One connection carries every session of the edge
//! on one bidirectional stream; the hub's
//! [`EdgeLink`](starlane_netcore::proto::link::EdgeLink) state machine speaks the protocol and
//! netcore's link driver moves its bytes. The link is re-established with exponential backoff
//! when it drops; held sessions are then re-announced (see [`crate::region_hub`]).

mod conn;
pub mod tls;

use crate::config::{RegionLinkSection, parse_pin};
use crate::metrics::EdgeMetrics;
use crate::region_hub::RegionHub;
use starlane_cluster::RegionInfo;
use starlane_netcore::proto::link::{EdgeLinkConfig, QueueLimits};
use starlane_netcore::tls::TlsError;
use starlane_protocol::link::CloseCode;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where the edge's client certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientIdentity {
    /// Configured PEM files; they must load.
    Files { cert: PathBuf, key: PathBuf },
    /// Development: the identity the region wrote, used when both files exist.
    DevIfPresent { cert: PathBuf, key: PathBuf },
    /// No client certificate (a region requiring one refuses the link).
    None,
}

/// Settings of the link client.
#[derive(Debug, Clone)]
pub struct RegionLinkConfig {
    /// The region's link address.
    pub addr: SocketAddr,
    /// Name the region's certificate must be valid for (checked against the CA).
    pub server_name: String,
    /// Cluster CA (PEM) the region's chain must verify against.
    pub ca_file: Option<PathBuf>,
    /// SHA-256 of accepted region certificates.
    pub pins: Vec<[u8; 32]>,
    /// Development trust, when there is no CA and no pin: the region certificate file to pin,
    /// re-read on every connect.
    pub region_cert_file: Option<PathBuf>,
    /// The client certificate the edge presents.
    pub identity: ClientIdentity,
    /// Name announced in `Hello`.
    pub edge_id: String,
    pub connect_timeout: Duration,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Frames buffered from sessions to the region.
    pub queue_capacity: usize,
    /// Bytes buffered from sessions to the region.
    pub queue_bytes: usize,
    /// Region events queued per session.
    pub session_events: usize,
    /// The registry record of the region to follow (`region_link.region`): its link address
    /// is dialed instead of `addr`, and the link moves when it changes. `None`: `addr`.
    pub follow: Option<watch::Receiver<Option<RegionInfo>>>,
}

/// Errors establishing or running the link.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("no trust configured: set region_link.ca_file, region_link.pins or region_cert_file")]
    NoTrust,
    #[error("cannot create the quic endpoint: {0}")]
    Endpoint(std::io::Error),
    #[error("cannot connect to the region: {0}")]
    Connect(String),
    #[error("connect timed out")]
    Timeout,
    #[error("link stream failed: {0}")]
    Stream(String),
}

impl RegionLinkConfig {
    /// The link settings of a validated `[region_link]` section.
    pub fn from_section(s: &RegionLinkSection, edge_id: impl Into<String>) -> Self {
        let identity = match (&s.cert_file, &s.key_file) {
            (Some(cert), Some(key)) => ClientIdentity::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            _ if s.production => ClientIdentity::None,
            _ => {
                let (cert, key) = s.dev_identity_paths();
                ClientIdentity::DevIfPresent { cert, key }
            }
        };
        let dev_trust = s.uses_dev_trust() && !s.production;
        Self {
            addr: s.addr,
            server_name: s.server_name.clone(),
            ca_file: s.ca_file.clone(),
            pins: s.pins.iter().filter_map(|p| parse_pin(p).ok()).collect(),
            region_cert_file: dev_trust.then(|| s.region_cert_file.clone()),
            identity,
            edge_id: edge_id.into(),
            connect_timeout: Duration::from_secs(s.connect_timeout_secs),
            reconnect_min: Duration::from_millis(s.reconnect_min_ms),
            reconnect_max: Duration::from_millis(s.reconnect_max_ms),
            queue_capacity: s.queue_capacity,
            queue_bytes: s.queue_bytes,
            session_events: s.session_events,
            follow: None,
        }
    }

    /// The address to dial now: `addr`, or the followed region's registered address (`None`
    /// while it has no record, or a record whose address does not parse).
    pub fn target(&self) -> Option<SocketAddr> {
        target(self.addr, &self.follow)
    }

    /// The settings of the hub's link state machine.
    pub fn core_config(&self) -> EdgeLinkConfig {
        EdgeLinkConfig {
            edge_id: self.edge_id.clone(),
            limits: QueueLimits {
                max_frames: self.queue_capacity,
                max_bytes: self.queue_bytes,
            },
            ..EdgeLinkConfig::default()
        }
    }

    /// Check that the configured files load (CA, client certificate and key): errors name the
    /// field. The development files are not checked: the region may write them later.
    pub fn check(&self) -> Result<(), LinkError> {
        if let Some(ca) = &self.ca_file {
            tls::region_verifier(
                Some(ca),
                Vec::new(),
                crate::metrics::RegionLinkMetrics::unregistered(),
            )?;
        }
        if let ClientIdentity::Files { cert, key } = &self.identity {
            tls::load_client_identity(cert, key)?;
        }
        Ok(())
    }

    /// A quinn client configuration from the current files (re-read on every connect, so
    /// replaced certificates take effect at the next reconnect).
    pub fn client_config(&self, metrics: &EdgeMetrics) -> Result<quinn::ClientConfig, LinkError> {
        let mut pins = self.pins.clone();
        if self.ca_file.is_none() && pins.is_empty() {
            let file = self.region_cert_file.as_ref().ok_or(LinkError::NoTrust)?;
            pins = tls::dev_pins(file)?;
        }
        let verifier =
            tls::region_verifier(self.ca_file.as_deref(), pins, metrics.region_link.clone())?;
        let client = match &self.identity {
            ClientIdentity::Files { cert, key } => Some(tls::load_client_identity(cert, key)?),
            ClientIdentity::DevIfPresent { cert, key } if cert.is_file() && key.is_file() => {
                Some(tls::load_client_identity(cert, key)?)
            }
            _ => None,
        };
        if client.is_none() {
            tracing::warn!(
                "region link: no client certificate (set region_link.cert_file and \
                 key_file); a region requiring one will refuse the link"
            );
        }
        let quic = tls::client_crypto(verifier, client.as_ref())?;
        let mut cfg = quinn::ClientConfig::new(quic);
        let mut transport = quinn::TransportConfig::default();
        transport.keep_alive_interval(Some(Duration::from_secs(2)));
        transport.max_idle_timeout(Some(quinn::VarInt::from_u32(10_000).into()));
        cfg.transport_config(Arc::new(transport));
        Ok(cfg)
    }
}

/// `addr`, or the followed region's registered address.
fn target(
    addr: SocketAddr,
    follow: &Option<watch::Receiver<Option<RegionInfo>>>,
) -> Option<SocketAddr> {
    let Some(follow) = follow else {
        return Some(addr);
    };
    let info = follow.borrow();
    let info = info.as_ref()?;
    match info.link_addr.parse() {
        Ok(addr) => Some(addr),
        Err(e) => {
            tracing::warn!(region = %info.id, addr = %info.link_addr, error = %e,
                "registered region link address does not parse");
            None
        }
    }
}

/// The connection of the current attempt, once established.
type Slot = std::sync::Mutex<Option<quinn::Connection>>;

/// Keep a link up until `shutdown` turns true. With a followed region the link dials its
/// registered address, waits while it has none, and moves when it changes.
pub async fn run(
    mut cfg: RegionLinkConfig,
    hub: Arc<RegionHub>,
    metrics: EdgeMetrics,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut follow = cfg.follow.take();
    let mut backoff = cfg.reconnect_min;
    while !*shutdown.borrow() {
        let Some(addr) = target(cfg.addr, &follow) else {
            tokio::select! {
                _ = moved(&mut follow) => continue,
                _ = shutdown.changed() => break,
            }
        };
        let slot = Slot::default();
        let attempt = async {
            let conn = connect(&cfg, addr, &metrics).await?;
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(conn.clone());
            if metrics.region_link_connects.get() > 0 {
                metrics.region_link.reconnects.inc();
            }
            metrics.region_link_connects.inc();
            tracing::info!(%addr, "region link up");
            conn::serve(conn, &hub, &metrics).await
        };
        tokio::pin!(attempt);
        let mut relinking = false;
        loop {
            tokio::select! {
                r = &mut attempt => {
                    if let Err(e) = r {
                        tracing::warn!(%addr, error = %e, "region link down");
                    }
                    break;
                }
                _ = moved(&mut follow), if !relinking => {
                    let now = target(cfg.addr, &follow);
                    if now == Some(addr) {
                        continue;
                    }
                    tracing::info!(old = %addr, new = ?now, "region moved; relinking");
                    relinking = true;
                    match slot.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                        // Ends the link the way a lost one ends: its sessions are held and
                        // re-announced on the next link.
                        Some(conn) => conn.close(CloseCode::Shutdown.code().into(), b"region moved"),
                        // Still connecting: abandon the attempt.
                        None => break,
                    }
                }
                _ = shutdown.changed() => {
                    // Tell the region the edge is going (the connection closes as it is dropped).
                    hub.link().lock().close(CloseCode::Shutdown, "edge stopping");
                    hub.route_pending();
                    return;
                }
            }
        }
        if slot.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
            backoff = cfg.reconnect_min;
        }
        if relinking {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = moved(&mut follow) => {}
            _ = shutdown.changed() => break,
        }
        backoff = (backoff * 2).min(cfg.reconnect_max);
    }
}

/// Resolves when the followed region's record changes; never without one (or once its
/// watch has ended).
async fn moved(follow: &mut Option<watch::Receiver<Option<RegionInfo>>>) {
    if let Some(rx) = follow
        && rx.changed().await.is_ok()
    {
        return;
    }
    std::future::pending().await
}

async fn connect(
    cfg: &RegionLinkConfig,
    addr: SocketAddr,
    metrics: &EdgeMetrics,
) -> Result<quinn::Connection, LinkError> {
    let client = cfg.client_config(metrics)?;
    let bind: SocketAddr = if addr.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let mut endpoint = quinn::Endpoint::client(bind).map_err(LinkError::Endpoint)?;
    endpoint.set_default_client_config(client);
    let connecting = endpoint
        .connect(addr, &cfg.server_name)
        .map_err(|e| LinkError::Connect(e.to_string()))?;
    match tokio::time::timeout(cfg.connect_timeout, connecting).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(LinkError::Connect(e.to_string())),
        Err(_) => Err(LinkError::Timeout),
    }
}
