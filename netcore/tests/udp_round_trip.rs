//! Handshake and encrypted round trip of reliable messages and datagrams over loopback UDP.

use crate::link_events::{datagrams_both_ways, expect_numbered, reliable_arrives, send_numbered};
use crate::udp_common::loopback_pair;
use starlane_netcore::transport::{Link, TransportKind};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_and_datagrams_round_trip() {
    let (server, mut client, mut edge) = loopback_pair().await;
    assert_eq!(edge.transport, TransportKind::Udp);
    assert_eq!(edge.peer, client_addr_seen_by(&edge));
    // The server timed the handshake it answered: the hello and the init (resends add more).
    let (packets, time) = server.stats().handshake_time();
    assert!(packets >= 2, "{packets} handshake packets");
    assert!(time > Duration::ZERO);

    // Reliable messages arrive exactly once, in order, including ones split into several chunks.
    let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    send_numbered(&client, 50, &big);
    expect_numbered(&mut edge, 50, &big).await;

    // Server to client, both kinds.
    reliable_arrives(&edge, &mut client, b"welcome").await;
    datagrams_both_ways(&mut client, &mut edge).await;

    // The driver publishes link stats every 100 ms: wait for the first figures.
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let (e, c) = (edge.stats.snapshot(), client.stats.snapshot());
        if e.packets_in > 0 && c.packets_in > 0 && c.rtt.is_some() && e.rtt.is_some() {
            assert!(e.bytes_in >= 50 * 2, "the 51 messages crossed: {e:?}");
            assert!(c.bytes_out >= e.bytes_in, "sent at least what arrived");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no stats: {e:?} {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.drops().total(), 0);
    server.shutdown();
}

fn client_addr_seen_by(link: &Link) -> std::net::SocketAddr {
    assert!(link.peer.ip().is_loopback());
    link.peer
}
