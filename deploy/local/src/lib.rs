//! The all-in-one local server: a region server, an edge relay, the web client and a
//! development token issuer in one process, on the embedded defaults. Needs no Redis and no
//! PostgreSQL: the region keeps its state in SQLite under the data directory.
//!
//! The edge-region link runs with mutual TLS: unless the configuration files set the link's
//! trust, a throwaway cluster CA with a region and an edge certificate is generated in
//! `<data_dir>/link-pki/` ([`dev_link_pki`]) and both sides are pointed at it.

pub mod second_edge;
pub mod web;

use anyhow::Context;
use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use starlane_game::{Region, RegionConfig, RegionHandle};
use starlane_netcore::tls::pki::{DEV_REGION_NAMES, DevClusterFiles, ensure_dev_cluster};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::oneshot;

/// How long the all-in-one server waits for the edge's link to its region.
const LINK_UP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How to start the all-in-one server.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// Root of generated state: `region/` (SQLite), `edge/` (keys) and `link-pki/` (the
    /// development link CA and certificates).
    pub data_dir: PathBuf,
    /// Region configuration file; `None` uses the embedded defaults.
    pub region_config: Option<PathBuf>,
    /// Edge configuration file; `None` uses the embedded defaults.
    pub edge_config: Option<PathBuf>,
    /// Address of the web server (the page, connect info and dev tokens).
    pub http_bind: SocketAddr,
    /// The built web client (`clients/web/dist`).
    pub web_dir: PathBuf,
    /// Host name put in the addresses handed to clients.
    pub public_host: String,
    /// Bind every listener to a free loopback port (tests).
    pub ephemeral_ports: bool,
    /// Start a second edge that `/api/connect-info` hands out, with an admin listener behind
    /// this bearer token, whose drained clients move to the first edge ([`second_edge`]).
    pub second_edge_admin_token: Option<String>,
    /// AI empires to run, overriding the region configuration's `[ai] empires`; `None` keeps
    /// the configuration's. [`LocalOptions::new`] runs [`DEFAULT_AI_EMPIRES`], so the world
    /// a newcomer opens is alive.
    pub ai_empires: Option<u32>,
}

/// AI empires of the all-in-one server unless told otherwise.
pub const DEFAULT_AI_EMPIRES: u32 = 2;

impl LocalOptions {
    /// The defaults: data in `data/`, web on port 8080 of every interface (dual-stack).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            region_config: None,
            edge_config: None,
            http_bind: SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 8080),
            web_dir: PathBuf::from("clients/web/dist"),
            public_host: "127.0.0.1".to_string(),
            ephemeral_ports: false,
            second_edge_admin_token: None,
            ai_empires: Some(DEFAULT_AI_EMPIRES),
        }
    }
}

/// A running all-in-one server.
#[derive(Debug)]
pub struct Local {
    region: RegionHandle,
    edge: Arc<EdgeHandle>,
    /// The second edge (`--dev-second-edge`), if started.
    second: Option<Arc<EdgeHandle>>,
    http_addr: SocketAddr,
    http_stop: Option<oneshot::Sender<()>>,
    http_task: tokio::task::JoinHandle<()>,
}

const LOOPBACK_ANY_PORT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

