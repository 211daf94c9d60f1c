//! The running region: link server and database worker on tokio, the ECS tick on its own
//! thread, connected by bounded channels (`[queues]`; what happens when each is full:
//! game/README.md, "Queues and limits").

mod chat_relay;
mod cluster;
mod db;
mod http;
pub mod link;
mod msg;
pub mod persist;
pub mod player_ops;
mod start;
mod tick;

pub use http::STALL_LIMIT;

/// The name of the region's tick thread (what its CPU is counted by in `top -H` and the
/// benchmarks).
pub const TICK_THREAD: &str = "region-tick";
pub use start::PreparedRegion;

use crate::config::{ConfigError, RegionConfig};
use crate::metrics::{LinkRefusals, LinkRefusalsSnapshot, Metrics, RegionStats, TickSample, Truth};
use http::{HttpServer, Observed};
use link::tls::{self, TlsError};
use link::{LinkStats, LinkStatsSnapshot};
use msg::DbWrite;
use persist::{SnapshotInfo, Store, StoreError};
use starlane_netcore::proto::link::{QueueLimits, RegionLinkConfig};
use starlane_protocol::link::{CloseCode, LINK_VERSION, MIN_LINK_VERSION};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tick::TickOutput;
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
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The link endpoint could not bind.
    #[error("cannot bind the link endpoint on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The operator HTTP listener could not bind.
    #[error("cannot bind the http listener on {addr} (http.bind): {source}")]
    HttpBind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The region could not join the cluster (`[cluster]`).
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterStartError),
    /// The tick thread could not be started or panicked.
    #[error("tick thread failed: {0}")]
    Tick(String),
}

/// A started region. Drop without [`RegionHandle::shutdown`] loses what happened since the
/// last snapshot.
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
    region_id: String,
    /// The snapshot the world was restored from at start, if any.
    restored_from_snapshot: Option<SnapshotInfo>,
    /// The operator listener (`None` once stopped) and its address.
    http: Option<HttpServer>,
    http_addr: SocketAddr,
    observed: Arc<Observed>,
    /// The region's registration in the cluster, when `[cluster]` is on.
    cluster: Option<cluster::RegionCluster>,
}

/// Namespace of the region entry points ([`Region::prepare`], [`Region::start`]).
#[derive(Debug)]
pub struct Region;

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

/// Run a region until `shutdown` completes, then stop it cleanly (a final snapshot).
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
            commands_applied: m.commands_applied.load(Relaxed),
            commands_replayed: m.commands_replayed.load(Relaxed),
            combat_shots: m.combat_shots.load(Relaxed),
            units_destroyed: m.units_destroyed.load(Relaxed),
        }
    }

    /// The server's truth after the last tick, when `[bench] publish_truth` is on (bench
    /// only: it copies every entity each tick); `None` when off or before the first tick.
    pub fn truth(&self) -> Option<Arc<Truth>> {
        self.metrics.truth()
    }

    /// The snapshot the region restored its world from at start (`None` for a new world).
    /// The hook for telling clients their world was restored (at most one snapshot interval
    /// of simulation was lost): the runtime only records it; the client notice is wired
    /// separately.
    pub fn restored_from_snapshot(&self) -> Option<SnapshotInfo> {
        self.restored_from_snapshot
    }

    /// The region's store (tests, tools).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Address of the operator HTTP listener (`/metrics`, `/healthz`, `/readyz`).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The region's Prometheus series (what `/metrics` serves, before the counters the
    /// runtime keeps are copied in at a scrape).
    pub fn prometheus(&self) -> &crate::metrics::RegionMetrics {
        &self.observed.export
    }

    /// Mark the region as shutting down: `/readyz` answers 503 from now on. [`Self::shutdown`]
    /// does this first; call it earlier to take the region out of rotation before stopping.
    pub fn begin_shutdown(&self) {
        self.observed.health.begin_shutdown();
    }

    /// Close links, stop the tick, write a final snapshot of the world, close the database,
    /// stop the operator listener.
    pub async fn shutdown(mut self) -> Result<(), RegionError> {
        self.begin_shutdown();
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
        // Earlier snapshots are queued before this point: let them be written first, so the
        // final one is the last written.
        let (done_tx, done_rx) = oneshot::channel();
        if self.write_tx.send(DbWrite::Flush(done_tx)).await.is_ok() {
            let _ = done_rx.await;
        }
        let region = &self.observed.export;
        let written = self
            .store
            .write_snapshot(&self.region_id, &output.world)
            .await;
        region.db.snapshot_done(written.is_ok());
        // Snapshot, then deregister (also when the snapshot failed: the region is going).
        if let Some(cluster) = self.cluster.as_mut() {
            cluster.deregister().await;
        }
        written?;
        region.save_clock.saved();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.endpoint.wait_idle()).await;
        self.store.close().await;
        self.observed.health.set_store_open(false);
        if let Some(http) = self.http.take() {
            http.stop().await;
        }
        tracing::info!(
            units = output.world.units.len(),
            tick = output.world.tick,
            "final snapshot written; region stopped"
        );
        Ok(())
    }
}
