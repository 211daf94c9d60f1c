//! The edge in the cluster (`[cluster]`): its registration with a TTL heartbeat, the local
//! revocation cache every hello is checked against, presence and counters of its players, and
//! the notices (operator broadcasts, revocations of open sessions) sent to its clients.
//!
//! Redis may be down at start or later: the edge runs on; heartbeats and presence writes fail
//! and are counted (`starlane_edge_cluster_*`), the revocation cache keeps what it had, and all
//! of it resumes when Redis returns.

use crate::auth::{Claims, MemoryBlacklist, TokenBlacklist, unix_now};
use prometheus::{IntCounter, IntGauge, Registry};
use starlane_cluster::{
    Cluster, ClusterEvent, EdgeInfo, Presence, Record, Registration, Revocation, RevocationCache,
    RevocationSync, StatsDelta, TokenSubject,
};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

starlane_cluster::cluster_section! {
    /// `[cluster]`: the shared registry, revocations, presence and events. An empty
    /// `redis_url` (the default) keeps them in process, for this edge only.
    pub struct ClusterSection {
        /// Region this edge serves (its registry entry is listed under it). Default "default".
        region: "default",
        /// Sessions this edge is meant to hold (the registry's load is sessions/capacity).
        /// Default 10000.
        capacity,
        /// Host clients reach this edge at, in the registered addresses. Default "127.0.0.1".
        public_host: String = "127.0.0.1".into(),
        /// Seconds between full reloads of the revocations (heals a missed message). Default 5.
        revocation_resync_secs: u64 = 5,
    }
}

impl ClusterSection {
    /// Check the fields; the error names the field and the fix.
    pub fn validate(&self) -> Result<(), String> {
        self.connection().validate().map_err(|e| e.to_string())?;
        if self.region.is_empty() {
            return Err("cluster.region is empty: name the region this edge serves".into());
        }
        if self.capacity == 0 {
            return Err(
                "cluster.capacity is 0: use the sessions this edge can hold, e.g. 10000".into(),
            );
        }
        if self.revocation_resync_secs == 0 {
            return Err("cluster.revocation_resync_secs is 0: use e.g. 5".into());
        }
        Ok(())
    }
}

/// Cluster metrics (`starlane_edge_cluster_*`).
#[derive(Debug, Clone)]
pub struct ClusterMetrics {
    /// 1 while the cluster store (Redis) is reachable.
    pub connected: IntGauge,
    /// Registry heartbeats that failed.
    pub heartbeat_failures: IntCounter,
    /// Revocations applied to the local cache.
    pub revocations_applied: IntCounter,
    /// Open sessions closed because their token was revoked.
    pub sessions_revoked: IntCounter,
    /// Presence and counter writes that failed.
    pub presence_failures: IntCounter,
    /// Broadcast notices received from the events channel.
    pub broadcasts: IntCounter,
}

impl ClusterMetrics {
    /// Register the metrics in `registry`.
    pub fn new(registry: &Registry) -> Self {
        let gauge = |n: &str, h: &str| {
            let g = IntGauge::new(n, h).expect("metric names are valid");
            registry
                .register(Box::new(g.clone()))
                .expect("registered once");
            g
        };
        let counter = |n: &str, h: &str| {
            let c = IntCounter::new(n, h).expect("metric names are valid");
            registry
                .register(Box::new(c.clone()))
                .expect("registered once");
            c
        };
        Self {
            connected: gauge(
                "starlane_edge_cluster_connected",
                "1 while the cluster store (Redis, or in process) is reachable",
            ),
            heartbeat_failures: counter(
                "starlane_edge_cluster_heartbeat_failures_total",
                "Registry heartbeats that failed",
            ),
            revocations_applied: counter(
                "starlane_edge_cluster_revocations_applied_total",
                "Revocations applied to the local cache",
            ),
            sessions_revoked: counter(
                "starlane_edge_cluster_sessions_revoked_total",
                "Open sessions closed because their token was revoked",
            ),
            presence_failures: counter(
                "starlane_edge_cluster_presence_failures_total",
                "Presence and player-counter writes that failed",
            ),
            broadcasts: counter(
                "starlane_edge_cluster_broadcasts_total",
                "Operator broadcasts received",
            ),
        }
    }
}

/// What sessions are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeNotice {
    /// A revocation newly applied: sessions whose token it names close with `Revoked`.
    Revoked(Revocation),
    /// An operator's text for every client.
    Broadcast(String),
}

/// A presence or counter write, done in order by one task.
#[derive(Debug)]
enum PresenceOp {
    Open {
        user: i64,
        session: u64,
    },
    Close {
        user: i64,
        session: u64,
        commands: u64,
    },
    Login {
        user: i64,
    },
}

/// The token blacklist of an edge in a cluster: the in-process blacklist (refused as
/// `Blacklisted`) and the revocation cache (refused as `Revoked`).
#[derive(Debug)]
pub struct ClusterBlacklist {
    pub memory: Arc<MemoryBlacklist>,
    pub revocations: Arc<RevocationCache>,
}

