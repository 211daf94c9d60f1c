//! [`Edge::start`]: binds the client drivers (encrypted UDP, WebTransport, QUIC) and the HTTP
//! endpoint, keeps the region link, and runs a session per client link.

mod drain;
mod rotation;
mod websocket;

pub use drain::DrainControl;

use crate::admin::{AdminState, Drainer, Revoker};
use crate::auth::{MemoryBlacklist, Verifier};
use crate::bandwidth::ProfileError;
use crate::certs::CertManager;
use crate::cluster::{ClusterBlacklist, ClusterMetrics, EdgeCluster, EdgeParts};
use crate::config::EdgeAddress;
use crate::config::EdgeConfig;
use crate::connect::{ConnectMetrics, ConnectState};
use crate::dev_issuer::DevIssuer;
use crate::directory::{ClusterDirectory, EdgeDirectory, LocalDirectory};
use crate::http::Readiness;
use crate::keys::{KeySource, KeyStore, KeyUrl};
use crate::metrics::EdgeMetrics;
use crate::region_hub::RegionHub;
use crate::region_link::{self, RegionLinkConfig};
use crate::resume::TicketKey;
use crate::session::{DirFingerprint, ProfileStore, SessionContext, run_session};
use anyhow::Context;
use rotation::Rotation;
use starlane_cluster::Cluster;
use starlane_netcore::quic::{QuicIdentity, QuicServer, QuicServerConfig};
use starlane_netcore::transport::{Link, TransportKind};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, UdpServerStats};
use starlane_netcore::websocket::WsServer;
use starlane_netcore::webtransport::{WtServer, WtServerConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Entry point of the edge.
#[derive(Debug)]
pub struct Edge;

/// How often an edge following its region (`region_link.region`) reads its record.
const REGION_WATCH_EVERY: Duration = Duration::from_millis(500);

/// What an edge can be given instead of its in-process defaults (a cluster's registry).
#[derive(Debug, Default, Clone)]
pub struct EdgeServices {
    /// Where `/connect` finds the region's edges (default: [`ClusterDirectory`] when the
    /// cluster is on Redis, otherwise [`LocalDirectory`]).
    pub directory: Option<Arc<dyn EdgeDirectory>>,
    /// What `POST /admin/revoke` calls (default: the cluster, [`crate::admin::ClusterAdmin`]).
    pub revoker: Option<Arc<dyn Revoker>>,
    /// The cluster the edge registers in and takes revocations, presence and broadcasts from
    /// (default: the one `[cluster]` configures).
    pub cluster: Option<Cluster>,
}

/// A running edge.
#[derive(Debug)]
pub struct EdgeHandle {
    udp: UdpServer,
    udp_addr: SocketAddr,
    wt: Arc<tokio::sync::Mutex<WtServer>>,
    wt_addr: SocketAddr,
    quic: Arc<QuicServer>,
    quic_addr: SocketAddr,
    /// The WebSocket listener and the URL clients open, if `[websocket]` enables it.
    ws: Option<(WsServer, String)>,
    http_addr: SocketAddr,
    certs: Arc<CertManager>,
    metrics: EdgeMetrics,
    hub: Arc<RegionHub>,
    blacklist: Arc<MemoryBlacklist>,
    dev_issuer: Option<Arc<DevIssuer>>,
    shutdown_tx: watch::Sender<bool>,
    live_sessions: Arc<AtomicUsize>,
    profiles: Arc<ProfileStore>,
    ready: Arc<Ready>,
    drain: Arc<DrainControl>,
    admin_addr: Option<SocketAddr>,
    cluster: Arc<EdgeCluster>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug)]
struct Ready {
    hub: Arc<RegionHub>,
    keys: KeyStore,
    drivers_bound: AtomicBool,
    /// Draining: the edge takes no new sessions (set by `EdgeHandle::set_draining`).
    draining: Arc<AtomicBool>,
}

impl Drainer for DrainControl {
    fn drain(&self) -> bool {
        self.start()
    }
}

