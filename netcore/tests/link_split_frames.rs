//! A frame larger than the frame limit is never sent (LINK.md §6.5): the region splits an
//! `Entities` frame into parts that apply, in order, exactly like the whole, and the edge's
//! mirror ends equal to the region's truth.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use starlane_protocol::{EntityKind, EntityState, Hex};
use std::collections::HashMap;
use std::time::Duration;

#[test]
fn a_huge_reset_frame_is_split_and_applies_like_the_whole() {
    let region = RegionLinkConfig {
        limits: QueueLimits {
            max_frames: 4096,
            max_bytes: 64 << 20,
        },
        ..RegionLinkConfig::default()
    };
    let mut net = Net::with(EdgeLinkConfig::default(), region).up();
    let states: Vec<EntityState> = (0..150_000u32)
        .map(|id| EntityState {
            id,
            kind: EntityKind::Frigate,
            owner: id % 97,
            pos: Hex::new(id as i32 % 1000, -(id as i32 / 1000)),
            health: (id % 500) as u16,
        })
        .collect();
    let whole = EntityFrame {
        tick: 9,
        reset: true,
        appeared: states,
        changed: Vec::new(),
        removed: vec![1_000_000, 1_000_001],
    };
    assert!(RegionToEdge::Entities(whole.clone()).encode().len() > MAX_LINK_FRAME);
    net.region
        .send(RegionToEdge::Entities(whole.clone()))
        .unwrap();
    assert!(net.region.counters().split >= 1);
    net.run(Duration::from_millis(500));
    let mut truth = HashMap::new();
    whole.apply(&mut truth);
    let mut mirror = HashMap::new();
    let mut frames = 0;
    for e in &net.edge_events {
        if let EdgeLinkEvent::Entities(f) = e {
            assert_eq!(f.tick, 9);
            f.apply(&mut mirror);
            frames += 1;
        }
    }
    assert!(frames >= 2, "{frames} frames");
    assert_eq!(mirror, truth);
    assert!(net.edge.is_up(), "no frame exceeded the limit");
}
