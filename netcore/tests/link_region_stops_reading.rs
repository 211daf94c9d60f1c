//! A region that stops reading one edge's link (LINK.md §8): the stream's window fills, then
//! the edge's queue. From three quarters of its bound the edge refuses commands, when full it
//! refuses joins, and leaves are deferred, never lost; the queue never exceeds its bound.
//! When the region reads again, everything queued arrives in order, deferred leaves last.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use std::time::Duration;

const FRAMES: usize = 64;
const BYTES: usize = 64 * 1024;

#[test]
fn the_edge_refuses_then_defers_and_stays_bounded() {
    let edge = EdgeLinkConfig {
        limits: QueueLimits {
            max_frames: FRAMES,
            max_bytes: BYTES,
        },
        ..EdgeLinkConfig::default()
    };
    let mut net = Net::with(edge, RegionLinkConfig::default()).up();
    for s in 1..=4 {
        net.edge.join(s, player(s as i64)).unwrap();
    }
    net.run(Duration::from_millis(50));
    net.to_region.reading = false;

    let (mut accepted, mut refused, mut peak) = (0u32, 0u32, 0usize);
    for seq in 0..100_000u32 {
        match net.edge.command(command(1 + u64::from(seq % 4), seq)) {
            Ok(()) => accepted += 1,
            Err(EdgeSendError::Full) => refused += 1,
            Err(e) => panic!("{e}"),
        }
        if seq % 16 == 0 {
            net.step();
        }
        let (frames, bytes, _) = net.edge.queued();
        assert!(
            frames <= FRAMES && bytes <= BYTES,
            "queue {frames} frames {bytes} B"
        );
        peak = peak.max(bytes);
    }
    // What was accepted fits in the stream's window plus the edge's queue: about 17 bytes a
    // command in 256 KiB + 64 KiB of window and chunk, and 48 queued frames.
    assert!(
        accepted < 20_000 && refused > 80_000,
        "accepted {accepted}, refused {refused}"
    );
    assert_eq!(net.edge.flow(), Flow::Congested);
    // Joins still use the last quarter, then are refused.
    let mut joins = 0;
    while net.edge.join(100 + joins, player(100)).is_ok() {
        joins += 1;
    }
    assert!(joins > 0 && joins <= (FRAMES / 4) as u64, "{joins} joins");
    assert_eq!(net.edge.join(999, player(999)), Err(EdgeSendError::Full));
    // Leaves are deferred, never dropped.
    net.edge.leave(2);
    net.edge.leave(3);
    assert_eq!(net.edge.queued().2, 2);
    assert!(net.to_region.buffered <= WINDOW + 64 * 1024);

    net.to_region.reading = true;
    net.run(Duration::from_secs(1));
    let commands = net
        .region_events
        .iter()
        .filter(|e| matches!(e, RegionLinkEvent::Command(_)))
        .count();
    assert_eq!(
        commands, accepted as usize,
        "every accepted command arrives"
    );
    let tail: Vec<_> = net.region_events.iter().rev().take(2).collect();
    assert_eq!(
        tail,
        [
            &RegionLinkEvent::Leave(Leave { session: 3 }),
            &RegionLinkEvent::Leave(Leave { session: 2 })
        ]
    );
    assert_eq!(net.edge.queued(), (0, 0, 0));
    assert_eq!(net.edge.counters().leaves_deferred, 2);
    println!("accepted {accepted}, refused {refused}, peak queue {peak} B of {BYTES}");
}
