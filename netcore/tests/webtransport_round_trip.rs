//! WebTransport loopback: the native client pins the self-signed certificate's hash, exchanges
//! reliable frames on its stream and datagrams, then closes with a code the server sees.

use crate::link_events::{
    accept, close_after_last_words, datagrams_both_ways, numbered_then_welcome,
    oversized_datagram_is_dropped, send_numbered,
};
use starlane_netcore::transport::{QueueLimits, TransportKind};
use starlane_netcore::webtransport::{
    WtServer, WtServerConfig, connect_native, self_signed_identity,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_and_datagram_round_trip() {
    let (identity, hash) =
        self_signed_identity(&["localhost", "127.0.0.1", "::1"]).expect("valid names");
    let cfg = WtServerConfig {
        bind: "[::]:0".parse().expect("literal"),
        identity,
        queues: QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness: starlane_netcore::transport::Liveness::DEFAULT,
    };
    let (server, mut accepted) = WtServer::bind(cfg).expect("bind");
    let url = format!("https://127.0.0.1:{}/", server.local_addr().port());

    let mut client = connect_native(&url, hash)
        .await
        .expect("connect with pinned hash");
    let mut edge = accept(&mut accepted).await;
    assert_eq!(edge.transport, TransportKind::WebTransport);

    // Reliable frames both ways, in order, including a large one.
    let big = vec![7u8; 200_000];
    send_numbered(&client, 20, &big);
    numbered_then_welcome(&mut edge, &mut client, 20, &big).await;

    // Datagrams both ways (retry: datagrams may be lost).
    datagrams_both_ways(&mut client, &mut edge).await;

    // An oversized datagram is dropped and counted, the link lives on.
    let too_large = &server.counters().datagrams_too_large;
    oversized_datagram_is_dropped(&edge, &mut client, too_large).await;

    // Close with a code: the server sees it; a reliable message sent just before still arrives.
    close_after_last_words(&mut client, &mut edge, 9).await;
    server.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_certificate_hash_is_refused() {
    let (identity, hash) = self_signed_identity(&["localhost"]).expect("valid names");
    let cfg = WtServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        identity,
        queues: QueueLimits::DEFAULT,
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
