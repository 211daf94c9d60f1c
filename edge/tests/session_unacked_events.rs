//! A client that stops acknowledging: the region answers its commands, each answer is a
//! reliable event the edge keeps until the client acknowledges it, and past the profile's
//! `max_pending_events` (default 4096) the session is shed with `SLOW_CONSUMER` (249) and
//! counted. A client that acknowledges the same stream of answers is never shed.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::session_harness::*;
use starlane_edge::bandwidth::DEFAULT_MAX_PENDING_EVENTS;
use starlane_netcore::transport::{DriverSide, LinkEvent, Outgoing, SLOW_CONSUMER};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId, ToClient};
use std::time::Duration;

/// Command answers the region sends per `ToClient` frame.
const ANSWERS_PER_FRAME: u32 = 512;

/// The region answers `ANSWERS_PER_FRAME` commands of `session`, numbered from `first`.
fn answer(h: &mut Harness, session: SessionId, first: u32) {
    let msgs = (first..first + ANSWERS_PER_FRAME)
        .map(|seq| LinkServerMsg::CommandAck { seq })
        .collect();
    h.region
        .send(RegionToEdge::ToClient(ToClient { session, msgs }));
}

/// Read what reached the client for `wait`; when `ack`, acknowledge every entity packet.
/// Returns the close code, if the session was closed.
async fn read(d: &mut DriverSide, wait: Duration, ack: bool) -> Option<u8> {
    let until = tokio::time::Instant::now() + wait;
    while let Ok(Some(out)) = tokio::time::timeout_at(until, d.outgoing.recv()).await {
        match out {
            Outgoing::Close(code) => return Some(code),
            Outgoing::Datagram(bytes) if ack => {
                if let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&bytes) {
                    let msg = ClientMsg::Ack {
                        newest: p.seq,
                        mask: 0,
                    };
                    let _ = d.events.try_deliver(LinkEvent::Datagram(msg.encode()));
                }
            }
            _ => {}
        }
    }
    None
}

#[tokio::test]
async fn a_client_that_never_acknowledges_is_shed_at_its_bound() {
    let mut h = harness(Duration::from_secs(10));
    let (mut silent, silent_session) = open_session(&mut h, 1).await;
    let (mut acking, acking_session) = open_session(&mut h, 2).await;

    // Both get the same stream of answers, a little over the bound in all.
    let frames = DEFAULT_MAX_PENDING_EVENTS / ANSWERS_PER_FRAME + 1;
    let mut silent_closed = None;
    for i in 0..frames {
        answer(&mut h, silent_session, i * ANSWERS_PER_FRAME);
        answer(&mut h, acking_session, i * ANSWERS_PER_FRAME);
        // The acking client reads and acknowledges for a while between frames.
        assert_eq!(
            read(&mut acking, Duration::from_millis(300), true).await,
            None
        );
        if let Some(code) = read(&mut silent, Duration::from_millis(1), false).await {
            silent_closed = Some((i, code));
            break;
        }
    }
    let silent_closed = match silent_closed {
        Some(c) => Some(c),
        None => read(&mut silent, Duration::from_secs(2), false)
            .await
            .map(|code| (frames, code)),
    };
    let (at_frame, code) = silent_closed.expect("the silent client is shed");
    assert_eq!(code, SLOW_CONSUMER);
    assert!(
        (at_frame + 1) * ANSWERS_PER_FRAME > DEFAULT_MAX_PENDING_EVENTS,
        "shed after {} answers, before its bound of {DEFAULT_MAX_PENDING_EVENTS}",
        (at_frame + 1) * ANSWERS_PER_FRAME
    );
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_profile_events_overflow_total",
            "broadband"
        ),
        1
    );
    // The acking client took every answer and is still open.
    assert_eq!(
        read(&mut acking, Duration::from_millis(500), true).await,
        None
    );
}
