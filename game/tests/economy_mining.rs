//! A frigate builds an extractor next to a metal field: the site is paid, works only once
//! its construction completes, then mines metal on repeat at the field's rate; a cancelled
//! construction refunds and removes its site.

use crate::common::combat::*;
use crate::common::economy::*;
use starlane_game::world::economy::fields::site_free;
use starlane_protocol::economy::JobState;
use starlane_protocol::{Command, CommandError, EntityKind, Hex, ResourceKind};

/// A free hex next to the metal field `field` (not next to any crystal field), for a site.
fn site_next_to(sim: &mut RegionSim, field: Hex) -> Hex {
    let crystal: Vec<Hex> = fields(sim, ResourceKind::Crystal)
        .iter()
        .map(|f| f.1)
        .collect();
    let map = sim.map().clone();
    field
        .neighbors()
        .into_iter()
        .find(|h| {
            map.is_passable(*h)
                && site_free(sim.world_mut(), *h)
                && crystal.iter().all(|c| c.distance(*h) > 1)
        })
        .expect("a free hex next to the field")
}

use starlane_game::world::RegionSim;

#[test]
fn an_extractor_is_built_then_mines_metal_on_repeat() {
    let mut sim = economy_arena();
    let (_, field) = fields(&mut sim, ResourceKind::Metal)[0];
    let site = site_next_to(&mut sim, field);
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, site);
    let build_ticks = recipe_ticks(&mut sim, "build_extractor");

    sim.push(order(
        1,
        1,
        Command::Build {
            unit: frigate,
            kind: EntityKind::Extractor,
            at: site,
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(1, Ok(()))]);
    assert_eq!(stock(&mut sim, 7), [900, 480, 100], "paid at once");
    let extractor = *buildings(&mut sim, 7).last().expect("the site");
    assert_eq!(sim.position_of(extractor), Some(site));
    let mine = recipe(&mut sim, "mine_metal");
    sim.push(order(
        1,
        2,
        Command::Train {
            building: extractor,
            recipe: mine,
            repeat: true,
        },
    ));
    let frames = sim.step();
    assert_eq!(
        answers(&frames, 1),
        [(2, Err(CommandError::UnderConstruction))]
    );

    for _ in 0..build_ticks {
        sim.step();
    }
    sim.push(order(
        1,
        3,
        Command::Train {
            building: extractor,
            recipe: mine,
            repeat: true,
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(3, Ok(()))]);
    let mine_ticks = recipe_ticks(&mut sim, "mine_metal");
    let metal = stock(&mut sim, 7)[1];
    let mut events = Vec::new();
    for _ in 0..2 * mine_ticks {
        events.extend(jobs(&sim.step(), 1));
    }
    // One field next to the site, at 100 % efficiency: 10 metal per job, twice.
    assert_eq!(stock(&mut sim, 7)[1], metal + 20);
    let completed = events
        .iter()
        .filter(|j| j.state == JobState::Completed)
        .count();
    assert_eq!(completed, 2);
    assert!(events.iter().all(|j| j.building == extractor));
}

#[test]
fn a_cancelled_construction_refunds_and_removes_its_site() {
    let mut sim = economy_arena();
    let (_, field) = fields(&mut sim, ResourceKind::Metal)[0];
    let site = site_next_to(&mut sim, field);
    let frigate = unit_at(&mut sim, 7, EntityKind::Frigate, site);
    sim.push(order(
        1,
        1,
        Command::Build {
            unit: frigate,
            kind: EntityKind::Extractor,
            at: site,
        },
    ));
    sim.step();
    let extractor = *buildings(&mut sim, 7).last().expect("the site");
    sim.push(order(
        1,
        2,
        Command::Cancel {
            building: extractor,
            job: 1,
        },
    ));
    let frames = sim.step();
    assert_eq!(answers(&frames, 1), [(2, Ok(()))]);
    assert_eq!(stock(&mut sim, 7), [1000, 500, 100], "refunded");
    assert_eq!(sim.position_of(extractor), None, "the site is gone");
    let states: Vec<_> = jobs(&frames, 1).iter().map(|j| j.state).collect();
    assert_eq!(states, [JobState::Cancelled]);
}
