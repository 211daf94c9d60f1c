//! Distances to the nearest own unit, as the priority queue sees them: kept up to date for
//! entities that move while the own units stay, and for everything when an own unit moves.

use super::{DISTANCE_REFRESH_TICKS, Mirror, SessionSync};
use crate::bandwidth::BandwidthProfile;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityId, EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

const EMPIRE: u32 = 7;
const OWN: EntityId = 1;
const NEAR: EntityId = 2;
const FAR: EntityId = 3;

fn state(id: EntityId, owner: u32, q: i32) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner,
        pos: Hex::new(q, 0),
        health: 10,
    }
}

fn moved(mirror: &mut Mirror, tick: u32, id: EntityId, q: i32) {
    mirror.apply(&EntityFrame {
        tick,
        changed: vec![EntityChange {
            id,
            pos: Some(Hex::new(q, 0)),
            health: None,
        }],
        ..EntityFrame::default()
    });
}

/// Runs send ticks until the next distance refresh has run.
fn until_refresh(sync: &mut SessionSync, mirror: &Mirror, now: &mut Instant) {
    for _ in 0..DISTANCE_REFRESH_TICKS {
        *now += Duration::from_millis(100);
        sync.poll_transmit(*now, mirror);
    }
}

fn distance(sync: &SessionSync, id: EntityId) -> Option<u32> {
    sync.queue.info(id).map(|i| i.distance_hexes)
}

#[test]
fn distances_follow_moved_entities_and_moved_own_units() {
    let profile = BandwidthProfile::default();
    let mut now = Instant::now();
    let mut sync = SessionSync::new(&profile, EMPIRE, now);
    let mut mirror = Mirror::new();
    mirror.apply(&EntityFrame {
        tick: 1,
        reset: true,
        appeared: vec![state(OWN, EMPIRE, 0), state(NEAR, 9, 5), state(FAR, 9, 9)],
        ..EntityFrame::default()
    });
    let view = ViewChange {
        tick: 1,
        entered: vec![OWN, NEAR, FAR],
        ..ViewChange::default()
    };
    sync.handle_view(now, &view, &mirror);
    until_refresh(&mut sync, &mirror, &mut now);
    assert_eq!(
        (distance(&sync, NEAR), distance(&sync, FAR)),
        (Some(5), Some(9))
    );

    // Own unit still: only the moved entity's distance changes.
    moved(&mut mirror, 2, FAR, 2);
    until_refresh(&mut sync, &mirror, &mut now);
    assert_eq!(
        (distance(&sync, NEAR), distance(&sync, FAR)),
        (Some(5), Some(2))
    );

    // The own unit moves: every distance is measured again.
    moved(&mut mirror, 3, OWN, 6);
    until_refresh(&mut sync, &mirror, &mut now);
    assert_eq!(
        (distance(&sync, NEAR), distance(&sync, FAR)),
        (Some(1), Some(4))
    );
    assert_eq!(distance(&sync, OWN), Some(0));
}
