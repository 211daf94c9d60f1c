//! Scenario: two edges of region r1 in a cluster on a real Redis. A player without a recorded
//! home region is sent to an edge of the endpoint's own region, the least loaded one; once a
//! region records r2 as the player's home, to r2's edge; an edge that drains stops handing
//! itself out at once (before its next heartbeat says so), and with every edge of the region
//! draining the answer is 503.

#![allow(clippy::unwrap_used)]

use crate::common::cluster_edge::*;
use crate::common::connect_client::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_go_to_their_home_region_and_fall_back_to_the_endpoint_region() {
    let c = TestCluster::new();
    let admin = c.admin().await;
    let mut a = c.edge("edge-a").await;
    let b = c.edge("edge-b").await;
    let addr = |e: &ClusterEdge| format!("127.0.0.1:{}", e.edge.udp_addr().port());
    let (addr_a, addr_b) = (addr(&a), addr(&b));
    let token = c.issuer.issue_for(901, "bea").unwrap();

    // No home region recorded: r1, whose edges hold no session: the lower id.
    answered_until(b.edge.http_addr(), &token, Some(&addr_a)).await;

    // A session on edge-a makes edge-b the least loaded (after a heartbeat).
    let other = c.issuer.issue_for(902, "cy").unwrap();
    let _client = a.welcomed(&other).await;
    answered_until(b.edge.http_addr(), &token, Some(&addr_b)).await;
    answered_until(a.edge.http_addr(), &token, Some(&addr_b)).await;

    // Home region r2 recorded by a region: r2's edge.
    put(
        &admin,
        &fake_edge("e9", "r2", 1, false),
        Duration::from_secs(60),
    )
    .await;
    admin.set_home_region(901, "r2").await.unwrap();
    let (status, body) = post_connect(a.edge.http_addr(), "/connect", &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["udp_addr"].as_str(), body["region"].as_str()),
        (Some("e9.example:4434"), Some("r2"))
    );

    // Back to r1: edge-b drains and is skipped at once by its own endpoint.
    admin.set_home_region(901, "r1").await.unwrap();
    b.edge.set_draining(true);
    let (_, body) = post_connect(b.edge.http_addr(), "/connect", &token).await;
    assert_eq!(body["udp_addr"].as_str(), Some(addr_a.as_str()));
    // Every edge of r1 draining: none.
    a.edge.set_draining(true);
    answered_until(b.edge.http_addr(), &token, None).await;
    answered_until(a.edge.http_addr(), &token, None).await;
}
