//! The running region: link server and database worker on tokio, the ECS tick on its own
//! thread, connected by bounded channels (`[queues]`; what happens when each is full:
//! game/README.md, "Queues and limits").

mod db;
pub mod link;
mod msg;
pub mod persist;
mod tick;

use crate::config::LinkConfig;
use crate::config::RegionConfig;
use crate::map::GameMap;
use crate::metrics::{LinkRefusals, LinkRefusalsSnapshot, Metrics, RegionStats, TickSample, Truth};
use crate::world::RegionSim;
use link::tls::{self, TlsError};
use link::trust::edge_verifier;
use link::{LinkCtx, LinkStats, LinkStatsSnapshot};
use msg::DbWrite;
use persist::{Store, StoreError};
use starlane_netcore::proto::link::{QueueLimits, RegionLinkConfig};
use starlane_protocol::link::{CloseCode, LINK_VERSION, MIN_LINK_VERSION};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tick::{TickLoop, TickOutput};
use tokio::sync::{mpsc, oneshot};

/// How long an edge has to open its stream and send `Hello`.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors starting or stopping a region.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The link certificate could not be loaded or generated.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The link endpoint could not bind.
    #[error("cannot bind the link endpoint on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The tick thread could not be started or panicked.
    #[error("tick thread failed: {0}")]
    Tick(String),
}

/// A started region. Drop without [`RegionHandle::shutdown`] loses unsaved positions.
#[derive(Debug)]
pub struct RegionHandle {
    link_addr: SocketAddr,
    cert_der: Vec<u8>,
    endpoint: quinn::Endpoint,
    stats: Arc<LinkStats>,
    refusals: Arc<LinkRefusals>,
    /// The development edge identity (cert, key) when the region pins it (no CA, no pins).
    dev_edge: Option<(std::path::PathBuf, std::path::PathBuf)>,
    metrics: Arc<Metrics>,
    stop_tx: std::sync::mpsc::Sender<()>,
    tick_thread: Option<std::thread::JoinHandle<TickOutput>>,
    write_tx: mpsc::Sender<DbWrite>,
    store: Store,
}

/// Namespace of the region entry points.
#[derive(Debug)]
pub struct Region;

impl Region {
    /// Start a region: data directory, certificate, database, world, tick thread, link server.
    pub async fn start(config: RegionConfig) -> Result<RegionHandle, RegionError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| RegionError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let (cert_path, key_path) = config.effective_cert_paths();
        let identity = if config.link.production {
            tls::load_identity(&cert_path, &key_path, "link_cert")?
        } else {
            tls::load_or_generate(&cert_path, &key_path)?
        };
        let refusals = Arc::new(LinkRefusals::default());
        let verifier = edge_verifier(&config.link, &config.data_dir, refusals.clone())?;
        let dev_edge = (config.link.uses_dev_fallback()
            && config.link.edge_cert_file.as_os_str().is_empty())
        .then(|| LinkConfig::dev_edge_paths(&config.data_dir));
        let store = Store::open(&config.effective_database_url()).await?;
        let units = store.load_units().await?;
        let map = GameMap::generate(
            config.chunk_radius,
            config.map_seed,
            config.asteroid_percent,
        );
        let spawn_count = u32::try_from(map.spawns().len()).unwrap_or(1);
        let mut sim = RegionSim::new(config.clone(), map);
        sim.load_units(&units);
        let npcs = sim.spawn_load(&config.load);
        tracing::info!(
            units = units.len(),
            npcs,
            pattern = ?config.load.pattern,
            cells = sim.map().cell_count(),
            "region world loaded"
        );

        let queues = &config.queues;
        let (tick_tx, tick_rx) = mpsc::channel(queues.tick_inputs);
        let (db_tx, db_rx) = mpsc::channel(queues.db_requests);
        let (write_tx, write_rx) = mpsc::channel(queues.db_writes);
        let (stop_tx, stop_rx) = std::sync::mpsc::channel();
        let stats = Arc::new(LinkStats::default());
        let metrics = Arc::new(Metrics::default());
        tokio::spawn(db::db_worker(
            store.clone(),
            spawn_count,
            db_rx,
            write_rx,
            tick_tx.clone(),
        ));

        let tick = TickLoop::new(
            sim,
            &config,
            tick_rx,
            write_tx.clone(),
            stats.clone(),
            metrics.clone(),
        );
        let tick_thread = std::thread::Builder::new()
            .name("region-tick".into())
            .spawn(move || tick.run(stop_rx))
            .map_err(|e| RegionError::Tick(e.to_string()))?;

