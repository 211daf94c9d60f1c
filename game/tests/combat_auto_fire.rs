//! Units fire without orders at the best hostile in weapon range: pirates at players, players
//! back; players at each other only once one has attacked (then the victim's empire fires
//! back); units of one empire never at each other; synthetic load units ([load]) neither fire
//! nor are fired at; with `[combat] enabled = false` nothing fires.

use crate::common::combat::*;
use starlane_game::config::CombatConfig;
use starlane_game::world::NEUTRAL_EMPIRE;
use starlane_game::{LoadConfig, RegionConfig};
use starlane_protocol::{EntityKind, Hex};

fn config(enabled: bool) -> RegionConfig {
    RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        combat: CombatConfig {
            enabled,
            ..CombatConfig::default()
        },
        ..RegionConfig::default()
    }
}

#[test]
fn pirates_and_players_exchange_fire_without_orders() {
    let mut sim = arena_with(config(true));
    let c = centre(&sim);
    let pirate = unit_at(&mut sim, NEUTRAL_EMPIRE, EntityKind::Frigate, c);
    let player = unit_at(&mut sim, 7, EntityKind::Frigate, c.plus(Hex::new(2, 0)));
    let mate = unit_at(&mut sim, 7, EntityKind::Frigate, c.plus(Hex::new(3, 0)));
    for _ in 0..100 {
        sim.step();
    }
    let (p, q, m) = (
        health_of(&mut sim, pirate),
        health_of(&mut sim, player),
        health_of(&mut sim, mate),
    );
    assert!(p.is_none_or(|h| h < 120), "the pirate was fired at: {p:?}");
    assert!(q.is_none_or(|h| h < 120), "the player was fired at: {q:?}");
    // Both frigates of empire 7 fire at the pirate (the mate at range 3), never at each
    // other: only the pirate could have hurt them, and it fires at one target a shot.
    let report = ledger_total(&mut sim, 7);
    assert!(report.dealt > 0 && report.taken > 0, "{report:?}");
    assert_eq!(ledger_total(&mut sim, NEUTRAL_EMPIRE).dealt, report.taken);
    assert_eq!(ledger_total(&mut sim, NEUTRAL_EMPIRE).taken, report.dealt);
    assert!(m.is_some());
}

#[test]
fn players_fight_only_once_one_attacks_and_then_both_do() {
    let mut sim = arena_with(config(true));
    let c = centre(&sim);
    let a = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    let b = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(2, 0)));
    let b2 = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(1, 1)));
    for _ in 0..100 {
        sim.step();
    }
    assert_eq!(sim.counters().shots, 0, "neighbours at peace");

    sim.push(order(
        1,
        1,
        starlane_protocol::Command::Attack { unit: a, target: b },
    ));
    for _ in 0..100 {
        sim.step();
    }
    assert!(
        health_of(&mut sim, b).is_none_or(|h| h < 120),
        "the target was hit"
    );
    assert!(
        health_of(&mut sim, a).is_none_or(|h| h < 120),
        "the victim's empire fired back"
    );
    let (r7, r8) = (ledger_total(&mut sim, 7), ledger_total(&mut sim, 8));
    assert_eq!(r7.dealt, r8.taken);
    assert_eq!(r8.dealt, r7.taken);
    assert!(r8.dealt > 0);
    let _ = b2;
}

#[test]
fn load_units_are_not_combatants() {
    let mut cfg = config(true);
    cfg.load = LoadConfig {
        npc_count: 30,
        ..LoadConfig::default()
    };
    let mut sim = arena_with(cfg.clone());
    let c = centre(&sim);
    assert_eq!(sim.spawn_load(&cfg.load), 30);
    // Players' frigates all over the arena, among the wandering load.
    for q in -6..=6 {
        unit_at(&mut sim, 7, EntityKind::Frigate, c.plus(Hex::new(q, 0)));
    }
    for _ in 0..200 {
        sim.step();
    }
    assert_eq!(ledger_total(&mut sim, 7), Default::default());
    assert_eq!(ledger_total(&mut sim, NEUTRAL_EMPIRE), Default::default());
    assert_eq!(sim.counters().shots, 0);
}

#[test]
fn with_combat_off_nothing_fires() {
    let mut sim = arena_with(config(false));
    let c = centre(&sim);
    let pirate = unit_at(&mut sim, NEUTRAL_EMPIRE, EntityKind::Frigate, c);
    let player = unit_at(&mut sim, 7, EntityKind::Frigate, c.plus(Hex::new(1, 0)));
    for _ in 0..100 {
        sim.step();
    }
    assert_eq!(health_of(&mut sim, pirate), Some(120));
    assert_eq!(health_of(&mut sim, player), Some(120));
    assert_eq!(sim.counters().shots, 0);
}