impl TokenBlacklist for ClusterBlacklist {
    fn is_blacklisted(&self, token: &str, claims: &Claims) -> bool {
        self.memory.is_blacklisted(token, claims)
    }
    fn is_revoked(&self, token: &str, claims: &Claims) -> bool {
        self.revocations
            .is_revoked(&subject(token, claims), unix_now())
    }
}

/// What revocations may name a token by.
pub fn subject(token: &str, claims: &Claims) -> TokenSubject {
    TokenSubject::new(token, claims.jti.as_deref(), claims.user_id)
}

/// The edge's part of the cluster.
#[derive(Debug)]
pub struct EdgeCluster {
    cluster: Cluster,
    section: ClusterSection,
    edge_id: String,
    revocations: RevocationSync,
    notices: broadcast::Sender<EdgeNotice>,
    presence: mpsc::Sender<PresenceOp>,
    metrics: ClusterMetrics,
    registration: Mutex<Option<Registration>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// Presence writes waiting for the store; past this they are dropped and counted.
const PRESENCE_QUEUE: usize = 4096;

impl EdgeCluster {
    /// Join `cluster` as `edge_id`: start following revocations and events.
    pub fn start(
        cluster: Cluster,
        section: ClusterSection,
        edge_id: String,
        metrics: ClusterMetrics,
    ) -> Arc<Self> {
        let resync = Duration::from_secs(section.revocation_resync_secs);
        let revocations = RevocationSync::spawn(cluster.clone(), resync);
        let notices = broadcast::channel(1024).0;
        let (presence, presence_rx) = mpsc::channel(PRESENCE_QUEUE);
        let mut tasks = vec![tokio::spawn(forward_notices(
            cluster.subscribe(),
            revocations.applied(),
            notices.clone(),
            metrics.clone(),
        ))];
        let writer = PresenceWriter {
            cluster: cluster.clone(),
            presence: Presence {
                region: section.region.clone(),
                edge: edge_id.clone(),
                since: 0,
            },
            ttl: section.connection().ttl(),
            open: HashMap::new(),
            metrics: metrics.clone(),
        };
        tasks.push(tokio::spawn(
            writer.run(presence_rx, section.connection().heartbeat()),
        ));
        Arc::new(Self {
            cluster,
            section,
            edge_id,
            revocations,
            notices,
            presence,
            metrics,
            registration: Mutex::new(None),
            tasks: Mutex::new(tasks),
        })
    }

    /// The cluster store.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// This edge's id in the registry.
    pub fn edge_id(&self) -> &str {
        &self.edge_id
    }

    /// The local revocation cache.
    pub fn revocation_cache(&self) -> &Arc<RevocationCache> {
        self.revocations.cache()
    }

    /// Notices for sessions, from now on.
    pub fn notices(&self) -> broadcast::Receiver<EdgeNotice> {
        self.notices.subscribe()
    }

    /// The metrics.
    pub fn metrics(&self) -> &ClusterMetrics {
        &self.metrics
    }

