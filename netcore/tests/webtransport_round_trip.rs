//! WebTransport loopback: the native client pins the self-signed certificate's hash, exchanges
//! reliable frames on its stream and datagrams, then closes with a code the server sees.

use starlane_netcore::transport::{CloseReason, Link, LinkEvent, TransportKind};
use starlane_netcore::webtransport::{
    WtServer, WtServerConfig, connect_native, self_signed_identity,
};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

async fn next(link: &mut Link) -> LinkEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("event in time")
        .expect("link open")
}

async fn next_reliable(link: &mut Link) -> LinkEvent {
    loop {
        match next(link).await {
            LinkEvent::Datagram(_) => continue,
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_and_datagram_round_trip() {
    let (identity, hash) =
        self_signed_identity(&["localhost", "127.0.0.1", "::1"]).expect("valid names");
    let cfg = WtServerConfig {
        bind: "[::]:0".parse().expect("literal"),
        identity,
        queues: starlane_netcore::transport::QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness: starlane_netcore::transport::Liveness::DEFAULT,
    };
    let (server, mut accepted) = WtServer::bind(cfg).expect("bind");
    let url = format!("https://127.0.0.1:{}/", server.local_addr().port());

    let mut client = connect_native(&url, hash)
        .await
        .expect("connect with pinned hash");
    let mut edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("in time")
        .expect("running");
    assert_eq!(edge.transport, TransportKind::WebTransport);

    // Reliable frames both ways, in order, including a large one.
    let big = vec![7u8; 200_000];
    for i in 0..20u8 {
        assert!(
            client
                .sender
                .send_reliable(vec![i; 1 + i as usize])
                .is_queued()
        );
    }
    assert!(client.sender.send_reliable(big.clone()).is_queued());
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

    // Datagrams both ways (retry: datagrams may be lost).
    let mut got = false;
    for _ in 0..20 {
        assert!(client.sender.send_datagram(b"input".to_vec()).is_queued());
        if let Ok(Some(LinkEvent::Datagram(d))) =
            tokio::time::timeout(Duration::from_millis(100), edge.events.recv()).await
        {
            assert_eq!(d, b"input");
            got = true;
            break;
        }
    }
    assert!(got, "client datagram arrived");
    assert!(edge.sender.send_datagram(b"state".to_vec()).is_queued());
    assert_eq!(
        next(&mut client).await,
        LinkEvent::Datagram(b"state".to_vec())
    );

    // An oversized datagram is dropped and counted, the link lives on.
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
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    // Close with a code: the server sees it; a reliable message sent just before still arrives.
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
        next(&mut client).await,
        LinkEvent::Closed(CloseReason::Local(9))
    );
    server.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_certificate_hash_is_refused() {
    let (identity, hash) = self_signed_identity(&["localhost"]).expect("valid names");
    let cfg = WtServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        identity,
        queues: starlane_netcore::transport::QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness: starlane_netcore::transport::Liveness::DEFAULT,
    };
    let (server, _accepted) = WtServer::bind(cfg).expect("bind");
    let url = format!("https://127.0.0.1:{}/", server.local_addr().port());
    let mut wrong = hash;
    wrong[0] ^= 1;
    assert!(connect_native(&url, wrong).await.is_err());
    server.shutdown();
}
