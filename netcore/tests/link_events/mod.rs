//! Reading and exchanging link events with a deadline, the same over every real transport
//! (UDP, QUIC, WebTransport): what the round-trip scenarios check on each.

#![allow(dead_code)]

use starlane_netcore::transport::{CloseReason, Link, LinkEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

/// How long one event may take.
pub const WAIT: Duration = Duration::from_secs(5);

/// The next link the server hands over.
pub async fn accept(accepted: &mut Receiver<Link>) -> Link {
    tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("link in time")
        .expect("server running")
}

/// The next event of `link`.
pub async fn next(link: &mut Link) -> LinkEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("event in time")
        .expect("link open")
}

/// The next event of `link` that is not a datagram (datagrams may be lost; reliable ones may
/// not).
pub async fn next_reliable(link: &mut Link) -> LinkEvent {
    loop {
        match next(link).await {
            LinkEvent::Datagram(_) => continue,
            other => return other,
        }
    }
}

/// Queue `count` reliable messages of growing length (message `i` is `i + 1` bytes of `i`),
/// then `big`.
pub fn send_numbered(from: &Link, count: u8, big: &[u8]) {
    for i in 0..count {
        let message = vec![i; 1 + i as usize];
        assert!(from.sender.send_reliable(message).is_queued());
    }
    assert!(from.sender.send_reliable(big.to_vec()).is_queued());
}

/// Read what [`send_numbered`] sent: each message exactly once, in order.
pub async fn expect_numbered(to: &mut Link, count: u8, big: &[u8]) {
    for i in 0..count {
        let message = vec![i; 1 + i as usize];
        assert_eq!(next_reliable(to).await, LinkEvent::Reliable(message));
    }
    assert_eq!(next_reliable(to).await, LinkEvent::Reliable(big.to_vec()));
}

/// Read what the client sent with [`send_numbered`] at `edge`, then answer "welcome".
pub async fn numbered_then_welcome(edge: &mut Link, client: &mut Link, count: u8, big: &[u8]) {
    expect_numbered(edge, count, big).await;
    reliable_arrives(edge, client, b"welcome").await;
}

/// A datagram each way: "input" from the client, "state" from the edge.
pub async fn datagrams_both_ways(client: &mut Link, edge: &mut Link) {
    datagram_arrives(client, edge, b"input").await;
    datagram_arrives(edge, client, b"state").await;
}

/// Send a reliable `message` from `from` and read it at `to`.
pub async fn reliable_arrives(from: &Link, to: &mut Link, message: &[u8]) {
    assert!(from.sender.send_reliable(message.to_vec()).is_queued());
    assert_eq!(
        next_reliable(to).await,
        LinkEvent::Reliable(message.to_vec())
    );
}

/// Send datagrams from `from` until one reaches `to` (datagrams may be lost).
pub async fn datagram_arrives(from: &Link, to: &mut Link, payload: &[u8]) {
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

/// A datagram larger than any path allows, from `from`: dropped and counted in `too_large`
/// (the server's counter), and the link carries on.
pub async fn oversized_datagram_is_dropped(from: &Link, to: &mut Link, too_large: &AtomicU64) {
    assert!(from.sender.send_datagram(vec![0u8; 5000]).is_queued());
    reliable_arrives(from, to, b"after").await;
    assert_eq!(too_large.load(Ordering::Relaxed), 1);
}

/// `closing` sends a last reliable message and closes with `code`: the peer reads the message
/// then the close, and `closing` sees its own close.
pub async fn close_after_last_words(closing: &mut Link, peer: &mut Link, code: u8) {
    assert!(
        closing
            .sender
            .send_reliable(b"last words".to_vec())
            .is_queued()
    );
    closing.sender.close(code);
    assert_eq!(
        next_reliable(peer).await,
        LinkEvent::Reliable(b"last words".to_vec())
    );
    assert_eq!(next(peer).await, LinkEvent::Closed(CloseReason::Peer(code)));
    assert_eq!(
        next_reliable(closing).await,
        LinkEvent::Closed(CloseReason::Local(code))
    );
}