impl Readiness for Ready {
    fn check(&self) -> Result<(), String> {
        if self.draining.load(Ordering::Relaxed) {
            return Err("draining".into());
        }
        if !self.drivers_bound.load(Ordering::Relaxed) {
            return Err("client drivers not bound".into());
        }
        if !self.keys.is_loaded() {
            return Err("jwt public key not loaded".into());
        }
        if !self.hub.is_up() {
            return Err("region link down".into());
        }
        Ok(())
    }
}

impl Edge {
    /// Start an edge. `dev_issuer` (or `dev_issuer.enabled` in the config) supplies the JWT key
    /// when the config names no key source.
    pub async fn start(
        config: EdgeConfig,
        dev_issuer: Option<Arc<DevIssuer>>,
    ) -> anyhow::Result<EdgeHandle> {
        Self::start_with(config, dev_issuer, EdgeServices::default()).await
    }

    /// Start an edge in `cluster` (shared with other components of the process, e.g. the
    /// all-in-one server's in-process cluster); `None`: the one `[cluster]` configures.
    pub async fn start_with_cluster(
        config: EdgeConfig,
        dev_issuer: Option<Arc<DevIssuer>>,
        cluster: Option<Cluster>,
    ) -> anyhow::Result<EdgeHandle> {
        let services = EdgeServices {
            cluster,
            ..EdgeServices::default()
        };
        Self::start_with(config, dev_issuer, services).await
    }

    /// [`Edge::start`] with `services` in place of the in-process defaults.
    pub async fn start_with(
        config: EdgeConfig,
        dev_issuer: Option<Arc<DevIssuer>>,
        services: EdgeServices,
    ) -> anyhow::Result<EdgeHandle> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
        let edge_id = if config.edge_id.is_empty() {
            format!("edge-{:08x}", rand::random::<u32>())
        } else {
            config.edge_id.clone()
        };
        let dev_issuer = match dev_issuer {
            Some(d) => Some(d),
            None if config.dev_issuer.enabled => Some(Arc::new(
                DevIssuer::load_or_create_with_issuer(&config.data_dir, &config.jwt.issuer)?,
            )),
            None => None,
        };
        let metrics = EdgeMetrics::new();
        // Read before the profiles are: a change made meanwhile is reloaded by the watch.
        let profiles_on_disk = match config.bandwidth.source_dir() {
            Some(dir) if config.bandwidth.watch_secs > 0 => DirFingerprint::read(dir).ok(),
            _ => None,
        };
        let profiles = Arc::new(ProfileStore::new(
            config.load_profiles()?,
            config.bandwidth.source_dir().map(Path::to_path_buf),
            config.bandwidth.selection(),
            metrics.clone(),
        )?);
        let link_cfg = RegionLinkConfig::from_section(&config.region_link, edge_id);
        link_cfg.check()?;
        let hub = Arc::new(RegionHub::with_metrics(
            link_cfg.core_config(),
            link_cfg.session_events,
            metrics.region_link.clone(),
        ));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();

