//! Shared set-up: a cluster on the shared test Redis under a fresh prefix.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_cluster::{Cluster, EdgeInfo, RegionInfo};

/// A cluster on the shared test Redis, under a prefix no other test uses.
pub async fn redis_cluster() -> (Cluster, String) {
    let prefix = starlane_testbed::fresh_prefix();
    let url = starlane_testbed::redis_url();
    let c = Cluster::connect(&url, &prefix).await.unwrap();
    assert!(c.is_connected(), "the test Redis at {url} is not reachable");
    (c, prefix)
}

pub fn edge(id: &str, region: &str, sessions: u64, capacity: u64) -> EdgeInfo {
    EdgeInfo {
        id: id.into(),
        region: region.into(),
        webtransport_url: format!("https://127.0.0.1:4433/{id}"),
        udp_addr: "127.0.0.1:4434".into(),
        quic_addr: "127.0.0.1:4435".into(),
        cert_sha256: "ab".repeat(32),
        udp_public_key: "cd".repeat(32),
        websocket_url: format!("ws://127.0.0.1:4436/{id}"),
        sessions,
        capacity,
        draining: false,
    }
}

pub fn region(id: &str, link_addr: &str) -> RegionInfo {
    RegionInfo {
        id: id.into(),
        link_addr: link_addr.into(),
        capacity: 1000,
        sessions: 0,
        entities: 0,
    }
}
