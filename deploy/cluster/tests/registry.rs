//! Registry on Redis: records expire with their TTL when the heartbeat stops, deregistration
//! removes them at once, and the least-loaded healthy edge is chosen (not draining, not full).

#![allow(clippy::unwrap_used)]

use crate::common::*;
use starlane_cluster::{Cluster, Record, Registration};
use std::time::Duration;

/// The ids of the live regions, in order.
async fn region_ids(c: &Cluster) -> Vec<String> {
    let regions = c.regions().await.unwrap();
    regions.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn records_expire_without_heartbeat_and_the_least_loaded_edge_is_chosen() {
    let (c, _) = redis_cluster().await;
    let ttl = Duration::from_millis(600);
    c.put_region(&region("r1", "127.0.0.1:4500"), ttl)
        .await
        .unwrap();
    c.put_region(&region("r2", "127.0.0.1:4501"), Duration::from_secs(30))
        .await
        .unwrap();
    let ids = region_ids(&c).await;
    assert_eq!(ids, ["r1", "r2"]);

    // Edges of r1: a busy one, a light one that is draining, a full one, a lighter one.
    c.put_edge(&edge("e-busy", "r1", 80, 100), ttl)
        .await
        .unwrap();
    let mut draining = edge("e-drain", "r1", 1, 100);
    draining.draining = true;
    c.put_edge(&draining, ttl).await.unwrap();
    c.put_edge(&edge("e-full", "r1", 10, 10), ttl)
        .await
        .unwrap();
    c.put_edge(&edge("e-light", "r1", 30, 100), ttl)
        .await
        .unwrap();
    c.put_edge(&edge("e-other", "r2", 0, 100), ttl)
        .await
        .unwrap();
    assert_eq!(c.edges("r1").await.unwrap().len(), 4);
    let best = c.least_loaded_edge("r1").await.unwrap().unwrap();
    assert_eq!(best.id, "e-light");
    assert_eq!(
        best,
        edge("e-light", "r1", 30, 100),
        "the record round-trips"
    );

    // Only e-busy keeps beating: the others expire, e-busy becomes the choice.
    let beat = Registration::spawn(c.clone(), Duration::from_millis(100), ttl, || {
        Record::Edge(edge("e-busy", "r1", 80, 100))
    });
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let left: Vec<String> = c
        .edges("r1")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, ["e-busy"]);
    assert_eq!(
        c.least_loaded_edge("r1").await.unwrap().unwrap().id,
        "e-busy"
    );
    assert!(
        c.region("r1").await.unwrap().is_none(),
        "r1 had no heartbeat"
    );
    let ids = region_ids(&c).await;
    assert_eq!(ids, ["r2"]);
    assert!(
        beat.stats()
            .beats
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 5
    );

    // Deregistration removes the record at once; no edge is left to choose.
    beat.deregister().await.unwrap();
    assert!(c.edges("r1").await.unwrap().is_empty());
    assert!(c.least_loaded_edge("r1").await.unwrap().is_none());
}

#[tokio::test]
async fn watch_region_follows_a_changed_link_address() {
    let (c, _) = redis_cluster().await;
    let mut watch = c.watch_region("r1", Duration::from_millis(50));
    c.put_region(&region("r1", "127.0.0.1:4500"), Duration::from_secs(30))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), watch.wait_for(|r| r.is_some()))
        .await
        .unwrap()
        .unwrap()
        .clone()
        .unwrap();
    assert_eq!(first.link_addr, "127.0.0.1:4500");
    c.put_region(&region("r1", "127.0.0.1:4600"), Duration::from_secs(30))
        .await
        .unwrap();
    let moved = tokio::time::timeout(
        Duration::from_secs(5),
        watch.wait_for(|r| r.as_ref().is_some_and(|r| r.link_addr == "127.0.0.1:4600")),
    )
    .await;
    assert!(moved.is_ok(), "the watch never saw the new address");
}

#[tokio::test]
async fn the_in_process_cluster_follows_the_same_rules() {
    let c = Cluster::in_process();
    let ttl = Duration::from_millis(300);
    c.put_edge(&edge("a", "r", 50, 100), ttl).await.unwrap();
    c.put_edge(&edge("b", "r", 10, 100), Duration::from_secs(30))
        .await
        .unwrap();
    c.put_edge(&edge("c", "r", 5, 100), ttl).await.unwrap();
    assert_eq!(c.least_loaded_edge("r").await.unwrap().unwrap().id, "c");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(c.least_loaded_edge("r").await.unwrap().unwrap().id, "b");
    assert_eq!(c.edges("r").await.unwrap().len(), 1);
    c.remove_edge("r", "b").await.unwrap();
    assert!(c.least_loaded_edge("r").await.unwrap().is_none());
}
