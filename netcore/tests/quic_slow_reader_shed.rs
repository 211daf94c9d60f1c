//! A QUIC client that stops reading, over real loopback QUIC: its driver stops reading the
//! stream once the link's event queue is full, QUIC flow control stops the server's writes,
//! the server's writer and then the link's outgoing queue fill, and the next reliable message
//! sheds the link (`SendOutcome::Shed`, closed with `SLOW_CONSUMER`). Memory stays bounded:
//! the shed comes after at most the messages the bounded queues and QUIC's windows hold
//! (stated in `BOUND`). Another client of the same server receives every message meanwhile.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::quic::{QuicTrust, connect_pinned, connect_with};
use starlane_netcore::transport::{
    CloseReason, LinkEvent, QueueLimits, SLOW_CONSUMER, SendOutcome,
};
use std::time::Duration;

/// Size of each message.
const MSG: usize = 16 * 1024;
/// The server's outgoing queue per link.
const OUTGOING: usize = 16;
/// The stalled client's event queue.
const EVENTS: usize = 32;
/// Messages the stalled client's side holds before its driver stops reading the stream: its
/// event queue and pending event, and its reader (64 frames). Fewer taken before the shed
/// would mean the shed did not come from the client's stopped reads.
const FLOOR: usize = EVENTS + 1 + 64;
/// Messages that can be in the queues before the shed: [`FLOOR`], the server's writer (256
/// frames and a stalled one), the outgoing queue, about 2.5 MB of QUIC windows (quinn's
/// default stream window of 1.25 MB each way) at `MSG` bytes each, and a margin of 16. The
/// memory cap is this times `MSG`: about 9 MiB.
const BOUND: usize = FLOOR + 256 + 1 + OUTGOING + 2_500_000 / MSG + 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_shed_and_the_other_keeps_receiving() {
    let queues = QueueLimits {
        outgoing: OUTGOING,
        ..QueueLimits::DEFAULT
    };
    let (server, mut accepted, hash) = server_with("127.0.0.1:0", Duration::from_secs(10), queues);
    let addr = loopback(&server, false);
    // Each client says hello first (the server hands over a link when its stream has data).
    let small = QueueLimits {
        events: EVENTS,
        ..QueueLimits::DEFAULT
    };
    let trust = QuicTrust::PinnedSha256(hash);
    let stalled = connect_with(addr, "127.0.0.1", trust, WAIT, small)
        .await
        .unwrap();
    assert!(stalled.sender.send_reliable(b"hello".to_vec()).is_queued());
    let mut to_stalled = accept(&mut accepted).await;
    let mut steady = connect_pinned(addr, hash, WAIT).await.unwrap();
    assert!(steady.sender.send_reliable(b"hello".to_vec()).is_queued());
    let mut to_steady = accept(&mut accepted).await;
    for edge in [&mut to_stalled, &mut to_steady] {
        assert_eq!(next(edge).await, LinkEvent::Reliable(b"hello".to_vec()));
    }
    // The steady client reads everything; the stalled one never reads again.
    let reader = tokio::spawn(async move {
        let mut got = 0usize;
        while let Some(ev) = steady.events.recv().await {
            match ev {
                LinkEvent::Reliable(m) if m.len() == MSG => got += 1,
                LinkEvent::Reliable(m) if m == b"done" => return got,
                other => panic!("unexpected {other:?}"),
            }
        }
        panic!("the steady link closed");
    });

    let mut sent_to_steady = 0;
    let mut accepted_before_shed = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match to_stalled.sender.send_reliable(vec![1; MSG]) {
            SendOutcome::Queued => accepted_before_shed += 1,
            SendOutcome::Shed => break,
            other => panic!("unexpected {other:?}"),
        }
        assert!(to_steady.sender.send_reliable(vec![2; MSG]).is_queued());
        sent_to_steady += 1;
        assert!(
            accepted_before_shed <= BOUND,
            "{accepted_before_shed} messages taken without a shed"
        );
        assert!(tokio::time::Instant::now() < deadline, "no shed in time");
        // Paced: the drivers move each message before the next (a burst faster than the
        // pumps could fill the outgoing queue of a link whose client still reads).
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(
        accepted_before_shed >= FLOOR,
        "shed after {accepted_before_shed}: before the client's queues were full"
    );
    assert_eq!(to_stalled.stats.snapshot().shed_outgoing_full, 1);
    let closed = loop {
        if let LinkEvent::Closed(reason) = next(&mut to_stalled).await {
            break reason;
        }
    };
    assert_eq!(closed, CloseReason::Local(SLOW_CONSUMER));

    assert!(to_steady.sender.send_reliable(b"done".to_vec()).is_queued());
    let got = tokio::time::timeout(Duration::from_secs(20), reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, sent_to_steady, "the steady client received everything");
    drop(stalled);
    server.shutdown();
}