    /// Register this edge; `record` gives its current entry at each heartbeat.
    pub fn register(&self, record: impl Fn() -> EdgeInfo + Send + Sync + 'static) {
        let every = self.section.connection().heartbeat();
        let ttl = self.section.connection().ttl();
        let registration = Registration::spawn(self.cluster.clone(), every, ttl, move || {
            Record::Edge(record())
        });
        let stats = registration.stats().clone();
        let (metrics, cluster) = (self.metrics.clone(), self.cluster.clone());
        *self.registration.lock().unwrap_or_else(|e| e.into_inner()) = Some(registration);
        // Mirror the heartbeat counters and the connection state into the metrics.
        let mirror = tokio::spawn(async move {
            let mut seen = 0;
            loop {
                let failures = stats.failures.load(Ordering::Relaxed);
                metrics.heartbeat_failures.inc_by(failures - seen);
                seen = failures;
                metrics.connected.set(i64::from(cluster.is_connected()));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        // The task ends with the edge (aborted on drop).
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(mirror);
    }

    /// This edge's registry entry from its parts.
    pub fn edge_info(&self, parts: EdgeParts) -> EdgeInfo {
        let host = &self.section.public_host;
        EdgeInfo {
            id: self.edge_id.clone(),
            region: self.section.region.clone(),
            webtransport_url: format!("https://{host}:{}", parts.wt_port),
            udp_addr: format!("{host}:{}", parts.udp_port),
            quic_addr: format!("{host}:{}", parts.quic_port),
            cert_sha256: parts.cert_sha256,
            udp_public_key: parts.udp_public_key,
            websocket_url: parts.websocket_url,
            sessions: parts.sessions,
            capacity: self.section.capacity,
            draining: parts.draining,
        }
    }

    /// Remove this edge from the registry (on shutdown).
    pub async fn deregister(&self) {
        let registration = self
            .registration
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(r) = registration
            && let Err(e) = r.deregister().await
        {
            tracing::warn!(error = %e, "edge deregistration failed; the entry expires by its TTL");
        }
    }

    /// A token was accepted for `user`.
    pub fn on_login(&self, user: i64) {
        self.queue(PresenceOp::Login { user });
    }

    /// Session `session` of `user` opened on the region.
    pub fn on_session_open(&self, user: i64, session: u64) {
        self.queue(PresenceOp::Open { user, session });
    }

    /// Session `session` of `user` ended after forwarding `commands` commands.
    pub fn on_session_close(&self, user: i64, session: u64, commands: u64) {
        self.queue(PresenceOp::Close {
            user,
            session,
            commands,
        });
    }

    fn queue(&self, op: PresenceOp) {
        if self.presence.try_send(op).is_err() {
            self.metrics.presence_failures.inc();
        }
    }
}

impl Drop for EdgeCluster {
    fn drop(&mut self) {
        for t in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            t.abort();
        }
    }
}

/// The parts of an edge's registry entry that change.
#[derive(Debug, Clone)]
pub struct EdgeParts {
    pub wt_port: u16,
    pub udp_port: u16,
    pub quic_port: u16,
    pub cert_sha256: String,
    pub udp_public_key: String,
    /// The WebSocket listener's URL, empty without one.
    pub websocket_url: String,
    pub sessions: u64,
    pub draining: bool,
}

async fn forward_notices(
    mut events: broadcast::Receiver<ClusterEvent>,
    mut applied: broadcast::Receiver<Revocation>,
    notices: broadcast::Sender<EdgeNotice>,
    metrics: ClusterMetrics,
) {
    loop {
        let notice = tokio::select! {
            ev = events.recv() => match ev {
                Ok(ClusterEvent::Broadcast { text }) => {
                    metrics.broadcasts.inc();
                    EdgeNotice::Broadcast(text)
                }
                Ok(ClusterEvent::Revoked(_) | ClusterEvent::Chat(_) | ClusterEvent::Social(_)) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            r = applied.recv() => match r {
                Ok(r) => {
                    metrics.revocations_applied.inc();
                    EdgeNotice::Revoked(r)
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        // No session listening is not an error.
        let _ = notices.send(notice);
    }
}

/// Writes presence and counters in order, and refreshes the presence of open sessions at
/// each heartbeat (an edge that crashes stops refreshing: its players expire).
struct PresenceWriter {
    cluster: Cluster,
    presence: Presence,
    ttl: Duration,
    /// Open sessions by user: (session, opened at).
    open: HashMap<i64, (u64, i64)>,
    metrics: ClusterMetrics,
}

impl PresenceWriter {
    async fn run(mut self, mut ops: mpsc::Receiver<PresenceOp>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                op = ops.recv() => match op {
                    Some(op) => self.apply(op).await,
                    None => return,
                },
                _ = tick.tick() => self.refresh().await,
            }
        }
    }

    fn presence_of(&self, since: i64) -> Presence {
        Presence {
            since,
            ..self.presence.clone()
        }
    }

    async fn apply(&mut self, op: PresenceOp) {
        let now = unix_now();
        let result = match op {
            PresenceOp::Login { user } => {
                let delta = StatsDelta {
                    logins: 1,
                    login_at: Some(now),
                    ..StatsDelta::default()
                };
                self.cluster.count(user, &delta).await
            }
            PresenceOp::Open { user, session } => {
                self.open.insert(user, (session, now));
                let delta = StatsDelta {
                    sessions: 1,
                    seen_at: Some(now),
                    ..StatsDelta::default()
                };
                match self
                    .cluster
                    .set_online(user, &self.presence_of(now), self.ttl)
                    .await
                {
                    Ok(()) => self.cluster.count(user, &delta).await,
                    Err(e) => Err(e),
                }
            }
            PresenceOp::Close {
                user,
                session,
                commands,
            } => {
                let delta = StatsDelta {
                    commands,
                    seen_at: Some(now),
                    ..StatsDelta::default()
                };
                let counted = self.cluster.count(user, &delta).await;
                // A newer session of the same user on this edge keeps the presence.
                if self.open.get(&user).is_some_and(|(s, _)| *s == session) {
                    self.open.remove(&user);
                    match self.cluster.set_offline(user, &self.presence.edge).await {
                        Ok(()) => counted,
                        Err(e) => Err(e),
                    }
                } else {
                    counted
                }
            }
        };
        if let Err(e) = result {
            self.metrics.presence_failures.inc();
            tracing::debug!(error = %e, "presence write failed");
        }
    }

    async fn refresh(&mut self) {
        for (user, (_, since)) in self.open.clone() {
            let presence = self.presence_of(since);
            if let Err(e) = self.cluster.set_online(user, &presence, self.ttl).await {
                self.metrics.presence_failures.inc();
                tracing::debug!(error = %e, "presence refresh failed");
                // Redis is down: do not wait a timeout per player.
                return;
            }
        }
    }
}
