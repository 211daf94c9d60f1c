//! A region or an edge kept registered with a TTL heartbeat.

use crate::{Cluster, ClusterError, EdgeInfo, RegionInfo};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

/// What is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Region(RegionInfo),
    Edge(EdgeInfo),
}

impl Record {
    async fn put(&self, cluster: &Cluster, ttl: Duration) -> Result<(), ClusterError> {
        match self {
            Record::Region(r) => cluster.put_region(r, ttl).await,
            Record::Edge(e) => cluster.put_edge(e, ttl).await,
        }
    }

    async fn remove(&self, cluster: &Cluster) -> Result<(), ClusterError> {
        match self {
            Record::Region(r) => cluster.remove_region(&r.id).await,
            Record::Edge(e) => cluster.remove_edge(&e.region, &e.id).await,
        }
    }
}

/// Counters of a registration's heartbeats.
#[derive(Debug, Default)]
pub struct RegistrationStats {
    /// Heartbeats written.
    pub beats: AtomicU64,
    /// Heartbeats that failed (the store was unreachable or refused).
    pub failures: AtomicU64,
    /// Whether the last heartbeat was written.
    pub registered: AtomicBool,
}

/// A live registration; [`Registration::deregister`] ends it (dropping it only stops the
/// heartbeat: the record then expires after its TTL, as after a crash).
pub struct Registration {
    cluster: Cluster,
    source: Arc<dyn Fn() -> Record + Send + Sync>,
    stats: Arc<RegistrationStats>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("record", &(self.source)())
            .field("stats", &self.stats)
            .finish()
    }
}

impl Registration {
    /// Write `source()` now and then every `every`, each write live for `ttl`.
    pub fn spawn(
        cluster: Cluster,
        every: Duration,
        ttl: Duration,
        source: impl Fn() -> Record + Send + Sync + 'static,
    ) -> Self {
        let source: Arc<dyn Fn() -> Record + Send + Sync> = Arc::new(source);
        let stats = Arc::new(RegistrationStats::default());
        let task = tokio::spawn(beat(
            cluster.clone(),
            every,
            ttl,
            source.clone(),
            stats.clone(),
        ));
        Self {
            cluster,
            source,
            stats,
            task,
        }
    }

    /// The heartbeat counters.
    pub fn stats(&self) -> &Arc<RegistrationStats> {
        &self.stats
    }

    /// Stop the heartbeat and remove the record.
    pub async fn deregister(self) -> Result<(), ClusterError> {
        self.task.abort();
        self.stats.registered.store(false, Ordering::Relaxed);
        (self.source)().remove(&self.cluster).await
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn beat(
    cluster: Cluster,
    every: Duration,
    ttl: Duration,
    source: Arc<dyn Fn() -> Record + Send + Sync>,
    stats: Arc<RegistrationStats>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match source().put(&cluster, ttl).await {
            Ok(()) => {
                stats.beats.fetch_add(1, Ordering::Relaxed);
                stats.registered.store(true, Ordering::Relaxed);
            }
            Err(e) => {
                stats.failures.fetch_add(1, Ordering::Relaxed);
                stats.registered.store(false, Ordering::Relaxed);
                tracing::warn!(error = %e, "registry heartbeat failed");
            }
        }
    }
}
