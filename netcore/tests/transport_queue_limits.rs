//! The bounded queues of a link, without a driver: an outgoing queue that is full drops a
//! datagram (counted) and sheds the link on a reliable message (the driver is told to close
//! at once with `SLOW_CONSUMER`); a full event queue refuses data events but always has room
//! for the close; a close that finds the outgoing queue full closes at once. Nothing is held
//! beyond the stated bounds, and the bytes the outgoing queue holds are counted as they come
//! and go.

#![allow(clippy::unwrap_used)]

use starlane_netcore::transport::{
    LinkEvent, Outgoing, QueueLimits, SLOW_CONSUMER, SendOutcome, TransportKind, link_pair,
};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

fn limits(events: usize, outgoing: usize) -> QueueLimits {
    QueueLimits {
        events,
        outgoing,
        ..QueueLimits::DEFAULT
    }
}

fn peer() -> std::net::SocketAddr {
    "127.0.0.1:9".parse().unwrap()
}

#[tokio::test]
async fn a_full_outgoing_queue_drops_datagrams_then_sheds_on_a_reliable_message() {
    let (link, side) = link_pair(peer(), TransportKind::Udp, limits(8, 4));
    for i in 0..4u8 {
        assert_eq!(link.sender.send_datagram(vec![i]), SendOutcome::Queued);
    }
    assert_eq!(link.sender.send_datagram(vec![9]), SendOutcome::Dropped);
    assert_eq!(link.sender.send_datagram(vec![9]), SendOutcome::Dropped);
    assert_eq!(side.outgoing.len(), 4, "the queue holds its bound, no more");
    assert_eq!(link.stats.snapshot().datagrams_dropped_full, 2);
    assert_eq!(link.stats.snapshot().shed_outgoing_full, 0);

    assert_eq!(link.sender.send_reliable(b"x".to_vec()), SendOutcome::Shed);
    let code = tokio::time::timeout(WAIT, side.aborted()).await.unwrap();
    assert_eq!(code, SLOW_CONSUMER, "the driver is told to close at once");
    assert_eq!(link.stats.snapshot().shed_outgoing_full, 1);
    assert_eq!(side.outgoing.len(), 4);
    // The shed link takes nothing more, and is shed (and counted) once.
    assert_eq!(
        link.sender.send_reliable(b"y".to_vec()),
        SendOutcome::Closed
    );
    assert_eq!(link.sender.send_datagram(vec![9]), SendOutcome::Closed);
    assert_eq!(link.stats.snapshot().shed_outgoing_full, 1);
    assert_eq!(link.stats.snapshot().datagrams_dropped_full, 2);

    drop(side);
    assert_eq!(link.sender.send_datagram(vec![1]), SendOutcome::Closed);
    assert_eq!(link.sender.send_reliable(vec![1]), SendOutcome::Closed);
}

#[tokio::test]
async fn a_close_that_finds_the_queue_full_closes_at_once_with_its_code() {
    let (link, side) = link_pair(peer(), TransportKind::Quic, limits(8, 2));
    assert!(link.sender.send_reliable(vec![1]).is_queued());
    assert!(link.sender.send_reliable(vec![2]).is_queued());
    link.sender.close(7);
    let code = tokio::time::timeout(WAIT, side.aborted()).await.unwrap();
    assert_eq!(code, 7);
    assert_eq!(
        link.stats.snapshot().shed_outgoing_full,
        0,
        "a close is no shed"
    );
}

#[tokio::test]
async fn a_full_event_queue_refuses_data_but_always_takes_the_close() {
    let (mut link, side) = link_pair(peer(), TransportKind::WebTransport, limits(3, 8));
    for i in 0..3u8 {
        assert!(side.offer(LinkEvent::Datagram(vec![i])).is_none());
    }
    let refused = side.offer(LinkEvent::Reliable(vec![7]));
    assert_eq!(refused, Some(LinkEvent::Reliable(vec![7])));
    assert_eq!(link.stats.snapshot().events_full_pauses, 1);
    side.events
        .closed(starlane_netcore::transport::CloseReason::Local(
            SLOW_CONSUMER,
        ));
    let mut got = Vec::new();
    while let Ok(ev) = link.events.try_recv() {
        got.push(ev);
    }
    assert_eq!(got.len(), 4, "three data events and the close: {got:?}");
    assert!(matches!(got.last(), Some(LinkEvent::Closed(_))));
}

#[tokio::test]
async fn a_waiting_driver_delivers_once_the_edge_reads() {
    let (mut link, side) = link_pair(peer(), TransportKind::Quic, limits(1, 8));
    assert!(side.offer(LinkEvent::Datagram(vec![1])).is_none());
    let pending = side.offer(LinkEvent::Datagram(vec![2])).unwrap();
    let reader = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let first = link.events.recv().await;
        let second = link.events.recv().await;
        (first, second)
    });
    assert!(
        tokio::time::timeout(WAIT, side.events.deliver(pending))
            .await
            .unwrap()
    );
    let (first, second) = reader.await.unwrap();
    assert_eq!(first, Some(LinkEvent::Datagram(vec![1])));
    assert_eq!(second, Some(LinkEvent::Datagram(vec![2])));
}

#[tokio::test]
async fn the_bytes_in_the_outgoing_queue_are_counted_as_they_come_and_go() {
    let (link, mut side) = link_pair(peer(), TransportKind::Quic, limits(8, 3));
    let held = |link: &starlane_netcore::transport::Link| {
        let s = link.stats.snapshot();
        (s.outgoing_bytes, s.outgoing_bytes_peak)
    };
    assert!(link.sender.send_datagram(vec![0; 100]).is_queued());
    assert!(link.sender.send_reliable(vec![0; 1000]).is_queued());
    assert_eq!(held(&link), (1100, 1100));
    assert_eq!(link.sender.queued(), 2);
    assert_eq!(
        side.outgoing.recv().await,
        Some(Outgoing::Datagram(vec![0; 100]))
    );
    assert_eq!(held(&link), (1000, 1100), "taken by the driver");
    assert!(link.sender.send_datagram(vec![0; 50]).is_queued());
    assert!(link.sender.send_datagram(vec![0; 500]).is_queued());
    assert_eq!(held(&link), (1550, 1550));
    // A message the full queue refused holds nothing.
    assert_eq!(
        link.sender.send_datagram(vec![0; 9000]),
        SendOutcome::Dropped
    );
    assert_eq!(held(&link), (1550, 1550));
    assert_eq!(link.sender.queued(), 3);
    assert_eq!(link.stats.snapshot().outgoing_messages_peak, 3);
    // The driver went away: what it left is freed with the queue.
    drop(side);
    assert_eq!(held(&link), (0, 1550));
}
