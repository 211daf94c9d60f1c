//! Scenario: a native client connects over WebSocket (`--transport websocket`, the URL from
//! connect-info) through the all-in-one server: its hello is welcomed, entity packets arrive
//! on the datagram channel and are applied, a move command is acknowledged and the unit is
//! seen arriving, and the link measures its round trip from the edge's pings.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::Transport;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_plays_over_websocket() {
    let server = start().await;
    let url = server
        .info
        .websocket_url
        .clone()
        .expect("connect-info advertises websocket_url");
    let ws_port = server.local.edge().websocket_addr().unwrap().port();
    assert_eq!(url, format!("ws://127.0.0.1:{ws_port}/"));

    // Hello, welcome, and own units from applied entity packets.
    let mut alice = server.join_via("alice", Transport::WebSocket).await;
    assert!(
        alice.delta_stats().packets > 0,
        "entity packets were applied"
    );
    let edge_ws = server.local.edge().websocket_counters().unwrap();
    assert_eq!(edge_ws.sessions.load(Ordering::Relaxed), 1);
    // The map travels on the reliable channel, the entity packets on the datagram channel.
    wait_for_map(&mut alice, Duration::from_secs(10)).await;

    let (unit, from) = alice
        .world
        .my_units()
        .map(|u| (u.id, u.pos))
        .next()
        .unwrap();
    let target = free_hex_near(&alice, from);
    move_and_arrive(&mut alice, unit, target).await;

    // The round trip comes from the pings of the client's side (every 500 ms).
    pump(&mut alice, Duration::from_millis(1_200)).await;
    let stats = alice.stats().snapshot();
    assert!(stats.packets_in > 0 && stats.bytes_in > 0, "{stats:?}");
    assert!(stats.packets_out > 0 && stats.bytes_out > 0, "{stats:?}");
    assert!(
        stats.rtt.is_some_and(|r| r < Duration::from_millis(500)),
        "{stats:?}"
    );

    alice.close();
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.local.shutdown().await.unwrap();
}
