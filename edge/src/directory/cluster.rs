//! [`ClusterDirectory`]: the connect endpoint's view of the cluster registry. It keeps each
//! region's live edges in a cache a background task reloads every `refresh`, so answers do not
//! wait on Redis; a region asked for the first time is loaded then (one short lookup). It
//! hands out the least-loaded edge that takes sessions (live, not draining, below capacity),
//! and reads players' home regions from the cluster.
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

    fn cached(&self, region: &str) -> Option<Vec<EdgeInfo>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get_mut(region).map(|r| {
            r.idle = 0;
            r.edges.clone()
        })
    }

    async fn edges(&self, region: &str) -> Option<Vec<EdgeInfo>> {
        if let Some(edges) = self.cached(region) {
            return Some(edges);
        }
        let loaded = tokio::time::timeout(LOOKUP_TIMEOUT, self.cluster.edges(region)).await;
        match loaded {
            Ok(Ok(edges)) => {
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                cache.insert(
                    region.to_string(),
                    Region {
                        edges: edges.clone(),
                        idle: 0,
                    },
                );
                Some(edges)
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, region, "edge registry read failed");
                None
            }
            Err(_) => {
                tracing::debug!(region, "edge registry read timed out");
                None
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

/// The edge to hand out among `edges`: taking sessions, not avoided, lowest load, then lowest
/// id (as `Cluster::least_loaded_edge`).
fn least_loaded(
    edges: Vec<EdgeInfo>,
    avoid: Option<&str>,
    excluded: impl Fn(&EdgeInfo) -> bool,
) -> Option<EdgeAddress> {
    edges
        .into_iter()
        .filter(|e| e.accepts() && !excluded(e))
        .map(|e| (e.load(), e.id.clone(), address(&e)))
        .filter(|(_, _, a)| !is_avoided(a, avoid))
        .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, _, a)| a)
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
    }
}

impl EdgeDirectory for ClusterDirectory {
    fn pick<'a>(
        &'a self,
        region: &'a str,
        avoid: Option<&'a str>,
    ) -> Lookup<'a, Option<EdgeAddress>> {
        Box::pin(async move {
            let edges = self.edges(region).await?;
            least_loaded(edges, avoid, |e| self.this_draining(e))
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
                        r.edges = edges;
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
            sessions,
            capacity: 10,
            draining,
        }
    }

    #[test]
    fn the_least_loaded_taking_edge_not_avoided_wins() {
        let edges = vec![edge("a", 5, false), edge("b", 2, false), edge("c", 0, true)];
        let pick = |avoid, excluded: &dyn Fn(&EdgeInfo) -> bool| {
            least_loaded(edges.clone(), avoid, excluded).map(|a| a.udp_addr)
        };
        assert_eq!(pick(None, &|_| false), Some("b:2".into()));
        assert_eq!(pick(Some("b:2"), &|_| false), Some("a:2".into()));
        assert_eq!(pick(Some("https://b:1/"), &|_| false), Some("a:2".into()));
        assert_eq!(pick(None, &|e| e.id == "b"), Some("a:2".into()));
        assert_eq!(pick(Some("a:2"), &|e| e.id == "b"), None);
        let full = vec![edge("a", 10, false)];
        assert_eq!(least_loaded(full, None, |_| false), None);
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
