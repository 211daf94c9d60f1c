//! A client pinning another certificate hash than the server's refuses the handshake (and
//! the server hands the edge no link); the right hash connects to the same server.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::quic::{QuicClientError, connect_pinned};
use starlane_netcore::transport::LinkEvent;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pin_is_refused_and_the_right_one_connects() {
    let (server, mut accepted, hash) = server("127.0.0.1:0", Duration::from_secs(10));
    let addr = server.local_addr();

    let mut wrong = hash;
    wrong[31] ^= 0x80;
    match connect_pinned(addr, wrong, WAIT).await {
        Err(QuicClientError::Connect(e)) => {
            let text = e.to_string();
            assert!(
                text.contains("certificate") || text.contains("alert"),
                "{text}"
            )
        }
        Err(other) => panic!("expected a handshake failure, got {other}"),
        Ok(_) => panic!("connected despite a wrong pin"),
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(300), accepted.recv())
            .await
            .is_err(),
        "no link for a refused client"
    );

    let client = connect_pinned(addr, hash, WAIT).await.expect("right pin");
    assert!(client.sender.send_reliable(b"hello".to_vec()).is_queued());
    let mut edge = accept(&mut accepted).await;
    assert_eq!(
        next(&mut edge).await,
        LinkEvent::Reliable(b"hello".to_vec())
    );
    assert_eq!(server.counters().connections.load(Ordering::Relaxed), 1);
    // The refused handshake is counted once the client's alert has been processed.
    let deadline = tokio::time::Instant::now() + WAIT;
    while server.counters().setup_failures.load(Ordering::Relaxed) != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "refusal not counted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.shutdown();
}
