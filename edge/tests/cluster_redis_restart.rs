//! Redis killed under a running edge and restarted: the edge does not crash, keeps taking
//! clients, keeps refusing what its revocation cache holds, reports the outage in its metrics
//! (`starlane_edge_cluster_connected` 0, heartbeat failures), and registers again when Redis
//! is back.

#![allow(clippy::unwrap_used)]

use crate::common::T;
use crate::common::cluster_edge::*;
use starlane_cluster::{Revocation, RevocationKey};
use starlane_edge::auth::unix_now;
use starlane_protocol::RejectReason;
use starlane_testbed::Redis;
use std::time::{Duration, Instant};

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + T + T;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_rides_out_a_redis_restart() {
    // A private server: this test kills it.
    let mut redis = tokio::task::spawn_blocking(|| Redis::start().unwrap())
        .await
        .unwrap();
    let c = TestCluster::on(redis.url());
    let admin = c.admin().await;
    let mut a = c.edge("edge-a").await;
    admin
        .revoke(&Revocation {
            key: RevocationKey::User(13),
            until: unix_now() + 600,
        })
        .await
        .unwrap();
    eventually("the revocation cached", async || {
        !a.edge.cluster().revocation_cache().is_empty()
    })
    .await;
    let m = a.edge.cluster().metrics().clone();
    eventually("connected reported", async || m.connected.get() == 1).await;

    redis.kill();
    eventually("the outage reported", async || {
        m.connected.get() == 0 && m.heartbeat_failures.get() > 0
    })
    .await;
    // Still serving: a valid token plays, the revoked user is refused from the cache.
    let _playing = a.welcomed(&c.issuer.issue_for(12, "ok").unwrap()).await;
    let mut refused = a.hello(&c.issuer.issue_for(13, "gone").unwrap()).await;
    expect_rejected(&mut refused, RejectReason::Revoked).await;

    tokio::task::block_in_place(|| redis.restart().unwrap());
    eventually("reconnected and registered again", async || {
        m.connected.get() == 1 && admin.edges("r1").await.is_ok_and(|e| e.len() == 1)
    })
    .await;
}
