//! A peer announcing a reliable frame over the 1 MiB limit is closed with the protocol
//! violation code, the edge's link reports a transport close, and the server counts it.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::frame::MAX_FRAME;
use starlane_netcore::quic::{PROTOCOL_VIOLATION, QuicTrust, client_config};
use starlane_netcore::transport::{CloseReason, LinkEvent};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_over_the_limit_closes_the_connection() {
    let (server, mut accepted, hash) = server("127.0.0.1:0", Duration::from_secs(10));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let config = client_config(&QuicTrust::PinnedSha256(hash)).unwrap();
    let conn = endpoint
        .connect_with(config, server.local_addr(), "localhost")
        .unwrap()
        .await
        .expect("handshake with the pinned certificate");
    let (mut send, _recv) = conn.open_bi().await.unwrap();

    // One valid frame, then a header announcing one byte more than the limit.
    send.write_all(&3u32.to_le_bytes()).await.unwrap();
    send.write_all(b"ok!").await.unwrap();
    // The server may already have closed the connection when the write completes.
    let _ = send
        .write_all(&((MAX_FRAME + 1) as u32).to_le_bytes())
        .await;

    let mut edge = accept(&mut accepted).await;
    assert_eq!(next(&mut edge).await, LinkEvent::Reliable(b"ok!".to_vec()));
    match next(&mut edge).await {
        LinkEvent::Closed(CloseReason::Transport(why)) => {
            assert!(why.contains(&(MAX_FRAME + 1).to_string()), "{why}")
        }
        other => panic!("expected a transport close, got {other:?}"),
    }

    let err = tokio::time::timeout(WAIT, conn.closed()).await.unwrap();
    match err {
        quinn::ConnectionError::ApplicationClosed(c) => {
            assert_eq!(c.error_code, quinn::VarInt::from(PROTOCOL_VIOLATION))
        }
        other => panic!("expected an application close, got {other:?}"),
    }
    assert_eq!(
        server
            .counters()
            .frames_too_large_in
            .load(Ordering::Relaxed),
        1
    );
    server.shutdown();
}
