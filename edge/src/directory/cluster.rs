//! [`ClusterDirectory`]: the connect endpoint's view of the cluster registry. It keeps each
//! region's live edges in a cache a background task reloads every `refresh`, so answers do not
//! wait on Redis; a region asked for the first time is loaded then (one short lookup). It
//! hands out the least-loaded edge that takes sessions (live, not draining, below capacity),
//! and reads players' home regions from the cluster.
//!
//! Registry loads lag by up to a heartbeat, so a burst of requests (a reconnect storm, a
//! region's players all logging in at a cold start) would all get the edge of the lowest id
//! among equally loaded ones. The directory counts the clients it sent to each edge since its
//! record's session count last changed and gives the next one to the edge it sent fewest
//! among the least loaded: equally loaded edges take turns.
//!
//! Redis down: the cache keeps the last edges it loaded (records of edges that died meanwhile
//! included: a client that cannot reach one asks again, naming it as lost), a region never
//! loaded has no edge (503), and a home region cannot be read (the endpoint's region is used).

use super::{EdgeDirectory, Lookup, is_avoided};
use crate::config::EdgeAddress;
use starlane_cluster::{Cluster, EdgeInfo};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Longest a request waits for a region the cache does not hold, or for a home region.
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(500);
/// Regions not asked for in this many refreshes leave the cache.
const IDLE_REFRESHES: u32 = 300;

/// One region's edges as last loaded.
#[derive(Debug, Default)]
struct Region {
    edges: Vec<EdgeInfo>,
    /// Refreshes since a request asked for the region.
    idle: u32,
    /// Clients handed each edge (by id) since the records were loaded.
    handed: HashMap<String, u64>,
}

impl Region {
    /// New records. An edge whose session count changed counts the clients handed to it
    /// before (near enough: they connect within a round trip of their answer, a heartbeat is
    /// seconds), so its turns start again; the others' turns go on.
    fn replace(&mut self, edges: Vec<EdgeInfo>) {
        let old = std::mem::replace(&mut self.edges, edges);
        let edges = &self.edges;
        self.handed.retain(|id, _| {
            let now = edges.iter().find(|e| e.id == *id);
            let before = old.iter().find(|e| e.id == *id);
            matches!((now, before), (Some(n), Some(b)) if n.sessions == b.sessions)
        });
    }
}

/// Edges of any region from the cluster registry, cached and refreshed in the background.
#[derive(Debug)]
pub struct ClusterDirectory {
    cluster: Cluster,
    cache: Arc<Mutex<HashMap<String, Region>>>,
    /// This edge (its registry id) and its drain flag: a draining edge stops handing itself
    /// out at once, before its next heartbeat says so.
    this: Option<(String, Arc<AtomicBool>)>,
    refresher: JoinHandle<()>,
}

impl ClusterDirectory {
    /// A directory over `cluster` that reloads the regions it was asked for every `refresh`.
    pub fn new(cluster: Cluster, refresh: Duration) -> Self {
        let cache: Arc<Mutex<HashMap<String, Region>>> = Arc::default();
        let refresher = tokio::spawn(refresh_loop(cluster.clone(), cache.clone(), refresh));
        Self {
            cluster,
            cache,
            this: None,
            refresher,
        }
    }

    /// Name this edge (`id` in the registry) and its drain flag.
    pub fn with_this(mut self, id: &str, draining: Arc<AtomicBool>) -> Self {
        self.this = Some((id.to_string(), draining));
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Region>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Load `region` into the cache unless it is there; false if it cannot be read.
    async fn load(&self, region: &str) -> bool {
        if let Some(r) = self.lock().get_mut(region) {
            r.idle = 0;
            return true;
        }
        let loaded = tokio::time::timeout(LOOKUP_TIMEOUT, self.cluster.edges(region)).await;
        match loaded {
            Ok(Ok(edges)) => {
                let mut cache = self.lock();
                cache.entry(region.to_string()).or_default().replace(edges);
                true
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, region, "edge registry read failed");
                false
            }
            Err(_) => {
                tracing::debug!(region, "edge registry read timed out");
                false
            }
        }
    }

    /// Whether `edge` is this edge while it drains.
    fn this_draining(&self, edge: &EdgeInfo) -> bool {
        self.this
            .as_ref()
            .is_some_and(|(id, draining)| *id == edge.id && draining.load(Ordering::Relaxed))
    }
}

impl Drop for ClusterDirectory {
    fn drop(&mut self) {
        self.refresher.abort();
    }
}

/// The edge to hand out of `region`: taking sessions, not avoided, lowest load, then fewest
/// handed since its record changed, then lowest id (as `Cluster::least_loaded_edge`).
fn hand_out(
    region: &mut Region,
    avoid: Option<&str>,
    excluded: impl Fn(&EdgeInfo) -> bool,
) -> Option<EdgeAddress> {
    let handed = &region.handed;
    let (id, a) = region
        .edges
        .iter()
        .filter(|e| e.accepts() && !excluded(e))
        .map(|e| {
            let n = handed.get(&e.id).copied().unwrap_or(0);
            (e.load(), n, e.id.clone(), address(e))
        })
        .filter(|(_, _, _, a)| !is_avoided(a, avoid))
        .min_by(|a, b| {
            (a.0.total_cmp(&b.0))
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| a.2.cmp(&b.2))
        })
        .map(|(_, _, id, a)| (id, a))?;
    *region.handed.entry(id).or_default() += 1;
    Some(a)
}

