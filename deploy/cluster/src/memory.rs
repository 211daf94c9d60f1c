//! The in-process implementation: the same rules as Redis, in one process's memory.

use crate::revocation::unix_now;
use crate::{
    ClusterError, ClusterEvent, EdgeInfo, PlayerStats, Presence, RegionInfo, Revocation,
    RevocationKey, StatsDelta,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Capacity of the events channel (per receiver backlog).
const EVENTS_CAPACITY: usize = 1024;

#[derive(Debug)]
struct Expiring<T> {
    value: T,
    until: Instant,
}

impl<T: Clone> Expiring<T> {
    fn live(&self, now: Instant) -> Option<T> {
        (self.until > now).then(|| self.value.clone())
    }
}

#[derive(Debug, Default)]
struct State {
    regions: HashMap<String, Expiring<RegionInfo>>,
    edges: HashMap<String, Expiring<EdgeInfo>>,
    revocations: HashMap<RevocationKey, i64>,
    presence: HashMap<i64, Expiring<Presence>>,
    stats: HashMap<i64, PlayerStats>,
    homes: HashMap<i64, String>,
}

/// Cluster state in this process only.
#[derive(Debug, Clone)]
pub struct MemoryCluster {
    state: Arc<Mutex<State>>,
    events: broadcast::Sender<ClusterEvent>,
}

impl Default for MemoryCluster {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            events: broadcast::channel(EVENTS_CAPACITY).0,
        }
    }
}

impl MemoryCluster {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No code panics while holding the lock; a poisoned one still holds valid maps.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) async fn put_region(
        &self,
        info: &RegionInfo,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        let until = Instant::now() + ttl;
        self.lock().regions.insert(
            info.id.clone(),
            Expiring {
                value: info.clone(),
                until,
            },
        );
        Ok(())
    }

    pub(crate) async fn remove_region(&self, id: &str) -> Result<(), ClusterError> {
        self.lock().regions.remove(id);
        Ok(())
    }

    pub(crate) async fn regions(&self) -> Result<Vec<RegionInfo>, ClusterError> {
        let now = Instant::now();
        let mut out: Vec<_> = self
            .lock()
            .regions
            .values()
            .filter_map(|e| e.live(now))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    pub(crate) async fn region(&self, id: &str) -> Result<Option<RegionInfo>, ClusterError> {
        Ok(self
            .lock()
            .regions
            .get(id)
            .and_then(|e| e.live(Instant::now())))
    }

    pub(crate) async fn put_edge(
        &self,
        info: &EdgeInfo,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        let until = Instant::now() + ttl;
        self.lock().edges.insert(
            info.id.clone(),
            Expiring {
                value: info.clone(),
                until,
            },
        );
        Ok(())
    }

    pub(crate) async fn remove_edge(&self, _region: &str, id: &str) -> Result<(), ClusterError> {
        self.lock().edges.remove(id);
        Ok(())
    }

    pub(crate) async fn edges(&self, region: &str) -> Result<Vec<EdgeInfo>, ClusterError> {
        let now = Instant::now();
        let mut out: Vec<_> = self
            .lock()
            .edges
            .values()
            .filter_map(|e| e.live(now))
            .filter(|e| e.region == region)
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    pub(crate) async fn revoke(&self, revocation: &Revocation) -> Result<(), ClusterError> {
        self.lock()
            .revocations
            .insert(revocation.key.clone(), revocation.until);
        self.publish(&ClusterEvent::Revoked(revocation.clone()))
            .await
    }

    pub(crate) async fn revocations(&self) -> Result<Vec<Revocation>, ClusterError> {
        let now = unix_now();
        let mut state = self.lock();
        state.revocations.retain(|_, until| *until > now);
        Ok(state
            .revocations
            .iter()
            .map(|(key, until)| Revocation {
                key: key.clone(),
                until: *until,
            })
            .collect())
    }

    pub(crate) async fn set_online(
        &self,
        user: i64,
        presence: &Presence,
        ttl: Duration,
    ) -> Result<(), ClusterError> {
        let until = Instant::now() + ttl;
        self.lock().presence.insert(
            user,
            Expiring {
                value: presence.clone(),
                until,
            },
        );
        Ok(())
    }

    pub(crate) async fn set_offline(&self, user: i64, edge: &str) -> Result<(), ClusterError> {
        let mut state = self.lock();
        if state
            .presence
            .get(&user)
            .is_some_and(|p| p.value.edge == edge)
        {
            state.presence.remove(&user);
        }
        Ok(())
    }

    pub(crate) async fn set_home_region(
        &self,
        user: i64,
        region: &str,
    ) -> Result<(), ClusterError> {
        self.lock().homes.insert(user, region.to_owned());
        Ok(())
    }

    pub(crate) async fn home_region(&self, user: i64) -> Result<Option<String>, ClusterError> {
        Ok(self.lock().homes.get(&user).cloned())
    }

    pub(crate) async fn presence(&self, user: i64) -> Result<Option<Presence>, ClusterError> {
        Ok(self
            .lock()
            .presence
            .get(&user)
            .and_then(|e| e.live(Instant::now())))
    }

    pub(crate) async fn online(&self) -> Result<Vec<(i64, Presence)>, ClusterError> {
        let now = Instant::now();
        let mut out: Vec<_> = self
            .lock()
            .presence
            .iter()
            .filter_map(|(u, e)| e.live(now).map(|p| (*u, p)))
            .collect();
        out.sort_by_key(|(u, _)| *u);
        Ok(out)
    }

    pub(crate) async fn count(&self, user: i64, delta: &StatsDelta) -> Result<(), ClusterError> {
        let mut state = self.lock();
        let s = state.stats.entry(user).or_default();
        s.logins += delta.logins;
        s.sessions += delta.sessions;
        s.commands += delta.commands;
        if let Some(t) = delta.login_at {
            s.last_login = t;
        }
        if let Some(t) = delta.seen_at {
            s.last_seen = t;
        }
        Ok(())
    }

    pub(crate) async fn stats(&self, user: i64) -> Result<PlayerStats, ClusterError> {
        Ok(self.lock().stats.get(&user).copied().unwrap_or_default())
    }

    pub(crate) async fn publish(&self, event: &ClusterEvent) -> Result<(), ClusterError> {
        // No receiver is not an error: nobody listens yet.
        let _ = self.events.send(event.clone());
        Ok(())
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ClusterEvent> {
        self.events.subscribe()
    }

    /// In process the channel is never lost: one subscription, forever.
    pub(crate) fn subscriptions(&self) -> tokio::sync::watch::Receiver<u64> {
        tokio::sync::watch::channel(1).1
    }
}