        let keys = KeyStore::new(key_source(&config, dev_issuer.as_deref())?);
        match keys.load().await {
            Ok(()) => {}
            // The key server may come up after the edge: readiness waits for the keys.
            Err(e) if matches!(keys.source(), KeySource::Url(_)) => {
                tracing::warn!(error = %e, "jwt key not loaded yet")
            }
            Err(e) => return Err(e.into()),
        }
        if keys.source().refreshes() {
            tasks.push(keys.spawn_refresh(Duration::from_secs(config.jwt.refresh_secs)));
        }
        let cluster = match services.cluster.clone() {
            Some(c) => c,
            None => Cluster::from_config(&config.cluster.connection()).await?,
        };
        let cluster_metrics = ClusterMetrics::new(metrics.registry());
        let edge_cluster = EdgeCluster::start(
            cluster,
            config.cluster.clone(),
            link_cfg.edge_id.clone(),
            cluster_metrics,
        );
        let blacklist = Arc::new(MemoryBlacklist::default());
        let verifier = Verifier::new(
            keys.clone(),
            config.jwt.issuer.clone(),
            config.jwt.leeway_secs,
            Arc::new(ClusterBlacklist {
                memory: blacklist.clone(),
                revocations: edge_cluster.revocation_cache().clone(),
            }),
        );
        let ctx = Arc::new(
            SessionContext::new(
                verifier,
                hub.clone(),
                metrics.clone(),
                Duration::from_secs(config.session.hello_timeout_secs),
                shutdown_rx.clone(),
            )
            .with_profiles(profiles.clone())
            .with_region_grace(Duration::from_millis(config.region_link.session_grace_ms))
            .with_max_token_bytes(config.jwt.max_token_bytes)
            .with_resume(ticket_key(&config)?, &config.drain.connect_url)
            .with_cluster(edge_cluster.clone()),
        );
        // Every client server refuses a first message (the hello) longer than a hello with
        // the longest token accepted, from its length alone (`TokenTooLarge`).
        let first_message_limit = Some(ctx.first_message_limit());

        let mut link_cfg = link_cfg;
        if !config.region_link.region.is_empty() {
            // Follow the region's registry record (a GET per poll).
            link_cfg.follow = Some(
                edge_cluster
                    .cluster()
                    .watch_region(&config.region_link.region, REGION_WATCH_EVERY),
            );
        }
        tasks.push(tokio::spawn(region_link::run(
            link_cfg,
            hub.clone(),
            metrics.clone(),
            shutdown_rx.clone(),
        )));

        let live_sessions = Arc::new(AtomicUsize::new(0));
        // Every client server's queues are bounded alike (`[transport_queues]`).
        let queues = config.transport_queues.limits();
        let static_key = load_or_create_udp_key(&config.in_data_dir(&config.udp.static_key_file))?;
        let (udp, udp_links) = UdpServer::bind(UdpServerConfig {
            bind: config.udp.bind,
            static_private_key: static_key,
            idle_timeout: Duration::from_secs(config.udp.idle_timeout_secs),
            queues,
            first_message_limit,
        })
        .with_context(|| format!("cannot bind udp.bind {}", config.udp.bind))?;
        let udp_addr = udp.local_addr();
        let every = Duration::from_secs(1);
        tasks.push(metrics.udp.spawn_refresh(udp.stats(), every));
        tasks.push(tokio::spawn(accept(
            udp_links,
            ctx.clone(),
            live_sessions.clone(),
        )));

        let certs = Arc::new(CertManager::init(&config.certificate, &config.data_dir).await?);
        let (wt, wt_links) = WtServer::bind(WtServerConfig {
            bind: config.webtransport.bind,
            identity: certs.identity(),
            queues,
            first_message_limit,
            liveness: config.webtransport.liveness(),
        })
        .with_context(|| format!("cannot bind webtransport.bind {}", config.webtransport.bind))?;
        let wt_addr = wt.local_addr();
        let wt = Arc::new(tokio::sync::Mutex::new(wt));
        tasks.push(tokio::spawn(accept(
            wt_links,
            ctx.clone(),
            live_sessions.clone(),
        )));
        let (quic, quic_links) = QuicServer::bind(QuicServerConfig {
            bind: config.quic.bind,
            identity: QuicIdentity::from_webtransport(&certs.identity())?,
            liveness: config.quic.liveness(),
            queues,
            first_message_limit,
        })
        .with_context(|| format!("cannot bind quic.bind {}", config.quic.bind))?;
        let quic_addr = quic.local_addr();
        let quic = Arc::new(quic);
        tasks.push(tokio::spawn(accept(
            quic_links,
            ctx.clone(),
            live_sessions.clone(),
        )));
        let ws = match websocket::bind(&config, queues, first_message_limit)? {
            Some((server, links)) => {
                tasks.push(tokio::spawn(accept(
                    links,
                    ctx.clone(),
                    live_sessions.clone(),
                )));
                let counters = server.counters().clone();
                tasks.push(websocket::spawn_meter(metrics.registry(), counters)?);
                Some(server)
            }
            None => None,
        };
        let ws_port = ws.as_ref().map(|s| s.local_addr().port());
        let rotation = Rotation {
            certs: certs.clone(),
            wt: wt.clone(),
            quic: quic.clone(),
            addr: wt_addr,
            ctx: ctx.clone(),
            live: live_sessions.clone(),
            queues,
            liveness: config.webtransport.liveness(),
        };
        tasks.push(tokio::spawn(rotation.run(shutdown_rx.clone())));
        if let (Some(dir), secs @ 1..) =
            (config.bandwidth.source_dir(), config.bandwidth.watch_secs)
        {
            tasks.push(crate::session::spawn_profile_watch(
                profiles.clone(),
                dir.to_path_buf(),
                profiles_on_disk,
                Duration::from_secs(secs),
                shutdown_rx.clone(),
            ));
        }
        tasks.push(spawn_accept_meter(
            metrics.clone(),
            udp.stats(),
            quic.clone(),
            wt.clone(),
        ));

