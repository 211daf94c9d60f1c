//! The checks of `Build`, `Train` and `Cancel` (SPEC.md §19.2), in their order, and the rule
//! that a building the sender cannot see reads exactly as one that does not exist.

use crate::common::combat::*;
use crate::common::economy::*;
use starlane_protocol::CommandError::*;
use starlane_protocol::{Command, EntityKind, Hex, ResourceKind};

#[test]
fn economy_checks_run_in_order_and_leak_nothing() {
    let mut sim = economy_arena();
    let c = centre(&sim);
    let station = *buildings(&mut sim, 7).first().expect("a station");
    let foreign = *buildings(&mut sim, 8).first().expect("a station");
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, c);
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c);
    let (_, field) = fields(&mut sim, ResourceKind::Metal)[0];
    let bare = unit_at(&mut sim, 7, EntityKind::Extractor, c.plus(Hex::new(0, -1)));
    let (train_scout, train_frigate) = (
        recipe(&mut sim, "train_scout"),
        recipe(&mut sim, "train_frigate"),
    );
    let mine = recipe(&mut sim, "mine_metal");
    let build = |unit, kind, at| Command::Build { unit, kind, at };
    let train = |building, recipe| Command::Train {
        building,
        recipe,
        repeat: false,
    };
    let commands = [
        build(999, EntityKind::Shipyard, c),
        build(scout, EntityKind::Shipyard, c),
        build(frigate, EntityKind::Scout, c),
        build(frigate, EntityKind::Shipyard, c.plus(Hex::new(3, 0))),
        build(frigate, EntityKind::Extractor, c.plus(Hex::new(1, 0))),
        train(foreign, train_scout),
        train(station, 99),
        train(station, train_frigate),
        train(bare, mine),
        Command::Cancel {
            building: station,
            job: 42,
        },
    ];
    for (seq, command) in commands.into_iter().enumerate() {
        sim.push(order(1, seq as u32, command));
    }
    let frames = sim.step();
    let errors: Vec<_> = answers(&frames, 1).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        errors,
        [
            Err(UnknownUnit),
            Err(WrongProducer),
            Err(UnknownRecipe),
            Err(BadSite),
            Err(BadSite),
            Err(UnknownUnit),
            Err(UnknownRecipe),
            Err(WrongProducer),
            Err(BadSite),
            Err(UnknownJob),
        ]
    );
    // A site on a field, and one the empire cannot pay for (after the per-kind limits of
    // `Build` and `Train` refill).
    for _ in 0..60 {
        sim.step();
    }
    let near = unit_at(&mut sim, 7, EntityKind::Frigate, field);
    sim.push(order(1, 20, build(near, EntityKind::Extractor, field)));
    set_stock(&mut sim, 7, [0, 0, 0]);
    sim.push(order(1, 21, train(station, train_scout)));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [(20, Err(BadSite)), (21, Err(InsufficientResources))]
    );
    // The queue holds at most five jobs.
    for _ in 0..60 {
        sim.step();
    }
    set_stock(&mut sim, 7, [10_000, 0, 0]);
    for seq in 30..36 {
        sim.push(order(1, seq, train(station, train_scout)));
    }
    let frames = sim.step();
    let last = answers(&frames, 1).last().copied();
    assert_eq!(last, Some((35, Err(QueueFull))));
    assert!(
        stock(&mut sim, 8) == [1000, 500, 100],
        "the other empire paid nothing"
    );
}
