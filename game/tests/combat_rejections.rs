//! The checks of `Stop` and `Attack` (SPEC.md §18.1), in their order, and the rule that a
//! rejection about something the sender cannot see reads exactly as if it did not exist.
//! `Move` and `Stop` drop an attack order.

use crate::common::combat::*;
use starlane_game::RegionConfig;
use starlane_game::config::{CombatConfig, PerKind};
use starlane_game::world::{AttackOrder, EntityIndex, Path};
use starlane_protocol::{Command, CommandError, EntityId, EntityKind, Hex};

fn attack(seq: u32, unit: EntityId, target: EntityId) -> starlane_game::world::TickInput {
    order(1, seq, Command::Attack { unit, target })
}

fn path_len(sim: &mut starlane_game::world::RegionSim, unit: EntityId) -> usize {
    let entity = sim.world_mut().resource::<EntityIndex>().by_id[&unit];
    sim.world_mut()
        .get::<Path>(entity)
        .map_or(0, |p| p.hexes.len())
}

fn has_order(sim: &mut starlane_game::world::RegionSim, unit: EntityId) -> bool {
    let entity = sim.world_mut().resource::<EntityIndex>().by_id[&unit];
    sim.world_mut().get::<AttackOrder>(entity).is_some()
}

#[test]
fn attack_checks_run_in_order_and_leak_nothing() {
    // Scouts are unarmed here, so `Unarmed` is reachable.
    let mut sim = arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        combat: CombatConfig {
            attack: PerKind {
                scout: 0,
                ..CombatConfig::default().attack
            },
            ..CombatConfig::default()
        },
        ..RegionConfig::default()
    });
    let c = centre(&sim);
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c.plus(Hex::new(0, 1)));
    // Empire 8: one unit in empire 7's sight (4 hexes from the frigate), one far away.
    let near = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(4, 0)));
    let far = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(-12, 0)));
    sim.step();

    sim.push(attack(1, 999_999, near));
    sim.push(attack(2, near, near));
    sim.push(attack(3, far, near));
    sim.push(attack(4, scout, near));
    sim.push(attack(5, frigate, far));
    sim.push(attack(6, frigate, 999_998));
    sim.push(attack(7, frigate, scout));
    sim.push(attack(8, frigate, frigate));
    sim.push(attack(9, frigate, near));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [
            (1, Err(CommandError::UnknownUnit)),
            (2, Err(CommandError::NotYourUnit)),
            // A foreign unit out of sight is refused as a unit that does not exist.
            (3, Err(CommandError::UnknownUnit)),
            (4, Err(CommandError::Unarmed)),
            // A target out of sight is refused as a target that does not exist.
            (5, Err(CommandError::UnknownTarget)),
            (6, Err(CommandError::UnknownTarget)),
            (7, Err(CommandError::InvalidTarget)),
            (8, Err(CommandError::InvalidTarget)),
            (9, Ok(())),
        ]
    );
    assert!(has_order(&mut sim, frigate));
    // Nothing about empire 8 went to empire 7 but the unit it sees.
    assert!(answers(&frames, 2).is_empty());
}

#[test]
fn stop_and_move_drop_the_attack_order() {
    let mut sim = arena();
    let c = centre(&sim);
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    unit_at(&mut sim, 7, EntityKind::Scout, c.plus(Hex::new(3, 0)));
    let target = unit_at(&mut sim, 8, EntityKind::Scout, c.plus(Hex::new(7, 0)));
    sim.step();

    sim.push(attack(1, frigate, target));
    sim.step();
    sim.step();
    assert!(has_order(&mut sim, frigate));
    assert!(path_len(&mut sim, frigate) > 0, "chasing");

    sim.push(order(1, 2, Command::Stop { unit: frigate }));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(2, Ok(()))]);
    assert!(!has_order(&mut sim, frigate));
    assert_eq!(path_len(&mut sim, frigate), 0);
    let stood = sim.position_of(frigate);
    for _ in 0..20 {
        sim.step();
    }
    assert_eq!(sim.position_of(frigate), stood, "a stopped unit stands");

    sim.push(attack(3, frigate, target));
    sim.step();
    assert!(has_order(&mut sim, frigate));
    sim.push(order(
        1,
        4,
        Command::Move {
            unit: frigate,
            to: c.plus(Hex::new(-3, 0)),
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(4, Ok(()))]);
    assert!(
        !has_order(&mut sim, frigate),
        "a move drops the attack order"
    );

    // Stop is checked like any unit command.
    sim.push(order(1, 5, Command::Stop { unit: target }));
    sim.push(order(1, 6, Command::Stop { unit: 999_999 }));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [
            (5, Err(CommandError::NotYourUnit)),
            (6, Err(CommandError::UnknownUnit))
        ]
    );
}
