//! Scenario: a region with `[cluster]` on real Redis registers its id, the link address edges
//! dial, its capacity and load; a joining player's home region is recorded; `/metrics` says
//! the cluster is connected; a clean shutdown removes the record at once.

use crate::cluster::{cluster_config, cluster_of, region_until};
use crate::edge_stand_in::{Edge, WAIT};
use crate::ops_http::{get, sample};
use starlane_game::Region;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_registers_records_homes_and_deregisters_on_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = cluster_config(dir.path(), "reg-east");
    let cluster = cluster_of(&config).await;
    let region = Region::start(config).await.expect("region starts");

    let info = region_until(&cluster, "reg-east", "registered", Option::is_some)
        .await
        .expect("checked");
    assert_eq!(info.link_addr, region.link_addr().to_string());
    assert_eq!((info.capacity, info.sessions), (250, 0));

    let mut edge = Edge::connect(&region).await;
    edge.join(1, 4242).await;
    let info = region_until(&cluster, "reg-east", "load after a join", |r| {
        r.as_ref().is_some_and(|r| r.sessions == 1)
    })
    .await
    .expect("checked");
    assert!(info.entities >= 3, "the new empire's units count: {info:?}");

    // The home region comes from the player store (policy first_join: this region).
    let deadline = Instant::now() + WAIT;
    while cluster
        .home_region(4242)
        .await
        .expect("redis read")
        .is_none()
    {
        assert!(Instant::now() < deadline, "home region not recorded");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        cluster
            .home_region(4242)
            .await
            .expect("redis read")
            .as_deref(),
        Some("reg-east")
    );
    let stored = region.store().player(4242).await.expect("store");
    assert_eq!(stored.map(|p| p.home_region).as_deref(), Some("reg-east"));

    let (_, text) = get(region.http_addr(), "/metrics").await.expect("scrape");
    assert_eq!(
        sample(&text, "starlane_region_cluster_connected", ""),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "starlane_region_cluster_heartbeat_failures_total",
            ""
        ),
        Some(0.0)
    );

    drop(edge);
    region.shutdown().await.expect("clean shutdown");
    assert_eq!(
        cluster.region("reg-east").await.expect("redis read"),
        None,
        "removed on shutdown, not left to expire"
    );
}
