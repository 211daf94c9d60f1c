//! Shared cluster state: the region and edge registry, token revocations, presence and
//! per-player counters, and one pub/sub channel of cross-process events.
//!
//! Two implementations of one interface, [`Cluster`]:
//! * [`Cluster::connect`]: Redis through fred. Every key starts with the configured prefix
//!   (the layout is in `README.md`). Redis may be down at start or later: calls then fail with
//!   [`ClusterError::Redis`] after the command timeout, the client reconnects by itself and
//!   resubscribes to the events channel.
//! * [`Cluster::in_process`]: the same behaviour in memory, for the all-in-one server and
//!   single-process tests (no Redis needed).
//!
//! On top of it: [`Registration`] keeps a region or an edge registered with a TTL heartbeat
//! and deregisters it; [`RevocationSync`] keeps a local [`RevocationCache`] in step (full load,
//! pub/sub updates, periodic resync) so token checks never wait on Redis.

mod error;
mod keys;
mod memory;
mod redis;
mod registration;
mod revocation;
pub mod section;
mod types;

pub use error::ClusterError;
pub use memory::MemoryCluster;
pub use redis::RedisCluster;
pub use registration::{Record, Registration, RegistrationStats};
pub use revocation::{RevocationCache, RevocationSync, TokenSubject, token_sha256};
pub use types::*;

use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Settings of the Redis connection (`[cluster]` in the edge and region configs).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// `redis://host:port[/db]`; empty: in-process (no Redis).
    pub redis_url: String,
    /// Prefix of every key and channel (e.g. `starlane:`).
    pub prefix: String,
    /// Seconds between heartbeats; records expire after three missed ones.
    pub heartbeat_secs: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            redis_url: String::new(),
            prefix: "starlane:".into(),
            heartbeat_secs: 2,
        }
    }
}

impl ClusterConfig {
    /// Check the fields; the error names the field and the fix.
    pub fn validate(&self) -> Result<(), ClusterError> {
        let url = &self.redis_url;
        if !(url.is_empty() || url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(ClusterError::Config(
                "cluster.redis_url must start with redis:// or rediss:// (or be empty for in-process)"
                    .into(),
            ));
        }
        if self.heartbeat_secs == 0 || self.heartbeat_secs > 3600 {
            return Err(ClusterError::Config(
                "cluster.heartbeat_secs must be between 1 and 3600".into(),
            ));
        }
        Ok(())
    }

    /// The heartbeat period.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }

    /// How long a record lives without a heartbeat: three periods.
    pub fn ttl(&self) -> Duration {
        self.heartbeat() * 3
    }
}

/// The cluster state, on Redis or in process.
#[derive(Debug, Clone)]
pub enum Cluster {
    Redis(RedisCluster),
    Memory(MemoryCluster),
}

macro_rules! each {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            Cluster::Redis($c) => $e,
            Cluster::Memory($c) => $e,
        }
    };
}

impl Cluster {
    /// Redis when `config.redis_url` is set, otherwise in process.
    pub async fn from_config(config: &ClusterConfig) -> Result<Self, ClusterError> {
        config.validate()?;
        if config.redis_url.is_empty() {
            Ok(Self::in_process())
        } else {
            Self::connect(&config.redis_url, &config.prefix).await
        }
    }

    /// Connect to Redis. Returns once connected or after two seconds of trying (the client
    /// keeps reconnecting in the background; calls fail until it is up).
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, ClusterError> {
        Ok(Self::Redis(RedisCluster::connect(url, prefix).await?))
    }

    /// The in-process implementation.
    pub fn in_process() -> Self {
        Self::Memory(MemoryCluster::default())
    }

    /// Whether the backing store is reachable now (always true in process).
    pub fn is_connected(&self) -> bool {
        match self {
            Cluster::Redis(r) => r.is_connected(),
            Cluster::Memory(_) => true,
        }
    }

    /// Write a region's record, live for `ttl`.
    pub async fn put_region(&self, info: &RegionInfo, ttl: Duration) -> Result<(), ClusterError> {
        each!(self, c => c.put_region(info, ttl).await)
    }

    /// Remove a region's record.
    pub async fn remove_region(&self, id: &str) -> Result<(), ClusterError> {
        each!(self, c => c.remove_region(id).await)
    }

    /// Every registered region whose record is live.
    pub async fn regions(&self) -> Result<Vec<RegionInfo>, ClusterError> {
        each!(self, c => c.regions().await)
    }

    /// One region's live record.
    pub async fn region(&self, id: &str) -> Result<Option<RegionInfo>, ClusterError> {
        each!(self, c => c.region(id).await)
    }

