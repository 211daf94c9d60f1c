//! Scenario: a native client connects over QUIC (pinning the certificate hash from
//! connect-info) through the all-in-one server: its hello is welcomed, entity packets arrive
//! as QUIC datagrams and are applied, a move command is acknowledged and the unit is seen
//! arriving, and the link reports QUIC's stats.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::Transport;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_plays_over_quic() {
    let server = start().await;
    let quic_addr = server
        .info
        .quic_addr
        .expect("connect-info advertises quic_addr");
    assert_eq!(quic_addr.port(), server.local.edge().quic_addr().port());
    assert!(
        server.info.cert_hash.is_some(),
        "connect-info has cert_hash"
    );

    // Hello, welcome, and own units from applied entity packets.
    let mut alice = server.join_via("alice", Transport::Quic).await;
    assert!(
        alice.delta_stats().packets > 0,
        "entity packets were applied"
    );
    let edge_quic = server.local.edge().quic_counters();
    assert_eq!(edge_quic.connections.load(Ordering::Relaxed), 1);
    // The map travels on the stream, the entity packets as datagrams: either may come first.
    wait_for_map(&mut alice, Duration::from_secs(10)).await;

    let (unit, from) = alice
        .world
        .my_units()
        .map(|u| (u.id, u.pos))
        .next()
        .unwrap();
    let target = free_hex_near(&alice, from);
    move_and_arrive(&mut alice, unit, target).await;

    // The QUIC driver fills the link stats from quinn (sampled every 250 ms).
    pump(&mut alice, Duration::from_millis(400)).await;
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
