//! A full accept queue: while the edge takes no new links, the UDP server holds at most
//! `QueueLimits::accept` of them and refuses further connections with `ACCEPT_QUEUE_FULL`
//! (the client learns the code), counting each; the queued link still works once taken.

#![allow(clippy::unwrap_used)]

use crate::udp_common;
use starlane_netcore::transport::{ACCEPT_QUEUE_FULL, CloseReason, LinkEvent, QueueLimits};
use starlane_netcore::udp::connect;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_accept_queue_are_refused_and_counted() {
    let (server, mut accepted, public) = udp_common::loopback_server(QueueLimits {
        accept: 1,
        ..QueueLimits::DEFAULT
    });
    let addr = server.local_addr();
    let mut first = connect(addr, public, WAIT).await.unwrap();
    let mut refused = Vec::new();
    for _ in 0..2 {
        refused.push(connect(addr, public, WAIT).await.unwrap());
    }
    for link in &mut refused {
        let ev = tokio::time::timeout(WAIT, link.events.recv())
            .await
            .unwrap();
        assert_eq!(
            ev,
            Some(LinkEvent::Closed(CloseReason::Peer(ACCEPT_QUEUE_FULL)))
        );
    }
    assert_eq!(server.stats().accept_refused(), 2);
    assert_eq!(accepted.len(), 1, "the queue holds its bound");

    let mut edge = accepted.recv().await.unwrap();
    assert!(first.sender.send_reliable(b"hi".to_vec()).is_queued());
    let ev = tokio::time::timeout(WAIT, edge.events.recv())
        .await
        .unwrap();
    assert_eq!(ev, Some(LinkEvent::Reliable(b"hi".to_vec())));
    assert!(edge.sender.send_reliable(b"yo".to_vec()).is_queued());
    let ev = tokio::time::timeout(WAIT, first.events.recv())
        .await
        .unwrap();
    assert_eq!(ev, Some(LinkEvent::Reliable(b"yo".to_vec())));
    server.shutdown();
}