        let server = tls::server_config(&identity, Arc::new(verifier))?;
        let endpoint = quinn::Endpoint::server(server, config.link_bind).map_err(|source| {
            RegionError::Bind {
                addr: config.link_bind,
                source,
            }
        })?;
        let link_addr = endpoint.local_addr().map_err(|source| RegionError::Bind {
            addr: config.link_bind,
            source,
        })?;
        let ctx = LinkCtx {
            tick_tx,
            db_tx,
            stats: stats.clone(),
            refusals: refusals.clone(),
            config: link_config(&config),
        };
        tokio::spawn(link::accept_loop(endpoint.clone(), ctx));
        tracing::info!(%link_addr, "region link listening");
        Ok(RegionHandle {
            link_addr,
            cert_der: identity.cert_der().to_vec(),
            endpoint,
            stats,
            refusals,
            dev_edge,
            metrics,
            stop_tx,
            tick_thread: Some(tick_thread),
            write_tx,
            store,
        })
    }
}

/// The settings of every edge connection's link state machine.
fn link_config(config: &RegionConfig) -> RegionLinkConfig {
    RegionLinkConfig {
        region_id: config.region_id.clone(),
        instance: rand::random(),
        versions: MIN_LINK_VERSION..=LINK_VERSION,
        hello_timeout: HELLO_TIMEOUT,
        max_frame: starlane_protocol::link::MAX_LINK_FRAME,
        limits: QueueLimits {
            max_frames: config.link_queue,
            max_bytes: config.link_queue_bytes,
        },
    }
}

/// Run a region until `shutdown` completes, then stop it cleanly (saving state).
pub async fn run(
    config: RegionConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RegionError> {
    let handle = Region::start(config).await?;
    shutdown.await;
    handle.shutdown().await
}

impl RegionHandle {
    /// Address the link endpoint listens on (with the real port when bound to port 0).
    pub fn link_addr(&self) -> SocketAddr {
        self.link_addr
    }

    /// DER of the link certificate, for edges to pin.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Link counters.
    pub fn link_stats(&self) -> LinkStatsSnapshot {
        self.stats.snapshot()
    }

    /// Edge connections refused at the TLS handshake, by reason.
    pub fn link_refusals(&self) -> LinkRefusalsSnapshot {
        self.refusals.snapshot()
    }

    /// A client configuration for a local edge stand-in (tests, benchmarks): it trusts this
    /// region's certificate and presents the development edge identity the region generated
    /// and pins. Fails when the region trusts a CA or pins instead.
    pub fn dev_link_client_config(&self) -> Result<quinn::ClientConfig, TlsError> {
        let (cert, key) = self.dev_edge.as_ref().ok_or(TlsError::NoDevIdentity)?;
        let identity = tls::load_identity(cert, key, "link.edge_cert_file")?;
        tls::client_config(&self.cert_der, Some(&identity))
    }

    /// Take the buffered per-tick timing samples (oldest first). The region keeps the last
    /// [`crate::metrics::SAMPLE_CAPACITY`] undrained samples.
    pub fn drain_tick_samples(&self) -> Vec<TickSample> {
        self.metrics.drain()
    }

    /// Running totals: ticks run, dropped and late, world size, link frames and bytes.
    pub fn stats(&self) -> RegionStats {
        use std::sync::atomic::Ordering::Relaxed;
        let link = self.stats.snapshot();
        let m = &self.metrics;
        RegionStats {
            ticks: m.ticks.load(Relaxed),
            ticks_dropped: m.ticks_dropped.load(Relaxed),
            ticks_late: m.ticks_late.load(Relaxed),
            entities: m.entities.load(Relaxed),
            sessions: m.sessions.load(Relaxed),
            links_opened: link.links_opened,
            frames_in: link.frames_in,
            frames_out: link.frames_out,
            bytes_in: link.bytes_in,
            bytes_out: link.bytes_out,
            saves_deferred: m.saves_deferred.load(Relaxed),
            congested_link_ticks: m.congested_link_ticks.load(Relaxed),
            links_refused: self.refusals.snapshot().total(),
        }
    }

    /// The server's truth after the last tick, when `[bench] publish_truth` is on (bench
    /// only: it copies every entity each tick); `None` when off or before the first tick.
    pub fn truth(&self) -> Option<Arc<Truth>> {
        self.metrics.truth()
    }

    /// Close links, stop the tick, save every changed unit, close the database.
    pub async fn shutdown(mut self) -> Result<(), RegionError> {
        self.endpoint
            .close(CloseCode::Shutdown.code().into(), b"region shutting down");
        let _ = self.stop_tx.send(());
        let output = match self.tick_thread.take() {
            Some(thread) => tokio::task::spawn_blocking(move || thread.join())
                .await
                .map_err(|e| RegionError::Tick(e.to_string()))?
                .map_err(|_| RegionError::Tick("the tick thread panicked".into()))?,
            None => TickOutput::default(),
        };
        // Earlier periodic saves are queued before this one; wait until all are written.
        self.store.save_units(&output.unsaved).await?;
        let (done_tx, done_rx) = oneshot::channel();
        if self.write_tx.send(DbWrite::Flush(done_tx)).await.is_ok() {
            let _ = done_rx.await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), self.endpoint.wait_idle()).await;
        self.store.close().await;
        tracing::info!(saved = output.unsaved.len(), "region stopped");
        Ok(())
    }
}