        let draining = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(Ready {
            hub: hub.clone(),
            keys,
            drivers_bound: AtomicBool::new(false),
            draining: draining.clone(),
        });
        let drain = Arc::new(DrainControl {
            draining: draining.clone(),
            metrics: metrics.clone(),
            ctx: ctx.clone(),
            live: live_sessions.clone(),
            window: config.drain.window(),
            started: watch::channel(None).0,
        });
        // On Redis the registry knows every region's edges; in process, only this one.
        let shared = matches!(edge_cluster.cluster(), Cluster::Redis(_));
        let directory = services.directory.unwrap_or_else(|| {
            if shared {
                let every = config.cluster.connection().heartbeat();
                let cluster = edge_cluster.cluster().clone();
                let d = ClusterDirectory::new(cluster, every);
                return Arc::new(d.with_this(edge_cluster.edge_id(), draining.clone()));
            }
            let local = LocalDirectory::new(
                config.directory.region_name(),
                config.directory.edges.clone(),
                draining.clone(),
            );
            let mut this = own_address(
                config.directory.host(),
                wt_addr,
                udp_addr,
                quic_addr,
                &certs.hash_hex(),
                &udp.public_key(),
            );
            if let Some(port) = ws_port {
                this.websocket_url = config.websocket.url(config.directory.host(), port);
            }
            local.set_this(this);
            Arc::new(local)
        });
        let listener = tokio::net::TcpListener::bind(config.http.bind)
            .await
            .with_context(|| format!("cannot bind http.bind {}", config.http.bind))?;
        let http_addr = listener.local_addr()?;
        let router = crate::http::router(metrics.clone(), ready.clone()).merge(
            crate::connect::router(ConnectState {
                verifier: ctx.verifier.clone(),
                directory,
                region: match shared {
                    true => config.cluster.region.clone(),
                    false => config.directory.region_name().to_string(),
                },
                max_token_bytes: config.jwt.max_token_bytes,
                metrics: ConnectMetrics::new(metrics.registry()),
            }),
        );
        let mut http_shutdown = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            let graceful = async move {
                let _ = http_shutdown.wait_for(|v| *v).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(graceful)
                .await
            {
                tracing::warn!(error = %e, "http server failed");
            }
        }));
        let cluster_admin = Arc::new(crate::admin::ClusterAdmin(edge_cluster.cluster().clone()));
        let revoker = services.revoker.unwrap_or_else(|| cluster_admin.clone());
        let admin_addr = serve_admin(
            &config,
            AdminState {
                token: (!config.admin.token.is_empty()).then(|| config.admin.token.as_str().into()),
                drainer: drain.clone(),
                revoker,
                broadcaster: cluster_admin,
            },
            shutdown_rx.clone(),
            &mut tasks,
        )
        .await?;
        ready.drivers_bound.store(true, Ordering::Relaxed);
        register(
            &edge_cluster,
            &ready,
            &certs,
            &live_sessions,
            EdgeParts {
                wt_port: wt_addr.port(),
                udp_port: udp_addr.port(),
                quic_port: quic_addr.port(),
                cert_sha256: String::new(),
                udp_public_key: hex::encode(udp.public_key()),
                websocket_url: ws_port
                    .map(|port| config.websocket.url(&config.cluster.public_host, port))
                    .unwrap_or_default(),
                sessions: 0,
                draining: false,
            },
        );
        let ws = ws.map(|server| {
            let url = config
                .websocket
                .url(config.directory.host(), server.local_addr().port());
            (server, url)
        });

        Ok(EdgeHandle {
            udp,
            udp_addr,
            wt,
            wt_addr,
            quic,
            quic_addr,
            ws,
            http_addr,
            certs,
            metrics,
            hub,
            blacklist,
            dev_issuer,
            shutdown_tx,
            live_sessions,
            profiles,
            ready,
            drain,
            admin_addr,
            cluster: edge_cluster,
            tasks,
        })
    }
}

