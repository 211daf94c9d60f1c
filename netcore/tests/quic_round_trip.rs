//! QUIC loopback round trip: a client pinning the server certificate's hash reaches a
//! dual-stack server over IPv4 and IPv6, exchanges reliable frames (in order, large ones
//! included) and datagrams both ways, an oversized datagram is dropped and counted without
//! harming the link, stats are filled from quinn, and a close code travels each way with the
//! reliable messages sent just before it.

#![allow(clippy::unwrap_used)]

use crate::link_events::{
    close_after_last_words, datagrams_both_ways, numbered_then_welcome,
    oversized_datagram_is_dropped, send_numbered,
};
use crate::quic_common::*;
use starlane_netcore::quic::connect_pinned;
use starlane_netcore::transport::{CloseReason, LinkEvent, TransportKind};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_datagrams_stats_and_close_codes_both_ways() {
    let (server, mut accepted, hash) = server("[::]:0", Duration::from_secs(10));

    // Client 1 over IPv4 to the dual-stack socket; it closes with code 9.
    let mut client = connect_pinned(loopback(&server, false), hash, WAIT)
        .await
        .expect("connect with the pinned hash");
    assert_eq!(client.transport, TransportKind::Quic);
    let big = vec![7u8; 300_000];
    send_numbered(&client, 20, &big);
    let mut edge = accept(&mut accepted).await;
    assert_eq!(edge.transport, TransportKind::Quic);
    numbered_then_welcome(&mut edge, &mut client, 20, &big).await;
    datagrams_both_ways(&mut client, &mut edge).await;

    // Larger than any path allows: dropped and counted, the link carries on.
    let too_large = &server.counters().datagrams_too_large;
    oversized_datagram_is_dropped(&edge, &mut client, too_large).await;

    // Stats come from quinn (sampled every 250 ms).
    tokio::time::sleep(Duration::from_millis(600)).await;
    for link in [&client, &edge] {
        let s = link.stats.snapshot();
        assert!(s.packets_in > 0 && s.packets_out > 0, "{s:?}");
        assert!(s.bytes_in >= 300_000 || s.bytes_out >= 300_000, "{s:?}");
        let rtt = s.rtt.expect("rtt measured");
        assert!(rtt < Duration::from_millis(500), "{s:?}");
        assert!(s.rtt_var.is_some(), "{s:?}");
    }

    close_after_last_words(&mut client, &mut edge, 9).await;

    // Client 2 over IPv6; the server closes with code 7 right after a reliable message.
    let mut client = connect_pinned(loopback(&server, true), hash, WAIT)
        .await
        .expect("connect over ipv6");
    assert!(client.sender.send_reliable(b"hello".to_vec()).is_queued());
    let mut edge = accept(&mut accepted).await;
    assert_eq!(
        next_reliable(&mut edge).await,
        LinkEvent::Reliable(b"hello".to_vec())
    );
    assert!(edge.sender.send_reliable(b"rejected".to_vec()).is_queued());
    edge.sender.close(7);
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Reliable(b"rejected".to_vec())
    );
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Closed(CloseReason::Peer(7))
    );
    assert_eq!(
        next_reliable(&mut edge).await,
        LinkEvent::Closed(CloseReason::Local(7))
    );
    assert_eq!(server.counters().connections.load(Ordering::Relaxed), 2);
    // Every client proved its address with a stateless retry first.
    assert_eq!(server.counters().retries.load(Ordering::Relaxed), 2);
    server.shutdown();
}