/// What a client needs of a registry entry.
pub fn address(edge: &EdgeInfo) -> EdgeAddress {
    let url = &edge.webtransport_url;
    EdgeAddress {
        webtransport_url: if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        },
        udp_addr: edge.udp_addr.clone(),
        quic_addr: edge.quic_addr.clone(),
        cert_hash: edge.cert_sha256.clone(),
        udp_public_key: edge.udp_public_key.clone(),
        websocket_url: edge.websocket_url.clone(),
    }
}

impl EdgeDirectory for ClusterDirectory {
    fn pick<'a>(
        &'a self,
        region: &'a str,
        avoid: Option<&'a str>,
    ) -> Lookup<'a, Option<EdgeAddress>> {
        Box::pin(async move {
            if !self.load(region).await {
                return None;
            }
            let mut cache = self.lock();
            let r = cache.get_mut(region)?;
            hand_out(r, avoid, |e| self.this_draining(e))
        })
    }

    fn home_region(&self, user: i64) -> Lookup<'_, Option<String>> {
        Box::pin(async move {
            match tokio::time::timeout(LOOKUP_TIMEOUT, self.cluster.home_region(user)).await {
                Ok(Ok(home)) => home,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, user, "home region read failed");
                    None
                }
                Err(_) => None,
            }
        })
    }
}

/// Reload every cached region each `every`; keep the last edges of a region whose read fails;
/// forget regions nobody asked for in a while.
async fn refresh_loop(
    cluster: Cluster,
    cache: Arc<Mutex<HashMap<String, Region>>>,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let regions: Vec<String> = {
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.retain(|_, r| {
                r.idle += 1;
                r.idle <= IDLE_REFRESHES
            });
            cache.keys().cloned().collect()
        };
        for region in regions {
            match cluster.edges(&region).await {
                Ok(edges) => {
                    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(r) = cache.get_mut(&region) {
                        r.replace(edges);
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, region, "edge registry refresh failed");
                    // Redis is down: do not wait a timeout per region.
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(id: &str, sessions: u64, draining: bool) -> EdgeInfo {
        EdgeInfo {
            id: id.into(),
            region: "r".into(),
            webtransport_url: format!("https://{id}:1"),
            udp_addr: format!("{id}:2"),
            quic_addr: format!("{id}:3"),
            cert_sha256: "ab".into(),
            udp_public_key: "cd".into(),
            websocket_url: format!("wss://{id}:4/"),
            sessions,
            capacity: 10,
            draining,
        }
    }

    fn region(edges: Vec<EdgeInfo>) -> Region {
        let mut r = Region::default();
        r.replace(edges);
        r
    }

    #[test]
    fn the_least_loaded_taking_edge_not_avoided_wins() {
        let edges = vec![edge("a", 5, false), edge("b", 2, false), edge("c", 0, true)];
        let pick = |avoid, excluded: &dyn Fn(&EdgeInfo) -> bool| {
            hand_out(&mut region(edges.clone()), avoid, excluded).map(|a| a.udp_addr)
        };
        assert_eq!(pick(None, &|_| false), Some("b:2".into()));
        assert_eq!(pick(Some("b:2"), &|_| false), Some("a:2".into()));
        assert_eq!(pick(Some("https://b:1/"), &|_| false), Some("a:2".into()));
        assert_eq!(pick(None, &|e| e.id == "b"), Some("a:2".into()));
        assert_eq!(pick(Some("a:2"), &|e| e.id == "b"), None);
        let mut full = region(vec![edge("a", 10, false)]);
        assert_eq!(hand_out(&mut full, None, |_| false), None);
    }

    #[test]
    fn equally_loaded_edges_take_turns_until_their_records_change() {
        let mut r = region(vec![edge("a", 0, false), edge("b", 0, false)]);
        let picks = |r: &mut Region, n| -> Vec<String> {
            (0..n)
                .filter_map(|_| hand_out(r, None, |_| false))
                .map(|a| a.udp_addr)
                .collect()
        };
        assert_eq!(picks(&mut r, 5), ["a:2", "b:2", "a:2", "b:2", "a:2"]);
        // A refresh where nothing changed: the turns go on (b is owed one).
        r.replace(vec![edge("a", 0, false), edge("b", 0, false)]);
        assert_eq!(picks(&mut r, 2), ["b:2", "a:2"]);
        // A lower load wins whatever was handed out.
        r.replace(vec![edge("a", 3, false), edge("b", 2, false)]);
        assert_eq!(picks(&mut r, 3), ["b:2", "b:2", "b:2"]);
        // Both records changed: the turns start again.
        r.replace(vec![edge("a", 4, false), edge("b", 4, false)]);
        assert_eq!(picks(&mut r, 2), ["a:2", "b:2"]);
    }

    #[test]
    fn registry_entries_map_to_addresses() {
        let a = address(&edge("a", 0, false));
        assert_eq!(a.webtransport_url, "https://a:1/");
        assert_eq!(a.cert_hash, "ab");
        assert_eq!(a.udp_public_key, "cd");
        assert_eq!((a.udp_addr.as_str(), a.quic_addr.as_str()), ("a:2", "a:3"));
    }
}