impl Local {
    /// Start the region, then the edge pointed at it, then the web server.
    pub async fn start(opts: LocalOptions) -> anyhow::Result<Self> {
        check_web_dir(&opts.web_dir)?;
        let mut region_cfg = RegionConfig::load(opts.region_config.as_deref())?;
        region_cfg.data_dir = opts.data_dir.join("region");
        if let Some(n) = opts.ai_empires {
            region_cfg.ai.empires = n;
            region_cfg.validate()?;
        }
        let mut edge_cfg = match &opts.edge_config {
            Some(p) => EdgeConfig::load(p)?,
            None => EdgeConfig::default(),
        };
        edge_cfg.data_dir = opts.data_dir.join("edge");
        edge_cfg.dev_issuer.enabled = true;
        let mut http_bind = opts.http_bind;
        if opts.ephemeral_ports {
            region_cfg.link_bind = LOOPBACK_ANY_PORT;
            region_cfg.http.bind = LOOPBACK_ANY_PORT;
            edge_cfg.udp.bind = LOOPBACK_ANY_PORT;
            edge_cfg.webtransport.bind = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0);
            edge_cfg.quic.bind = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0);
            edge_cfg.websocket.bind = LOOPBACK_ANY_PORT;
            edge_cfg.http.bind = LOOPBACK_ANY_PORT;
            http_bind = LOOPBACK_ANY_PORT;
        }
        std::fs::create_dir_all(&region_cfg.data_dir)
            .with_context(|| format!("cannot create {}", region_cfg.data_dir.display()))?;
        // Bound first: the second edge sends the clients it moves to this server's origin.
        let listener = tokio::net::TcpListener::bind(http_bind)
            .await
            .with_context(|| {
                format!(
                    "cannot bind the web server on {http_bind}: is the port in use? pass --http"
                )
            })?;
        let http_addr = listener.local_addr()?;
        if opts.second_edge_admin_token.is_some() {
            if edge_cfg.resume.key.is_empty() {
                edge_cfg.resume.key = second_edge::run_resume_key();
            }
            if edge_cfg.directory.public_host.is_empty() {
                edge_cfg.directory.public_host = opts.public_host.clone();
            }
        }
        if link_trust_unset(&region_cfg, &edge_cfg) {
            let pki = dev_link_pki(&opts.data_dir)?;
            use_dev_link_pki(&pki, &mut region_cfg, &mut edge_cfg);
        }
        let region = Region::start(region_cfg.clone())
            .await
            .context("region server")?;

        edge_cfg.region_link.addr = reachable(region.link_addr());
        edge_cfg.region_link.region_cert_file = region_cfg.effective_cert_paths().0;
        let issuer = Arc::new(DevIssuer::load_or_create_with_issuer(
            &edge_cfg.data_dir.join("dev-issuer"),
            &edge_cfg.jwt.issuer,
        )?);
        let edge = Arc::new(
            Edge::start(edge_cfg.clone(), Some(issuer.clone()))
                .await
                .context("edge relay")?,
        );
        // Players are admitted once the region has welcomed the edge's link (a round trip on
        // loopback); until then the edge would refuse them as `RegionUnavailable`.
        let mut up = edge.subscribe_region_link();
        if tokio::time::timeout(LINK_UP_TIMEOUT, up.wait_for(|up| *up))
            .await
            .is_err()
        {
            anyhow::bail!(
                "the edge's link to the region did not come up within {LINK_UP_TIMEOUT:?}"
            );
        }

        let second = match &opts.second_edge_admin_token {
            Some(token) => {
                let connect_url = format!(
                    "http://{}:{}{}",
                    opts.public_host,
                    http_addr.port(),
                    web::CONNECT_PATH
                );
                let cfg = second_edge::config(&edge_cfg, &opts.data_dir, token, connect_url);
                Some(second_edge::start(cfg, issuer.clone()).await?)
            }
            None => None,
        };

        let state = web::WebState {
            edge: second.clone().unwrap_or_else(|| edge.clone()),
            connect_endpoint: format!("http://{}/connect", reachable(edge.http_addr())),
            issuer,
            public_host: opts.public_host.clone(),
        };
        let app = web::router(state, &opts.web_dir);
        let (stop_tx, stop_rx) = oneshot::channel();
        let http_task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stop_rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("web server: {e}");
            }
        });
        Ok(Self {
            region,
            edge,
            second,
            http_addr,
            http_stop: Some(stop_tx),
            http_task,
        })
    }

    /// The web server's bound address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The address to open in a browser.
    pub fn http_url(&self, host: &str) -> String {
        format!("http://{}:{}/", host, self.http_addr.port())
    }

    /// The edge relay.
    pub fn edge(&self) -> &EdgeHandle {
        &self.edge
    }

    /// The second edge (`--dev-second-edge`), if started.
    pub fn second_edge(&self) -> Option<&EdgeHandle> {
        self.second.as_deref()
    }

    /// The region server (tick samples, truth, link address).
    pub fn region(&self) -> &RegionHandle {
        &self.region
    }

    /// Stop the web server, the edge (closing sessions) and the region (saving state).
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        // The region's /readyz answers 503 from here on.
        self.region.begin_shutdown();
        if let Some(stop) = self.http_stop.take() {
            let _ = stop.send(());
        }
        let _ = self.http_task.await;
        if let Some(second) = self.second.take() {
            match Arc::try_unwrap(second) {
                Ok(edge) => edge.shutdown().await,
                Err(_) => tracing::warn!("second edge still referenced at shutdown"),
            }
        }
        match Arc::try_unwrap(self.edge) {
            Ok(edge) => edge.shutdown().await,
            Err(_) => tracing::warn!("edge still referenced at shutdown"),
        }
        self.region.shutdown().await.context("region shutdown")?;
        Ok(())
    }
}

/// Make (once) the development link PKI in `<data_dir>/link-pki/`: a throwaway cluster CA,
/// a region certificate (for `starlane-region`, `localhost`, `127.0.0.1`, `::1`) and an edge
/// client certificate, all PEM.
pub fn dev_link_pki(data_dir: &Path) -> anyhow::Result<DevClusterFiles> {
    let dir = data_dir.join("link-pki");
    ensure_dev_cluster(&dir)
        .with_context(|| format!("cannot make the development link PKI in {}", dir.display()))
}

/// Point the region and the edge at the development PKI: both trust its CA, each presents its
/// certificate, and the edge checks the region's name `starlane-region`.
pub fn use_dev_link_pki(pki: &DevClusterFiles, region: &mut RegionConfig, edge: &mut EdgeConfig) {
    region.link_cert = pki.region_cert.clone();
    region.link_key = pki.region_key.clone();
    region.link.ca_file = pki.ca.clone();
    edge.region_link.ca_file = Some(pki.ca.clone());
    edge.region_link.cert_file = Some(pki.edge_cert.clone());
    edge.region_link.key_file = Some(pki.edge_key.clone());
    edge.region_link.server_name = DEV_REGION_NAMES[0].to_string();
}

/// Whether neither configuration names link certificates or trust (then the development PKI
/// is used).
fn link_trust_unset(region: &RegionConfig, edge: &EdgeConfig) -> bool {
    region.link_cert.as_os_str().is_empty()
        && region.link.uses_dev_fallback()
        && edge.region_link.uses_dev_trust()
        && edge.region_link.cert_file.is_none()
}

/// An address a local client can dial: an unspecified bind address becomes loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

fn check_web_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.join("index.html").is_file() {
        anyhow::bail!(
            "the web client is not built: {} has no index.html. Build it with \
             `npm --prefix clients/web ci && npm --prefix clients/web run build` \
             (deploy/local/run.sh does this), or pass --web-dir",
            dir.display()
        );
    }
    Ok(())
}