    /// Write an edge's record, live for `ttl`.
    pub async fn put_edge(&self, info: &EdgeInfo, ttl: Duration) -> Result<(), ClusterError> {
        each!(self, c => c.put_edge(info, ttl).await)
    }

    /// Remove an edge's record.
    pub async fn remove_edge(&self, region: &str, id: &str) -> Result<(), ClusterError> {
        each!(self, c => c.remove_edge(region, id).await)
    }

    /// The live edges of a region, by id.
    pub async fn edges(&self, region: &str) -> Result<Vec<EdgeInfo>, ClusterError> {
        each!(self, c => c.edges(region).await)
    }

    /// The healthy (live, not draining, with room) edge of `region` with the lowest
    /// sessions/capacity; ties go to the lower id.
    pub async fn least_loaded_edge(&self, region: &str) -> Result<Option<EdgeInfo>, ClusterError> {
        Ok(types::least_loaded(self.edges(region).await?))
    }

    /// Follow region `id`'s record: polled every `every`; the value changes when the record
    /// does (None while it is absent). Read errors keep the last value.
    pub fn watch_region(&self, id: &str, every: Duration) -> watch::Receiver<Option<RegionInfo>> {
        let (tx, rx) = watch::channel(None);
        let (cluster, id) = (self.clone(), id.to_owned());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = tx.closed() => return,
                }
                match cluster.region(&id).await {
                    Ok(now) => {
                        tx.send_if_modified(|old| {
                            let changed = *old != now;
                            *old = now;
                            changed
                        });
                    }
                    Err(e) => tracing::debug!(error = %e, region = %id, "watch_region read failed"),
                }
            }
        });
        rx
    }

    /// Store a revocation (it expires at its `until`) and publish it on the events channel.
    pub async fn revoke(&self, revocation: &Revocation) -> Result<(), ClusterError> {
        each!(self, c => c.revoke(revocation).await)
    }

    /// Every revocation in force.
    pub async fn revocations(&self) -> Result<Vec<Revocation>, ClusterError> {
        each!(self, c => c.revocations().await)
    }

    /// Mark `user` online at `presence`, for `ttl` unless refreshed.
    pub async fn set_online(
        &self,
        user: i64,
        presence: &Presence,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        each!(self, c => c.set_online(user, presence, ttl).await)
    }

    /// Mark `user` offline, if its presence is still the one `edge` set (a newer session on
    /// another edge is kept).
    pub async fn set_offline(&self, user: i64, edge: &str) -> Result<(), ClusterError> {
        each!(self, c => c.set_offline(user, edge).await)
    }

    /// Record `user`'s home region (written by the region that assigned it, from the player
    /// store; read by connect endpoints to send the player to an edge of that region).
    pub async fn set_home_region(&self, user: i64, region: &str) -> Result<(), ClusterError> {
        each!(self, c => c.set_home_region(user, region).await)
    }

    /// `user`'s home region, if a region has recorded one.
    pub async fn home_region(&self, user: i64) -> Result<Option<String>, ClusterError> {
        each!(self, c => c.home_region(user).await)
    }

    /// Where `user` is online, if anywhere.
    pub async fn presence(&self, user: i64) -> Result<Option<Presence>, ClusterError> {
        each!(self, c => c.presence(user).await)
    }

    /// Every online player, by user id.
    pub async fn online(&self) -> Result<Vec<(i64, Presence)>, ClusterError> {
        each!(self, c => c.online().await)
    }

    /// Add to a player's counters and stamp its times.
    pub async fn count(&self, user: i64, delta: &StatsDelta) -> Result<(), ClusterError> {
        each!(self, c => c.count(user, delta).await)
    }

    /// A player's counters (zeros for one never seen).
    pub async fn stats(&self, user: i64) -> Result<PlayerStats, ClusterError> {
        each!(self, c => c.stats(user).await)
    }

    /// Publish an event to every process of the cluster (this one included).
    pub async fn publish(&self, event: &ClusterEvent) -> Result<(), ClusterError> {
        each!(self, c => c.publish(event).await)
    }

    /// Events from the channel, from now on. A receiver that lags loses the oldest events
    /// (revocations heal by the periodic resync).
    pub fn subscribe(&self) -> broadcast::Receiver<ClusterEvent> {
        each!(self, c => c.subscribe())
    }

    /// Changes each time the events channel is subscribed again (after a reconnection to
    /// Redis): events published meanwhile were missed, so state fed by them is reloaded.
    pub fn subscriptions(&self) -> tokio::sync::watch::Receiver<u64> {
        each!(self, c => c.subscriptions())
    }
}
