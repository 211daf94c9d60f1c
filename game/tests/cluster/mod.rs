//! A region in a cluster on the shared test Redis, under a key prefix of its own.

#![allow(dead_code)]

use crate::edge_stand_in::{WAIT, config};
use starlane_cluster::{Cluster, RegionInfo};
use starlane_game::RegionConfig;
use starlane_game::config::ClusterSection;
use starlane_testbed::{fresh_prefix, redis_url};
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// A loopback region in `dir` registering as `region_id` under a fresh prefix, heartbeat 1 s.
pub fn cluster_config(dir: &Path, region_id: &str) -> RegionConfig {
    RegionConfig {
        region_id: region_id.into(),
        cluster: ClusterSection {
            redis_url: redis_url(),
            prefix: fresh_prefix(),
            heartbeat_secs: 1,
            capacity: 250,
            ..ClusterSection::default()
        },
        ..config(dir)
    }
}

/// The cluster `config` registers in.
pub async fn cluster_of(config: &RegionConfig) -> Cluster {
    Cluster::connect(&config.cluster.redis_url, &config.cluster.prefix)
        .await
        .expect("test redis")
}

/// Wait (generously) until region `id`'s record satisfies `pred`; returns it.
pub async fn region_until(
    cluster: &Cluster,
    id: &str,
    what: &str,
    mut pred: impl FnMut(&Option<RegionInfo>) -> bool,
) -> Option<RegionInfo> {
    let deadline = Instant::now() + WAIT * 2;
    loop {
        let now = cluster.region(id).await.expect("redis read");
        if pred(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: region record is {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
