//! The synthetic update stream: deterministic, RTS-like, and a consistent view for a client.
#![allow(clippy::unwrap_used)]

use starlane_bench::baseline::{CLIENT_EMPIRE, synthetic_stream};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::{EntityId, EntityState, Update, Visibility};
use std::collections::BTreeMap;

/// Apply a stream as a client would, checking each update against the view so far.
fn replay(updates: &[Update]) -> BTreeMap<EntityId, EntityState> {
    let mut view: BTreeMap<EntityId, EntityState> = BTreeMap::new();
    for u in updates {
        for id in &u.disappeared {
            assert!(
                view.remove(id).is_some(),
                "tick {}: unknown {id} gone",
                u.tick
            );
        }
        for c in &u.changed {
            let e = view.get_mut(&c.id).unwrap();
            assert!(c.pos.is_some() || c.health.is_some(), "empty change");
            if let Some(p) = c.pos {
                assert_ne!(p, e.pos, "tick {}: unchanged pos sent", u.tick);
                e.pos = p;
            }
            if let Some(h) = c.health {
                assert_ne!(h, e.health, "tick {}: unchanged health sent", u.tick);
                e.health = h;
            }
        }
        for a in &u.appeared {
            assert!(view.insert(a.id, a.clone()).is_none(), "{} twice", a.id);
        }
    }
    view
}

#[test]
fn same_seed_same_stream_other_seed_other_stream() {
    let a = synthetic_stream(42, 80, 50);
    assert_eq!(a, synthetic_stream(42, 80, 50));
    assert_ne!(a, synthetic_stream(43, 80, 50));
    assert_eq!(a.len(), 51);
    assert!(a.iter().enumerate().all(|(i, u)| u.tick as usize == i));
}

#[test]
fn first_update_shows_every_entity_and_the_visible_hexes() {
    let first = &synthetic_stream(1, 100, 0)[0];
    assert_eq!(first.appeared.len(), 100);
    let own = first
        .appeared
        .iter()
        .filter(|e| e.owner == CLIENT_EMPIRE)
        .count();
    assert_eq!(own, 25);
    assert!(first.vision.len() > 100);
    assert!(first.vision.iter().all(|v| v.state == Visibility::Visible));
    assert!(!first.resources.is_empty());
    assert!(first.changed.is_empty() && first.disappeared.is_empty());
}

#[test]
fn later_ticks_move_hurt_come_and_go_and_shift_vision() {
    let updates = synthetic_stream(9, 100, 200);
    let view = replay(&updates);
    let later = &updates[1..];
    let moves = later
        .iter()
        .flat_map(|u| &u.changed)
        .filter(|c| c.pos.is_some())
        .count();
    let hurts = later
        .iter()
        .flat_map(|u| &u.changed)
        .filter(|c| c.health.is_some())
        .count();
    let appeared: usize = later.iter().map(|u| u.appeared.len()).sum();
    let gone: usize = later.iter().map(|u| u.disappeared.len()).sum();
    let fogged = later
        .iter()
        .flat_map(|u| &u.vision)
        .filter(|v| v.state == Visibility::Fog)
        .count();
    // A quarter of ~90 mobile units move per tick; 3 % are hit.
    assert!(moves > 200 * 10, "moves {moves}");
    assert!(hurts > 200, "hurts {hurts}");
    assert!(appeared > 0 && gone > 0, "appeared {appeared} gone {gone}");
    assert!(fogged > 0);
    // The client's own units are always in view.
    let own = view.values().filter(|e| e.owner == CLIENT_EMPIRE).count();
    assert_eq!(own, 25);
    // Most moves are single steps to a neighbour, so the median update stays small.
    let mut sizes: Vec<usize> = later
        .iter()
        .map(|u| u.appeared.len() + u.changed.len() + u.disappeared.len())
        .collect();
    sizes.sort_unstable();
    assert!(
        sizes[sizes.len() / 2] < 60,
        "median records {}",
        sizes[sizes.len() / 2]
    );
}

#[test]
fn every_update_is_valid_platform_input() {
    for u in synthetic_stream(5, 500, 20) {
        let bytes = ServerMsg::Update(u.clone()).encode();
        assert_eq!(ServerMsg::decode(&bytes).unwrap(), ServerMsg::Update(u));
    }
}

#[test]
fn no_entities_is_an_empty_world() {
    let updates = synthetic_stream(1, 0, 3);
    assert_eq!(updates.len(), 4);
    assert!(
        updates
            .iter()
            .all(|u| u.appeared.is_empty() && u.vision.is_empty())
    );
}
