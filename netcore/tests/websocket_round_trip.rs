//! WebSocket loopback: the native client exchanges reliable messages and datagrams with the
//! server over one TCP connection, then closes with a code the server sees (WEBSOCKET.md).

use crate::link_events::{
    accept, close_after_last_words, datagrams_both_ways, numbered_then_welcome,
    oversized_datagram_is_dropped, send_numbered,
};
use crate::ws_common::server;
use starlane_netcore::transport::TransportKind;
use starlane_netcore::websocket::connect_native;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_and_datagrams_round_trip() {
    let (server, mut accepted, url) = server(None);
    let mut client = connect_native(&url).await.expect("connect");
    let mut edge = accept(&mut accepted).await;
    assert_eq!(edge.transport, TransportKind::WebSocket);
    assert_eq!(client.transport, TransportKind::WebSocket);

    // Reliable messages both ways, in order, up to the largest a channel carries.
    let big = vec![7u8; 65_536];
    send_numbered(&client, 20, &big);
    numbered_then_welcome(&mut edge, &mut client, 20, &big).await;
    datagrams_both_ways(&mut client, &mut edge).await;

    // A datagram over the 1,100-byte limit is dropped and counted; the link carries on.
    let too_large = &server.counters().too_large_out;
    oversized_datagram_is_dropped(&edge, &mut client, too_large).await;

    close_after_last_words(&mut client, &mut edge, 9).await;
    assert_eq!(
        server
            .counters()
            .sessions
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    server.shutdown();
}
