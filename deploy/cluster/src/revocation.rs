//! The local mirror of the revocations every edge checks tokens against.

use crate::{Cluster, ClusterEvent, Revocation, RevocationKey};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// Seconds since the unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// SHA-256 of a token, lowercase hex: what [`RevocationKey::TokenHash`] holds.
pub fn token_sha256(token: &str) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        token.as_bytes(),
    ))
}

/// What a token is known by, to match revocations against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    pub jti: Option<String>,
    pub sha256: String,
    pub user: i64,
}

impl TokenSubject {
    /// The subject of `token` with these claims.
    pub fn new(token: &str, jti: Option<&str>, user: i64) -> Self {
        Self {
            jti: jti.map(str::to_owned),
            sha256: token_sha256(token),
            user,
        }
    }

    /// Whether `revocation` names this token (regardless of time).
    pub fn named_by(&self, revocation: &Revocation) -> bool {
        match &revocation.key {
            RevocationKey::Jti(j) => self.jti.as_deref() == Some(j.as_str()),
            RevocationKey::TokenHash(h) => *h == self.sha256,
            RevocationKey::User(u) => *u == self.user,
        }
    }
}

/// Revocations in force, in memory: checked on every hello without waiting on Redis.
#[derive(Debug, Default)]
pub struct RevocationCache {
    entries: RwLock<HashMap<RevocationKey, i64>>,
}

impl RevocationCache {
    /// Add (or extend) a revocation; true when it changed what is refused.
    pub fn apply(&self, r: &Revocation) -> bool {
        if !r.in_force(unix_now()) {
            return false;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        match entries.get(&r.key) {
            Some(until) if *until >= r.until => false,
            _ => {
                entries.insert(r.key.clone(), r.until);
                true
            }
        }
    }

    /// Merge a full list (a resync): returns those that were new. Entries the list lacks stay
    /// until their time (a Redis restarted without persistence forgets; this cache does not).
    pub fn merge(&self, list: &[Revocation]) -> Vec<Revocation> {
        let now = unix_now();
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
        list.iter().filter(|r| self.apply(r)).cloned().collect()
    }

    /// Whether a token with this subject is refused at `now`.
    pub fn is_revoked(&self, subject: &TokenSubject, now: i64) -> bool {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let live = |k: RevocationKey| entries.get(&k).is_some_and(|until| *until > now);
        subject
            .jti
            .clone()
            .is_some_and(|j| live(RevocationKey::Jti(j)))
            || live(RevocationKey::TokenHash(subject.sha256.clone()))
            || live(RevocationKey::User(subject.user))
    }

    /// Revocations held (expired ones included until the next merge).
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Keeps a [`RevocationCache`] in step with the cluster: a full load at start, every
/// revocation published on the events channel, and a full resync every period (which heals
/// a missed message or a reconnection).
#[derive(Debug)]
pub struct RevocationSync {
    cache: Arc<RevocationCache>,
    applied: broadcast::Sender<Revocation>,
    loads_failed: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl RevocationSync {
    /// Start following `cluster`, resyncing every `resync`.
    pub fn spawn(cluster: Cluster, resync: Duration) -> Self {
        let cache = Arc::new(RevocationCache::default());
        let applied = broadcast::channel(1024).0;
        let loads_failed = Arc::new(AtomicU64::new(0));
        // Subscribe here, not in the task, so nothing published after `spawn` is missed.
        let events = cluster.subscribe();
        let task = tokio::spawn(run(
            cluster,
            events,
            resync,
            cache.clone(),
            applied.clone(),
            loads_failed.clone(),
        ));
        Self {
            cache,
            applied,
            loads_failed,
            task,
        }
    }

    /// The cache the sync keeps.
    pub fn cache(&self) -> &Arc<RevocationCache> {
        &self.cache
    }

    /// Every revocation newly applied to the cache, from now on (to close open sessions).
    pub fn applied(&self) -> broadcast::Receiver<Revocation> {
        self.applied.subscribe()
    }

    /// Full loads that failed (Redis unreachable).
    pub fn loads_failed(&self) -> u64 {
        self.loads_failed.load(Ordering::Relaxed)
    }
}

impl Drop for RevocationSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    cluster: Cluster,
    mut events: broadcast::Receiver<ClusterEvent>,
    resync: Duration,
    cache: Arc<RevocationCache>,
    applied: broadcast::Sender<Revocation>,
    loads_failed: Arc<AtomicU64>,
) {
    let mut subscriptions = cluster.subscriptions();
    // In process there is no resubscription: the watch closes at once and is not polled again.
    let mut resubscribes = true;
    let mut tick = tokio::time::interval(resync);
    loop {
        tokio::select! {
            // Subscribed again after a reconnection: load what was published meanwhile.
            changed = subscriptions.changed(), if resubscribes => match changed {
                Ok(()) => tick.reset_immediately(),
                Err(_) => resubscribes = false,
            },
            _ = tick.tick() => match cluster.revocations().await {
                Ok(list) => {
                    for r in cache.merge(&list) {
                        let _ = applied.send(r);
                    }
                }
                Err(e) => {
                    loads_failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "revocation resync failed; the local cache stays in use");
                }
            },
            ev = events.recv() => match ev {
                Ok(ClusterEvent::Revoked(r)) => {
                    if cache.apply(&r) {
                        let _ = applied.send(r);
                    }
                }
                Ok(_) => {}
                // Missed messages: the next resync brings them.
                Err(broadcast::error::RecvError::Lagged(_)) => tick.reset_immediately(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}
