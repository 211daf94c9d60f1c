//! QUIC loopback round trip: a client pinning the server certificate's hash reaches a
//! dual-stack server over IPv4 and IPv6, exchanges reliable frames (in order, large ones
//! included) and datagrams both ways, an oversized datagram is dropped and counted without
//! harming the link, stats are filled from quinn, and a close code travels each way with the
//! reliable messages sent just before it.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::quic::connect_pinned;
use starlane_netcore::transport::{CloseReason, Link, LinkEvent, TransportKind};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Send datagrams from `from` until one reaches `to` (datagrams may be lost).
async fn datagram_arrives(from: &Link, to: &mut Link, payload: &[u8]) {
    for _ in 0..20 {
        assert!(from.sender.send_datagram(payload.to_vec()).is_queued());
        if let Ok(Some(ev)) =
            tokio::time::timeout(Duration::from_millis(100), to.events.recv()).await
        {
            assert_eq!(ev, LinkEvent::Datagram(payload.to_vec()));
            return;
        }
    }
    panic!("no datagram arrived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_datagrams_stats_and_close_codes_both_ways() {
    let (server, mut accepted, hash) = server("[::]:0", Duration::from_secs(10));

    // Client 1 over IPv4 to the dual-stack socket; it closes with code 9.
    let mut client = connect_pinned(loopback(&server, false), hash, WAIT)
        .await
        .expect("connect with the pinned hash");
    assert_eq!(client.transport, TransportKind::Quic);
    let big = vec![7u8; 300_000];
    for i in 0..20u8 {
        assert!(
            client
                .sender
                .send_reliable(vec![i; 1 + i as usize])
                .is_queued()
        );
    }
    assert!(client.sender.send_reliable(big.clone()).is_queued());
    let mut edge = accept(&mut accepted).await;
    assert_eq!(edge.transport, TransportKind::Quic);
    for i in 0..20u8 {
        assert_eq!(
            next_reliable(&mut edge).await,
            LinkEvent::Reliable(vec![i; 1 + i as usize])
        );
    }
    assert_eq!(next_reliable(&mut edge).await, LinkEvent::Reliable(big));
    assert!(edge.sender.send_reliable(b"welcome".to_vec()).is_queued());
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Reliable(b"welcome".to_vec())
    );

    datagram_arrives(&client, &mut edge, b"input").await;
    datagram_arrives(&edge, &mut client, b"state").await;

    // Larger than any path allows: dropped and counted, the link carries on.
    assert!(edge.sender.send_datagram(vec![0u8; 5000]).is_queued());
    assert!(edge.sender.send_reliable(b"after".to_vec()).is_queued());
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Reliable(b"after".to_vec())
    );
    assert_eq!(
        server
            .counters()
            .datagrams_too_large
            .load(Ordering::Relaxed),
        1
    );

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

    assert!(
        client
            .sender
            .send_reliable(b"last words".to_vec())
            .is_queued()
    );
    client.sender.close(9);
    assert_eq!(
        next_reliable(&mut edge).await,
        LinkEvent::Reliable(b"last words".to_vec())
    );
    assert_eq!(
        next(&mut edge).await,
        LinkEvent::Closed(CloseReason::Peer(9))
    );
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Closed(CloseReason::Local(9))
    );

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
