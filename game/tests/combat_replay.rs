//! Combat is deterministic for a given seed: the same battle (the same units, the same
//! commands at the same ticks) replayed gives the same state at every tick and the same
//! reports; another seed gives another battle.

use crate::common::combat::*;
use starlane_game::RegionConfig;
use starlane_game::config::CombatConfig;
use starlane_game::world::NEUTRAL_EMPIRE;
use starlane_protocol::delta::CombatReport;
use starlane_protocol::{Command, EntityId, EntityKind, Hex};
use std::collections::BTreeMap;

/// Every unit's position and health at one tick.
type State = BTreeMap<EntityId, (Hex, u16)>;

/// Six frigates and six scouts a side, pirates in the middle; empire 7 orders every frigate
/// at one enemy each, empire 8 lets its units fire on their own. Returns the state after
/// every tick and the reports sent.
fn battle(seed: u64) -> (Vec<State>, Vec<(u64, CombatReport)>) {
    let mut sim = arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        combat: CombatConfig {
            seed,
            ..CombatConfig::default()
        },
        ..RegionConfig::default()
    });
    let c = centre(&sim);
    let mut west = Vec::new();
    let mut east = Vec::new();
    for i in 0..6 {
        let kind = |j| {
            if j % 2 == 0 {
                EntityKind::Frigate
            } else {
                EntityKind::Scout
            }
        };
        west.push(unit_at(&mut sim, 7, kind(i), c.plus(Hex::new(-3, i - 3))));
        east.push(unit_at(&mut sim, 8, kind(i), c.plus(Hex::new(3, i - 3))));
        unit_at(
            &mut sim,
            NEUTRAL_EMPIRE,
            kind(i + 1),
            c.plus(Hex::new(0, i - 3)),
        );
    }
    sim.step();
    for (seq, (unit, target)) in west.iter().zip(east.iter().rev()).enumerate() {
        sim.push(order(
            1,
            seq as u32 + 1,
            Command::Attack {
                unit: *unit,
                target: *target,
            },
        ));
    }
    let mut states = Vec::new();
    let mut sent = Vec::new();
    for _ in 0..400 {
        let frames = sim.step();
        for session in [1, 2] {
            sent.extend(reports(&frames, session).into_iter().map(|r| (session, r)));
        }
        let truth = sim.truth();
        states.push(truth.entities.into_iter().collect());
    }
    (states, sent)
}

#[test]
fn the_same_seed_replays_the_same_battle() {
    let (a, reports_a) = battle(42);
    let (b, reports_b) = battle(42);
    assert_eq!(a.len(), b.len());
    for (tick, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "tick {tick}");
    }
    assert_eq!(reports_a, reports_b);
    // Something happened: units were hurt and destroyed.
    let first = a.first().map_or(0, BTreeMap::len);
    let last = a.last().map_or(0, BTreeMap::len);
    assert!(last < first, "{first} units before, {last} after");
    assert!(reports_a.iter().any(|(_, r)| r.kills > 0));

    // Another seed draws other damage: the battle differs somewhere.
    let (c, _) = battle(43);
    assert!(a.iter().zip(&c).any(|(x, y)| x != y));
}
