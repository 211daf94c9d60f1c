//! An attack order, end to end in the region: refused as if the target did not exist while
//! the sender cannot see it; once a scout shows the target, the frigate closes to its weapon
//! range, stands and fires until the target is destroyed; the destroyed unit leaves the world
//! and every view; each empire's combat reports add up to exactly what happened.

use crate::common::combat::*;
use crate::common::views;
use starlane_game::world::AttackOrder;
use starlane_game::world::EntityIndex;
use starlane_protocol::delta::CombatReport;
use starlane_protocol::{Command, CommandError, EntityKind, Hex};

#[test]
fn a_frigate_closes_in_fires_and_destroys_its_target() {
    let mut sim = arena();
    let c = centre(&sim);
    let hunter = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    let prey_at = c.plus(Hex::new(8, 0));
    let prey = unit_at(&mut sim, 8, EntityKind::Scout, prey_at);
    sim.step();

    // Out of empire 7's sight (a frigate sees 4 hexes): the same answer as a made-up id.
    let attack = |seq, target| {
        order(
            1,
            seq,
            Command::Attack {
                unit: hunter,
                target,
            },
        )
    };
    sim.push(attack(1, prey));
    sim.push(attack(2, 999_999));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [
            (1, Err(CommandError::UnknownTarget)),
            (2, Err(CommandError::UnknownTarget))
        ]
    );

    // A scout of empire 7 shows the prey (4 hexes away: out of both scouts' weapon range).
    unit_at(&mut sim, 7, EntityKind::Scout, c.plus(Hex::new(4, 0)));
    sim.step();
    sim.push(attack(3, prey));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(3, Ok(()))]);

    let (mut seen, mut left_1, mut left_2) = (Vec::new(), false, false);
    let mut hp = vec![50u16];
    for _ in 0..600 {
        let frames = sim.step();
        seen.extend(reports(&frames, 1).into_iter().map(|r| (1, r)));
        seen.extend(reports(&frames, 2).into_iter().map(|r| (2, r)));
        left_1 |= views(&frames, 1).iter().any(|v| v.left.contains(&prey));
        left_2 |= views(&frames, 2).iter().any(|v| v.left.contains(&prey));
        match health_of(&mut sim, prey) {
            Some(h) => {
                assert!(h <= *hp.last().unwrap_or(&50), "health only falls");
                if Some(&h) != hp.last() {
                    hp.push(h);
                }
            }
            None => break,
        }
    }
    assert_eq!(health_of(&mut sim, prey), None, "destroyed within 30 s");
    assert!(hp.len() >= 3, "it took several shots: {hp:?}");
    // The hunter stood at exactly its weapon range (3) and stopped there.
    let at = sim.position_of(hunter).expect("the hunter lives");
    assert_eq!(at.distance(prey_at), 3, "{at:?}");
    assert!(left_1 && left_2, "the destroyed unit left both views");
    assert!(
        !sim.world_mut()
            .resource::<EntityIndex>()
            .by_id
            .contains_key(&prey)
    );

    // The order ends with its target; the unit stands.
    sim.step();
    let entity = sim.world_mut().resource::<EntityIndex>().by_id[&hunter];
    assert!(sim.world_mut().get::<AttackOrder>(entity).is_none());
    assert_eq!(sim.position_of(hunter), Some(at));

    // Reports: one per second with combat, each empire's own figures, summing to the truth.
    for _ in 0..40 {
        let frames = sim.step();
        seen.extend(reports(&frames, 1).into_iter().map(|r| (1, r)));
        seen.extend(reports(&frames, 2).into_iter().map(|r| (2, r)));
    }
    let of = |s| {
        seen.iter()
            .filter(|(x, _)| *x == s)
            .map(|(_, r)| *r)
            .collect::<Vec<_>>()
    };
    let (r7, r8) = (sum(&of(1)), sum(&of(2)));
    assert_eq!(
        r7,
        CombatReport {
            dealt: 50,
            taken: 0,
            kills: 1,
            losses: 0
        }
    );
    assert_eq!(
        r8,
        CombatReport {
            dealt: 0,
            taken: 50,
            kills: 0,
            losses: 1
        }
    );
    assert_eq!(ledger_total(&mut sim, 7), r7);
    assert_eq!(ledger_total(&mut sim, 8), r8);
    assert!(of(1).len() >= 2, "spread over several seconds: {:?}", of(1));
}
