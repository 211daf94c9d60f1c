//! Presence and player counters on a real Redis: a welcomed session marks its player online
//! at its region and edge, counts the login, the session and its commands; closing the
//! session clears the presence. The edge is registered in its region with its addresses and
//! leaves the registry when it shuts down.

#![allow(clippy::unwrap_used)]

use crate::common::cluster_edge::*;
use crate::common::{T, assert_command_forwarded};
use starlane_cluster::Cluster;
use std::time::{Duration, Instant};

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + T;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_online_while_open_and_counted() {
    let c = TestCluster::new();
    let admin: Cluster = c.admin().await;
    let mut a = c.edge("edge-a").await;

    eventually("the edge registered", async || {
        admin.edges("r1").await.unwrap().len() == 1
    })
    .await;
    let me = admin.least_loaded_edge("r1").await.unwrap().unwrap();
    assert_eq!(me.id, "edge-a");
    assert_eq!(
        me.udp_addr,
        format!("127.0.0.1:{}", a.edge.udp_addr().port())
    );
    assert_eq!(me.cert_sha256, a.edge.cert_hash());
    assert_eq!(me.udp_public_key, hex::encode(a.edge.udp_public_key()));
    assert!(!me.draining);

    let token = c.issuer.issue_for(900, "ada").unwrap();
    let client = a.welcomed(&token).await;
    eventually("the player online", async || {
        admin.presence(900).await.unwrap().is_some()
    })
    .await;
    let p = admin.presence(900).await.unwrap().unwrap();
    assert_eq!((p.region.as_str(), p.edge.as_str()), ("r1", "edge-a"));
    let session = a.edge.metrics().sessions.list()[0].id;
    assert_command_forwarded(&client, &mut a.peer, session).await;

    client.sender.close(0);
    eventually("the player offline", async || {
        admin.presence(900).await.unwrap().is_none()
    })
    .await;
    let stats = admin.stats(900).await.unwrap();
    assert_eq!((stats.logins, stats.sessions, stats.commands), (1, 1, 1));
    assert!(stats.last_login > 0 && stats.last_seen >= stats.last_login);

    a.edge.shutdown().await;
    assert!(admin.edges("r1").await.unwrap().is_empty(), "deregistered");
}