/// The signing key of resume tickets: `[resume] key`, or a random one (with a warning).
fn ticket_key(config: &EdgeConfig) -> anyhow::Result<Arc<TicketKey>> {
    let ttl = Duration::from_secs(config.resume.ticket_ttl_secs);
    if config.resume.key.is_empty() {
        tracing::warn!(
            "resume.key is not set: resume tickets work on this edge process only; share one \
             key between the region's edges so clients can move between them"
        );
        return Ok(Arc::new(TicketKey::random(ttl)));
    }
    let key = crate::resume::parse_key("resume.key", &config.resume.key)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(Arc::new(TicketKey::new(&key, ttl)))
}

/// This edge's addresses as clients reach them through `host`.
fn own_address(
    host: &str,
    wt: SocketAddr,
    udp: SocketAddr,
    quic: SocketAddr,
    cert_hash: &str,
    udp_key: &[u8; 32],
) -> EdgeAddress {
    EdgeAddress {
        webtransport_url: format!("https://{host}:{}/", wt.port()),
        udp_addr: format!("{host}:{}", udp.port()),
        quic_addr: format!("{host}:{}", quic.port()),
        cert_hash: cert_hash.to_string(),
        udp_public_key: hex::encode(udp_key),
        websocket_url: String::new(),
    }
}

