//! The shared UDP driver and an edge that stops reading one link: that link's event queue
//! fills (`QueueLimits::events`) and the driver sheds it with `SLOW_CONSUMER` instead of
//! blocking every client; the client sees that code, the edge's link holds no more than the
//! bound and ends with the close, the server counts the shed, and another client on the same
//! server keeps exchanging messages.

#![allow(clippy::unwrap_used)]

use crate::udp_common;
use starlane_netcore::transport::{
    CloseReason, Link, LinkEvent, QueueLimits, SLOW_CONSUMER, TransportKind,
};
use starlane_netcore::udp::connect;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const EVENTS: usize = 8;

async fn next(link: &mut Link) -> LinkEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("event in time")
        .expect("link open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unread_link_is_shed_and_the_other_client_is_unharmed() {
    let (server, mut accepted, public) = udp_common::loopback_server(QueueLimits {
        events: EVENTS,
        ..QueueLimits::DEFAULT
    });
    let addr = server.local_addr();
    let mut slow = connect(addr, public, WAIT).await.unwrap();
    let mut unread = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .unwrap()
        .unwrap();
    let mut other = connect(addr, public, WAIT).await.unwrap();
    let mut other_edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unread.transport, TransportKind::Udp);

    // The edge never reads `unread`; its client sends far more than the queue holds.
    for i in 0..(EVENTS as u32 * 8) {
        slow.sender.send_reliable(i.to_le_bytes().to_vec());
    }
    let closed = loop {
        if let LinkEvent::Closed(reason) = next(&mut slow).await {
            break reason;
        }
    };
    assert_eq!(closed, CloseReason::Peer(SLOW_CONSUMER));
    assert_eq!(server.stats().shed_events_full(), 1);
    assert_eq!(unread.stats.snapshot().shed_events_full, 1);

    // What the edge's link holds: at most the bound, then the close.
    let mut held = Vec::new();
    while let Ok(ev) = unread.events.try_recv() {
        held.push(ev);
    }
    let data = held.iter().filter(|e| !matches!(e, LinkEvent::Closed(_)));
    assert!(data.count() <= EVENTS, "{} events held", held.len());
    assert_eq!(
        held.last(),
        Some(&LinkEvent::Closed(CloseReason::Local(SLOW_CONSUMER)))
    );

    // The other client is unharmed, both ways.
    for i in 0..20u8 {
        assert!(other.sender.send_reliable(vec![i]).is_queued());
        assert_eq!(next(&mut other_edge).await, LinkEvent::Reliable(vec![i]));
        assert!(other_edge.sender.send_reliable(vec![i, i]).is_queued());
        assert_eq!(next(&mut other).await, LinkEvent::Reliable(vec![i, i]));
    }
    server.shutdown();
}
