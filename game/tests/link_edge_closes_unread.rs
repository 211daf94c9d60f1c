//! An edge that stops reading its link's events and then closes it: the close completes.
//! The driver hands events on a bounded queue and waits while it is full; closing drops the
//! queue, so a driver waiting on it goes on, sends the close and ends, instead of waiting for
//! a reader that will never come (the capacity bench's fake edge hung this way at the end of
//! a step whose region outran it).

use crate::edge_stand_in::{Edge, config, endpoint};
use starlane_game::{LoadConfig, NpcPattern, Region};
use starlane_protocol::link::CloseCode;
use std::time::Duration;

#[tokio::test]
async fn closing_a_link_whose_event_queue_is_full_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.load = LoadConfig {
        npc_count: 2_000,
        pattern: NpcPattern::Wander,
        ..LoadConfig::default()
    };
    let region = Region::start(cfg).await.expect("region starts");
    // One event may wait unread.
    let mut edge = Edge::connect_with(&region, endpoint(&region), "closing-edge", 1).await;
    edge.join(1, 3001).await;
    // The region sends a frame every tick; none is read for half a second, so the queue is
    // full and the driver waits on it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let code = tokio::time::timeout(Duration::from_secs(10), edge.client.close())
        .await
        .expect("the close completes with the event queue full");
    assert_eq!(code, CloseCode::Normal.code());
    region.shutdown().await.expect("region shuts down");
}
