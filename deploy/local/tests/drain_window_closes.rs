//! Scenario: a client that does not move when told to keeps its session on the draining edge
//! until the drain window (`[drain] window_secs`, 1 s here) has passed; then the edge is done
//! and, shut down, closes the session with `Reject(ShuttingDown)`.

#![allow(clippy::unwrap_used)]

use crate::common::two_edges;
use starlane_netcore::transport::LinkEvent;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::{MoveReason, PROTOCOL_VERSION, RejectReason};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// The next reliable message on `link`, skipping datagrams.
async fn reliable(link: &mut starlane_netcore::transport::Link) -> ServerMsg {
    loop {
        match tokio::time::timeout(WAIT, link.events.recv())
            .await
            .unwrap()
        {
            Some(LinkEvent::Reliable(b)) => return ServerMsg::decode(&b).unwrap(),
            Some(LinkEvent::Datagram(_)) => {}
            other => panic!("link ended: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_closes_the_edge() {
    let set = two_edges::start(1).await;
    let mut link = starlane_netcore::udp::connect(
        set.b.udp_addr(),
        set.b.udp_public_key(),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let hello = ClientMsg::Hello {
        version: PROTOCOL_VERSION,
        token: set.token("cyd"),
    };
    link.sender.send_reliable(hello.encode());
    assert!(matches!(
        reliable(&mut link).await,
        ServerMsg::Welcome { .. }
    ));
    assert!(matches!(reliable(&mut link).await, ServerMsg::Map(_)));
    assert!(matches!(reliable(&mut link).await, ServerMsg::Catalog(_)));
    assert!(
        matches!(reliable(&mut link).await, ServerMsg::ResumeTicket { ticket } if ticket.len() == 61)
    );

    let started = Instant::now();
    set.b.drain();
    match reliable(&mut link).await {
        ServerMsg::Move {
            reason: MoveReason::Drain,
            connect_url,
            ticket,
        } => {
            assert_eq!(connect_url, format!("http://{}/connect", set.a.http_addr()));
            assert_eq!(ticket.len(), 61);
        }
        other => panic!("expected Move, got {other:?}"),
    }
    // The client stays: the drain ends with the window, not before.
    tokio::time::timeout(WAIT, set.b.drained()).await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(950), "drained after {took:?}");
    assert_eq!(
        set.b
            .metrics()
            .sessions_active
            .with_label_values(&["udp"])
            .get(),
        1
    );

    let b = Arc::try_unwrap(set.b).unwrap();
    b.shutdown().await;
    match reliable(&mut link).await {
        ServerMsg::Reject {
            reason: RejectReason::ShuttingDown,
        } => {}
        other => panic!("expected Reject(ShuttingDown), got {other:?}"),
    }
}
