//! The region in the cluster (`[cluster]`): its registry record (id, link address, capacity,
//! sessions, entities) kept with a TTL heartbeat and removed on a clean shutdown, and the home
//! region of each joining player, recorded for the connect endpoints.
//!
//! Redis may be down at start or later: the region runs on; heartbeats and home-region writes
//! fail and are counted (`starlane_region_cluster_*`), and resume when Redis returns.

use super::persist::Store;
use crate::config::{ClusterSection, ConfigError};
use crate::metrics::Metrics;
use prometheus::{IntCounter, IntGauge, Registry};
use starlane_cluster::{Cluster, ClusterError, Record, RegionInfo, Registration};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Errors joining the cluster at start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterStartError {
    /// `[cluster]` does not fit the bound link address.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The cluster store could not be set up.
    #[error("cluster: {0}")]
    Cluster(#[from] ClusterError),
}

/// Cluster metrics (`starlane_region_cluster_*`).
#[derive(Debug, Clone)]
struct ClusterMetrics {
    connected: IntGauge,
    heartbeat_failures: IntCounter,
    home_failures: IntCounter,
}

impl ClusterMetrics {
    fn register(registry: &Registry) -> Self {
        // Names are static and valid; a region starts (and registers these) once per registry.
        let reg = |c: Box<dyn prometheus::core::Collector>| {
            registry
                .register(c)
                .expect("each metric is registered once in the region's registry")
        };
        let counter = |n: &str, h: &str| {
            let c = IntCounter::new(n, h).expect("metric name is static and valid");
            reg(Box::new(c.clone()));
            c
        };
        let connected = IntGauge::new(
            "starlane_region_cluster_connected",
            "1 while the cluster store (Redis) is reachable",
        )
        .expect("metric name is static and valid");
        reg(Box::new(connected.clone()));
        Self {
            connected,
            heartbeat_failures: counter(
                "starlane_region_cluster_heartbeat_failures_total",
                "Registry heartbeats that failed",
            ),
            home_failures: counter(
                "starlane_region_cluster_home_region_failures_total",
                "Players' home regions that could not be recorded in the cluster",
            ),
        }
    }
}

/// The region's part of the cluster; dropping it stops the heartbeat (the record then
/// expires after its TTL, as after a crash).
#[derive(Debug)]
pub(crate) struct RegionCluster {
    cluster: Cluster,
    region: String,
    registration: Option<Registration>,
    metrics: ClusterMetrics,
    mirror: JoinHandle<()>,
    /// The chat relay, once started.
    chat: Option<super::chat_relay::ChatRelay>,
}

impl RegionCluster {
    /// Connect and register `region_id` at the advertised link address (`bound` when
    /// `advertise_link_addr` is empty). `None` when `[cluster]` is off.
    pub(crate) async fn start(
        section: &ClusterSection,
        region_id: &str,
        bound: SocketAddr,
        load: Arc<Metrics>,
        registry: &Registry,
    ) -> Result<Option<Self>, ClusterStartError> {
        if !section.enabled() {
            return Ok(None);
        }
        let link_addr = section.advertised(bound)?;
        let cluster = Cluster::from_config(&section.connection()).await?;
        let connection = section.connection();
        let region = section.region_or(region_id).to_owned();
        let info = RegionInfo {
            id: region.clone(),
            link_addr: link_addr.to_string(),
            capacity: section.capacity,
            sessions: 0,
            entities: 0,
        };
        let registration = Registration::spawn(
            cluster.clone(),
            connection.heartbeat(),
            connection.ttl(),
            move || {
                Record::Region(RegionInfo {
                    sessions: load.sessions.load(Ordering::Relaxed).into(),
                    entities: load.entities.load(Ordering::Relaxed).into(),
                    ..info.clone()
                })
            },
        );
        let metrics = ClusterMetrics::register(registry);
        let mirror = tokio::spawn(mirror(
            registration.stats().clone(),
            cluster.clone(),
            metrics.clone(),
        ));
        tracing::info!(%region, %link_addr, "registered in the cluster");
        Ok(Some(Self {
            cluster,
            region,
            registration: Some(registration),
            metrics,
            mirror,
            chat: None,
        }))
    }

    /// Relay chat between the tick and the cluster's bus (SPEC.md §21.1).
    pub(crate) fn relay_chat(
        &mut self,
        posts: tokio::sync::mpsc::Receiver<starlane_cluster::ClusterEvent>,
        tick: tokio::sync::mpsc::Sender<super::msg::RuntimeMsg>,
        registry: &Registry,
    ) {
        let metrics = super::chat_relay::RelayMetrics::register(registry);
        self.chat = Some(super::chat_relay::ChatRelay::spawn(
            &self.cluster,
            posts,
            tick,
            metrics,
        ));
    }

    /// What the database worker needs to record home regions.
    pub(crate) fn homes(&self, store: Store) -> HomeRecorder {
        HomeRecorder {
            cluster: self.cluster.clone(),
            store,
            failures: self.metrics.home_failures.clone(),
        }
    }

    /// Remove the region's record (clean shutdown).
    pub(crate) async fn deregister(&mut self) {
        self.mirror.abort();
        self.metrics.connected.set(0);
        if let Some(r) = self.registration.take() {
            match r.deregister().await {
                Ok(()) => tracing::info!(region = %self.region, "removed from the cluster"),
                Err(e) => tracing::warn!(
                    error = %e, region = %self.region,
                    "cluster deregistration failed; the record expires by its TTL"
                ),
            }
        }
    }
}

impl Drop for RegionCluster {
    fn drop(&mut self) {
        self.mirror.abort();
    }
}

/// Copy the heartbeat failures and the connection state into the metrics.
async fn mirror(
    stats: Arc<starlane_cluster::RegistrationStats>,
    cluster: Cluster,
    metrics: ClusterMetrics,
) {
    let mut seen = 0;
    loop {
        let failures = stats.failures.load(Ordering::Relaxed);
        metrics
            .heartbeat_failures
            .inc_by(failures.saturating_sub(seen));
        seen = failures;
        metrics.connected.set(i64::from(cluster.is_connected()));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Records a joined player's home region (from the player store) in the cluster, off the join
/// path: a slow or absent Redis never delays a join.
#[derive(Debug, Clone)]
pub(crate) struct HomeRecorder {
    cluster: Cluster,
    store: Store,
    failures: IntCounter,
}

impl HomeRecorder {
    /// `user` joined: record its stored home region.
    pub(crate) fn joined(&self, user: i64) {
        let this = self.clone();
        tokio::spawn(async move {
            let home = match this.store.player(user).await {
                Ok(Some(p)) => p.home_region,
                Ok(None) => return,
                Err(e) => {
                    this.failures.inc();
                    tracing::warn!(error = %e, user, "home region: player lookup failed");
                    return;
                }
            };
            if let Err(e) = this.cluster.set_home_region(user, &home).await {
                this.failures.inc();
                tracing::warn!(error = %e, user, "home region not recorded in the cluster");
            }
        });
    }
}