/// Bind and serve the admin listener, if `[admin] bind` is set.
async fn serve_admin(
    config: &EdgeConfig,
    state: AdminState,
    mut shutdown: watch::Receiver<bool>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<Option<SocketAddr>> {
    let Some(bind) = config.admin.bind_addr()? else {
        return Ok(None);
    };
    // Admin calls are always behind a bearer token: without one the listener stays off.
    if config.admin.token.is_empty() {
        tracing::warn!(
            bind = %bind,
            "admin listener off: admin.bind is set but admin.token is empty; set a bearer token \
             (admin.token or STARLANE_EDGE_ADMIN_TOKEN) to serve drain and revoke"
        );
        return Ok(None);
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot bind admin.bind {bind}"))?;
    let addr = listener.local_addr()?;
    let router = crate::admin::router(state);
    tasks.push(tokio::spawn(async move {
        let graceful = async move {
            let _ = shutdown.wait_for(|v| *v).await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(graceful)
            .await
        {
            tracing::warn!(error = %e, "admin server failed");
        }
    }));
    Ok(Some(addr))
}

/// Register the edge; each heartbeat reads its sessions, draining flag and certificate.
fn register(
    cluster: &Arc<EdgeCluster>,
    ready: &Arc<Ready>,
    certs: &Arc<CertManager>,
    live: &Arc<AtomicUsize>,
    parts: EdgeParts,
) {
    let base = cluster.edge_info(parts);
    let (ready, certs, live) = (ready.clone(), certs.clone(), live.clone());
    cluster.register(move || starlane_cluster::EdgeInfo {
        cert_sha256: certs.hash_hex(),
        sessions: live.load(Ordering::Relaxed) as u64,
        draining: ready.draining.load(Ordering::Relaxed),
        ..base.clone()
    });
}

fn key_source(config: &EdgeConfig, dev: Option<&DevIssuer>) -> anyhow::Result<KeySource> {
    if let Some(path) = &config.jwt.public_key_file {
        return Ok(KeySource::File(path.clone()));
    }
    if let Some(url) = &config.jwt.public_key_url {
        let j = &config.jwt;
        let url = KeyUrl::new(url, j.ca_file.as_deref(), j.allow_insecure_http)?;
        return Ok(KeySource::Url(url));
    }
    let dev = dev.context("jwt: no public_key_file or public_key_url and no dev issuer")?;
    if dev.issuer() != config.jwt.issuer {
        tracing::warn!(dev = dev.issuer(), expected = %config.jwt.issuer, "dev issuer signs another issuer than jwt.issuer");
    }
    Ok(KeySource::Fixed(dev.jwks()))
}

/// Read the UDP static private key (hex), generating and saving it if missing.
fn load_or_create_udp_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let bytes =
            hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
        return <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes of hex", path.display()));
    }
    let (private, _public) = starlane_netcore::udp::generate_keypair();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, format!("{}\n", hex::encode(private)))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(private)
}

/// Counts a live session for as long as it exists.
struct LiveGuard(Arc<AtomicUsize>);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Once a second, copy the drivers' accept-queue refusals into the metrics (a rotated
/// WebTransport server starts counting anew; its refusals count again once above the old).
fn spawn_accept_meter(
    metrics: EdgeMetrics,
    udp: UdpServerStats,
    quic: Arc<QuicServer>,
    wt: Arc<tokio::sync::Mutex<WtServer>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let m = &metrics.link;
            m.set_accept_refused(TransportKind::Udp, udp.accept_refused());
            let refused = quic.counters().accept_refused.load(Ordering::Relaxed);
            m.set_accept_refused(TransportKind::Quic, refused);
            let refused = wt
                .lock()
                .await
                .counters()
                .accept_refused
                .load(Ordering::Relaxed);
            m.set_accept_refused(TransportKind::WebTransport, refused);
        }
    })
}

async fn accept(mut links: mpsc::Receiver<Link>, ctx: Arc<SessionContext>, live: Arc<AtomicUsize>) {
    while let Some(link) = links.recv().await {
        live.fetch_add(1, Ordering::Relaxed);
        let guard = LiveGuard(live.clone());
        let ctx = ctx.clone();
        tokio::spawn(async move {
            run_session(link, ctx).await;
            drop(guard);
        });
    }
}

