//! One region and two edges, in simulated time. The region stops reading edge A's link (its
//! driver for A stops reading, as when A's events are not taken): the stream's window fills,
//! then edge A's own queue. The region still reads edge B and still sends to both. Edge A's
//! queue never holds more than its bound (its high-water mark says so): from three quarters
//! of it A's commands are refused (`EdgeSendError::Full`) while its link stays up. Every
//! command of edge B reaches the region, in order, and both edges receive every tick's entity
//! frame. When the region reads A again, A's accepted commands arrive and A's queue drains.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use std::time::Duration;

const FRAMES: usize = 4096;
const BYTES: usize = 64 * 1024;
const TICKS: u32 = 600;
/// Commands each session sends per tick.
const PER_TICK: u32 = 50;
const A: [SessionId; 2] = [1, 2];
const B: [SessionId; 2] = [3, 4];

fn entity_ticks(net: &Net) -> Vec<u32> {
    net.edge_events
        .iter()
        .filter_map(|e| match e {
            EdgeLinkEvent::Entities(f) => Some(f.tick),
            _ => None,
        })
        .collect()
}

fn commands_of(net: &Net, session: SessionId) -> Vec<u32> {
    net.region_events
        .iter()
        .filter_map(|e| match e {
            RegionLinkEvent::Command(c) if c.session == session => Some(c.seq),
            _ => None,
        })
        .collect()
}

#[test]
fn the_region_stops_reading_one_edge_and_the_other_is_unharmed() {
    let edge = |id: &str| EdgeLinkConfig {
        edge_id: id.into(),
        limits: QueueLimits {
            max_frames: FRAMES,
            max_bytes: BYTES,
        },
        ..EdgeLinkConfig::default()
    };
    let mut a = Net::with(edge("edge-a"), RegionLinkConfig::default()).up();
    let mut b = Net::with(edge("edge-b"), RegionLinkConfig::default()).up();
    a.open_sessions(&A);
    b.open_sessions(&B);
    a.to_region.reading = false;

    let (mut accepted, mut refused) = (0u32, 0u32);
    let mut seq = 0u32;
    for tick in 1..=TICKS {
        for _ in 0..PER_TICK {
            for s in A {
                match a.edge.command(command(s, seq)) {
                    Ok(()) => accepted += 1,
                    Err(EdgeSendError::Full) => refused += 1,
                    Err(e) => panic!("{e}"),
                }
            }
            for s in B {
                b.edge.command(command(s, seq)).unwrap();
            }
            seq += 1;
        }
        for net in [&mut a, &mut b] {
            let frame = EntityFrame {
                tick,
                ..EntityFrame::default()
            };
            net.region.send(RegionToEdge::Entities(frame)).unwrap();
        }
        let (frames, bytes, _) = a.edge.queued();
        assert!(
            frames <= FRAMES && bytes <= BYTES,
            "A queued {frames} {bytes} B"
        );
        assert_eq!(b.edge.flow(), Flow::Open, "edge B congested at {tick}");
        a.step();
        b.step();
    }
    a.run(LATENCY * 4);
    b.run(LATENCY * 4);

    // A: refused from three quarters of its bound, never over it, still up.
    assert!(refused > 0 && accepted > 0, "{accepted} {refused}");
    assert_eq!(a.edge.flow(), Flow::Congested);
    assert!(a.edge.is_up());
    let c = a.edge.counters();
    assert!(
        c.queued_bytes_peak <= BYTES as u64 && c.queued_bytes_peak >= (BYTES - BYTES / 4) as u64,
        "A's queue held at most {} bytes",
        c.queued_bytes_peak
    );
    assert!(c.queued_frames_peak <= FRAMES as u64);
    assert_eq!(c.refused, u64::from(refused));

    // B: every command arrived, in order; both edges received every tick.
    let sent: Vec<u32> = (0..seq).collect();
    for s in B {
        assert_eq!(commands_of(&b, s), sent, "commands of session {s}");
    }
    let ticks: Vec<u32> = (1..=TICKS).collect();
    assert_eq!(entity_ticks(&a), ticks, "edge A still receives");
    assert_eq!(entity_ticks(&b), ticks, "edge B receives");

    // The region reads A again: A's accepted commands arrive, its queue drains.
    a.to_region.reading = true;
    a.run(Duration::from_secs(2));
    let arrived: usize = A.iter().map(|&s| commands_of(&a, s).len()).sum();
    assert_eq!(arrived, accepted as usize);
    assert_eq!(a.edge.queued(), (0, 0, 0));
    assert_eq!(a.edge.flow(), Flow::Open);
    println!(
        "A: {accepted} commands accepted, {refused} refused, queue peak {} B of {BYTES}; \
         B: all {} commands",
        c.queued_bytes_peak,
        seq as usize * B.len()
    );
}
