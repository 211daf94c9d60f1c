//! A region restarted from its snapshot keeps every empire's explored cells and every vision
//! grant (SPEC.md §20.4): a session that joins after the restart is sent its explored cells
//! as fog (or visible), sees through the grants it holds from the first tick, and is greeted
//! with them, without any grant being told as new.

use crate::common::combat::{centre, order, unit_at};
use crate::common::{LINK, join_on, session_msgs, sim_on, teleport, views};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::{RegionSim, TickInput, Vision};
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{Command, EmpireId, EntityKind, Hex, Visibility};

fn config() -> RegionConfig {
    RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    }
}

/// Empire `empire`'s cell states in the region's vision (all shroud if it has none).
fn cells_of(sim: &mut RegionSim, empire: EmpireId) -> Vec<Visibility> {
    let n = sim.map().cell_count();
    sim.world_mut()
        .resource::<Vision>()
        .empire(empire)
        .map_or_else(|| vec![Visibility::Shroud; n], |v| v.cells.clone())
}

#[test]
fn explored_cells_and_grants_survive_a_restart() {
    let mut sim = sim_on(config(), GameMap::generate(9, 1, 0));
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.step();
    // 7's scout explores a line across the centre; 7 shares with 8.
    let c = centre(&sim);
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c);
    let watched = unit_at(&mut sim, 0, EntityKind::Frigate, c.plus(Hex::new(-9, 1)));
    for q in 0..10 {
        teleport(&mut sim, scout, c.plus(Hex::new(-q, 0)));
        sim.step();
    }
    sim.push(order(1, 1, Command::ShareVision { to: 8 }));
    sim.step();
    let explored = cells_of(&mut sim, 7);
    let fog_before = explored.iter().filter(|c| **c == Visibility::Fog).count();
    assert!(fog_before > 20, "the scout left fog behind: {fog_before}");
    let units = sim.persistent_units();
    let record = sim.vision_record();
    assert_eq!(record.grants, [(7, 8)]);

    // A new region process: same map and config, the stored units, then grants and cells.
    let mut again = RegionSim::new(config(), GameMap::generate(9, 1, 0));
    again.load_units(&units);
    assert_eq!(again.load_vision(&record), 0, "no record skipped");
    again.push(TickInput::LinkOpened { link: LINK });
    again.push(join_on(LINK, 1, 7, 0));
    again.push(join_on(LINK, 2, 8, 3));
    let frames = again.step();
    // Nothing explored is forgotten, and the visible cells are those of the units' sight.
    let now = cells_of(&mut again, 7);
    for (i, (was, is)) in explored.iter().zip(&now).enumerate() {
        assert_eq!(
            *was != Visibility::Shroud,
            *is != Visibility::Shroud,
            "cell {i}: {was:?} before, {is:?} after"
        );
    }
    assert_eq!(now, explored, "the same units see the same cells");
    let sent_fog = views(&frames, 1)
        .iter()
        .flat_map(|v| v.vision.iter())
        .filter(|v| v.state == Visibility::Fog)
        .count();
    assert_eq!(sent_fog, fog_before, "the joining session is sent its fog");
    // The grant holds from the first tick: 8 sees the frigate 7's scout watches.
    let seen: Vec<_> = views(&frames, 2)
        .into_iter()
        .flat_map(|v| v.entered)
        .collect();
    assert!(seen.contains(&watched) && seen.contains(&scout), "{seen:?}");
    let greeting = |session| -> Vec<SharingEvent> {
        session_msgs(&frames, session)
            .into_iter()
            .filter_map(|m| match m {
                LinkServerMsg::Sharing(s) => Some(s),
                _ => None,
            })
            .collect()
    };
    let grant = |empire, outgoing| SharingEvent {
        empire,
        outgoing,
        active: true,
    };
    assert_eq!(greeting(1), [grant(8, true)]);
    assert_eq!(greeting(2), [grant(7, false)]);
    let stored = again.vision_record();
    assert_eq!(
        (stored.grants, stored.explored),
        (record.grants.clone(), record.explored.clone()),
        "stored as it was taken"
    );

    // A record of another map size is skipped, not misread.
    let mut other = RegionSim::new(config(), GameMap::generate(8, 1, 0));
    assert_eq!(other.load_vision(&record), record.explored.len());
}
