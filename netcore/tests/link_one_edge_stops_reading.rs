//! One region and two edges, each on its own link (a region link core per edge connection),
//! in simulated time. Edge A stops reading its link; edge B keeps reading. Every tick the
//! region does what its sync does: an entity frame on each link that is not congested, and a
//! client frame for each session on every open link. The region's queue for A fills: from
//! three quarters of its bound A's link is congested (its entity frames are held back, to be
//! caught up from the delta log), then a frame overflows the bound and A alone is shed, closed
//! `Slow` (LINK.md §8). What the region holds for A never exceeds `max_bytes` plus one frame
//! in its queue (the link's high-water mark says so) and the stream's window in flight.
//! B's link is never congested, and edge B receives every tick's entity frame and every client
//! frame of its sessions, in order, before and after A's shed.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;

const FRAMES: usize = 10_000;
const BYTES: usize = 256 * 1024;
const TICKS: u32 = 4_000;
const A: [SessionId; 2] = [1, 2];
const B: [SessionId; 2] = [3, 4];

fn ack(session: SessionId, tick: u32) -> RegionToEdge {
    RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::CommandAck { seq: tick }],
    })
}

/// The ticks of the entity frames and of `session`'s client frames edge `net` received.
fn received(net: &Net, session: SessionId) -> (Vec<u32>, Vec<u32>) {
    let mut frames = Vec::new();
    let mut acks = Vec::new();
    for e in &net.edge_events {
        match e {
            EdgeLinkEvent::Entities(f) => frames.push(f.tick),
            EdgeLinkEvent::ToClient(t) if t.session == session => {
                for m in &t.msgs {
                    if let LinkServerMsg::CommandAck { seq } = m {
                        acks.push(*seq);
                    }
                }
            }
            _ => {}
        }
    }
    (frames, acks)
}

#[test]
fn the_region_sheds_the_edge_that_stops_reading_and_the_other_keeps_every_frame() {
    let region = RegionLinkConfig {
        limits: QueueLimits {
            max_frames: FRAMES,
            max_bytes: BYTES,
        },
        ..RegionLinkConfig::default()
    };
    let edge = |id: &str| EdgeLinkConfig {
        edge_id: id.into(),
        ..EdgeLinkConfig::default()
    };
    let mut a = Net::with(edge("edge-a"), region.clone()).up();
    let mut b = Net::with(edge("edge-b"), region).up();
    a.open_sessions(&A);
    b.open_sessions(&B);
    a.to_edge.reading = false;

    let (mut congested_at, mut shed_at, mut held_back) = (None, None, 0u32);
    for tick in 1..=TICKS {
        // Edge A: entity frames while open, held back while congested.
        match a.region.flow() {
            Flow::Open => a.region.send(entities(tick)).unwrap(),
            Flow::Congested => {
                congested_at.get_or_insert(tick);
                held_back += 1;
            }
            Flow::Closed => {}
        }
        for s in A {
            match a.region.send(ack(s, tick)) {
                Ok(()) | Err(RegionSendError::Closed) => {}
                Err(RegionSendError::Shed) => assert!(shed_at.replace(tick).is_none()),
                Err(e) => panic!("{e}"),
            }
        }
        // Edge B: everything, always.
        assert_eq!(b.region.flow(), Flow::Open, "edge B congested at {tick}");
        b.region.send(entities(tick)).unwrap();
        for s in B {
            b.region.send(ack(s, tick)).unwrap();
        }
        let (_, bytes) = a.region.queued();
        assert!(
            bytes <= BYTES + MAX_LINK_FRAME,
            "{bytes} bytes queued for A"
        );
        assert!(a.to_edge.buffered <= WINDOW + 64 * 1024, "in flight to A");
        a.step();
        b.step();
    }
    b.run(LATENCY * 4);

    // A: congested, then shed alone with `Slow`, under its cap.
    let congested_at = congested_at.expect("A's link became congested");
    let shed_at = shed_at.expect("A's link was shed");
    assert!(congested_at < shed_at && held_back > 0);
    assert_eq!(a.region.close_code(), Some(CloseCode::Slow.code()));
    assert!(matches!(
        a.region_events.last(),
        Some(RegionLinkEvent::Closed(c)) if !c.by_peer && c.label() == "slow"
    ));
    let peak = a.region.counters().queued_bytes_peak as usize;
    assert!(
        peak > BYTES && peak <= BYTES + MAX_LINK_FRAME,
        "the queue for A held at most {peak} bytes"
    );

    // B: every tick's entity frame and every client frame, in order; its queue stayed small.
    let ticks: Vec<u32> = (1..=TICKS).collect();
    for s in B {
        let (frames, acks) = received(&b, s);
        assert_eq!(frames, ticks, "entity frames of edge B");
        assert_eq!(acks, ticks, "client frames of session {s}");
    }
    assert!(b.region.counters().queued_bytes_peak < (BYTES / 4) as u64);
    assert!(b.edge.is_up() && !b.region.is_closed());
    println!(
        "A congested at tick {congested_at}, shed at {shed_at}, {held_back} frames held back, \
         queue peak {peak} B of {BYTES}; B received all {TICKS} ticks"
    );
}