impl EdgeHandle {
    /// Address of the encrypted UDP driver.
    pub fn udp_addr(&self) -> SocketAddr {
        self.udp_addr
    }
    /// The UDP driver's static public key (clients pin it).
    pub fn udp_public_key(&self) -> [u8; 32] {
        self.udp.public_key()
    }
    /// Handshake datagrams the encrypted UDP driver handled so far and the time its thread
    /// spent on them (what accepting connections costs; also exported once a second as
    /// `starlane_edge_udp_handshake_*`).
    pub fn udp_handshake_time(&self) -> (u64, Duration) {
        self.udp.stats().handshake_time()
    }
    /// Address of the WebTransport driver.
    pub fn webtransport_addr(&self) -> SocketAddr {
        self.wt_addr
    }
    /// Address of the QUIC driver (it presents the WebTransport certificate).
    pub fn quic_addr(&self) -> SocketAddr {
        self.quic_addr
    }
    /// Address of the WebSocket listener, if `[websocket]` enables it.
    pub fn websocket_addr(&self) -> Option<SocketAddr> {
        self.ws.as_ref().map(|(s, _)| s.local_addr())
    }
    /// The URL clients open for the WebSocket fallback (`ws://` or `wss://`), if enabled.
    pub fn websocket_url(&self) -> Option<&str> {
        self.ws.as_ref().map(|(_, url)| url.as_str())
    }
    /// The WebSocket listener's counters, if it is enabled.
    pub fn websocket_counters(&self) -> Option<&starlane_netcore::websocket::WsCounters> {
        self.ws.as_ref().map(|(s, _)| s.counters().as_ref())
    }
    /// The QUIC driver's counters (connections, setup failures, dropped datagrams, bad frames).
    pub fn quic_counters(&self) -> &starlane_netcore::quic::QuicCounters {
        self.quic.counters()
    }
    /// SHA-256 of the current WebTransport certificate (also the QUIC driver's), lowercase hex.
    pub fn cert_hash(&self) -> String {
        self.certs.hash_hex()
    }
    /// Address of the HTTP endpoint.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }
    /// The edge's metrics.
    pub fn metrics(&self) -> &EdgeMetrics {
        &self.metrics
    }
    /// Set the draining flag alone (or clear it): `/readyz` answers 503 `draining`,
    /// `starlane_edge_draining` is 1 and `/connect` stops handing out this edge while it is
    /// set. [`Self::drain`] sets it and moves the clients.
    pub fn set_draining(&self, draining: bool) {
        self.drain.set_flag(draining);
    }

    /// Drain the edge (SIGTERM and `POST /admin/drain` do this): the flag, hellos refused
    /// with `Draining`, and every welcomed client told to move. False if it already was.
    pub fn drain(&self) -> bool {
        self.drain.start()
    }

    /// Resolves once a drain has started and every client has left or `[drain]
    /// window_secs` has passed (never, if no drain starts).
    pub async fn drained(&self) {
        self.drain.finished().await
    }

    /// Address of the admin listener, if it is on.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// Whether the edge is draining ([`Self::set_draining`]).
    pub fn is_draining(&self) -> bool {
        self.ready.draining.load(Ordering::Relaxed)
    }

    /// Whether the region link is up.
    pub fn region_link_up(&self) -> bool {
        self.hub.is_up()
    }

    /// Watch whether the region link is up (welcomed by the region).
    pub fn subscribe_region_link(&self) -> tokio::sync::watch::Receiver<bool> {
        self.hub.subscribe_up()
    }
    /// The edge's part of the cluster (revocation cache, metrics, store).
    pub fn cluster(&self) -> &Arc<EdgeCluster> {
        &self.cluster
    }

    /// The in-process token blacklist.
    pub fn blacklist(&self) -> &Arc<MemoryBlacklist> {
        &self.blacklist
    }
    /// The dev issuer, if enabled.
    pub fn dev_issuer(&self) -> Option<&Arc<DevIssuer>> {
        self.dev_issuer.as_ref()
    }

    /// Re-read `bandwidth.dir` and swap the profile set in; returns the names of new or
    /// changed profiles. Running sessions keep their profile; new sessions use the new set.
    /// On error the current set stays in force. With built-in profiles nothing changes.
    pub fn reload_profiles(&self) -> Result<Vec<String>, ProfileError> {
        self.profiles.reload()
    }

    /// The profile store sessions take their bandwidth profile from.
    pub fn profiles(&self) -> &Arc<ProfileStore> {
        &self.profiles
    }

    /// Tell every client the edge is shutting down, wait briefly for sessions to end, stop.
    pub async fn shutdown(self) {
        self.cluster.deregister().await;
        self.shutdown_tx.send_replace(true);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while self.live_sessions.load(Ordering::Relaxed) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Give the drivers a moment to flush the final rejects.
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.udp.shutdown();
        self.wt.lock().await.shutdown();
        self.quic.shutdown();
        if let Some((ws, _)) = &self.ws {
            ws.shutdown();
        }
        for t in self.tasks {
            t.abort();
        }
    }
}
