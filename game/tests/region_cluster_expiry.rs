//! Scenario: a region registered in real Redis that stops without a clean shutdown (dropped,
//! as a killed process stops heartbeating) leaves the registry once its TTL (three heartbeats)
//! has passed; `[cluster] region` overrides the registered id and `advertise_link_addr` the
//! registered address.

use crate::cluster::{cluster_config, cluster_of, region_until};
use starlane_game::Region;
use std::time::Duration;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_region_expires_from_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = cluster_config(dir.path(), "store-name");
    config.cluster.region = "reg-west".into();
    config.cluster.advertise_link_addr = "127.0.0.1:4999".into();
    let cluster = cluster_of(&config).await;
    let region = Region::start(config).await.expect("region starts");
    let info = region_until(&cluster, "reg-west", "registered", Option::is_some)
        .await
        .expect("checked");
    assert_eq!(info.link_addr, "127.0.0.1:4999");
    assert_eq!(
        cluster.region("store-name").await.expect("redis read"),
        None
    );

    let dropped = Instant::now();
    drop(region);
    region_until(&cluster, "reg-west", "expired", Option::is_none).await;
    // Not removed: expired, after the last heartbeat's TTL (3 s) at the earliest.
    assert!(
        dropped.elapsed() >= Duration::from_secs(1),
        "gone after {:?}: removed rather than expired",
        dropped.elapsed()
    );
}
