//! Two AI empires on a fresh map play through the players' command path: they keep their
//! station levying, take a frigate to a metal field and build an extractor that mines, then a
//! shipyard; their commands pass the same checks (few are refused) and their answers never
//! reach an edge link.

use crate::common::combat::order;
use crate::common::economy::{buildings, stock};
use crate::common::{LINK, join_on, sim_on};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::RegionSim;
use starlane_game::world::ai::{AI_EMPIRE_BASE, AI_LINK, AiStats};
use starlane_protocol::link::RegionToEdge;
use starlane_protocol::{Command, EntityKind};

fn region() -> RegionSim {
    let mut config = RegionConfig {
        pirates: 0,
        ..RegionConfig::default()
    };
    config.ai.empires = 2;
    config.validate().expect("valid");
    sim_on(config, GameMap::generate(9, 1, 0))
}

fn kinds_of(sim: &mut RegionSim, empire: u32) -> Vec<EntityKind> {
    sim.units_of(empire).iter().map(|u| u.kind).collect()
}

#[test]
fn ai_empires_gather_and_build_through_the_command_path() {
    let mut sim = region();
    let ai = [AI_EMPIRE_BASE, AI_EMPIRE_BASE + 1];
    for empire in ai {
        assert_eq!(buildings(&mut sim, empire).len(), 1, "a station each");
    }
    sim.push(join_on(LINK, 1, 7, 0));
    let mut to_ai_link = 0;
    // Three minutes of play at 20 Hz.
    for _ in 0..3 * 60 * 20 {
        let frames = sim.step();
        to_ai_link += frames.iter().filter(|(l, _)| *l == AI_LINK).count();
        if let Some(f) = frames
            .iter()
            .find(|(_, f)| matches!(f, RegionToEdge::Close(_)))
        {
            panic!("{f:?}");
        }
    }
    assert_eq!(to_ai_link, 0, "AI answers stay in the region");
    for empire in ai {
        let kinds = kinds_of(&mut sim, empire);
        assert!(
            kinds.contains(&EntityKind::Extractor),
            "{empire}: {kinds:?}"
        );
        assert!(kinds.contains(&EntityKind::Shipyard), "{empire}: {kinds:?}");
        let s = stock(&mut sim, empire);
        assert!(s[1] > 0, "{empire} mined metal: {s:?}");
    }
    let stats = sim.world_mut().resource::<AiStats>().clone();
    assert!(stats.accepted >= 10, "{stats:?}");
    assert!(stats.refused * 4 <= stats.sent, "few refused: {stats:?}");
    assert_eq!(stats.accepted + stats.refused, stats.sent, "{stats:?}");
    // A player cannot order an AI empire's units.
    let station = buildings(&mut sim, ai[0])[0];
    sim.push(order(
        1,
        1,
        Command::Cancel {
            building: station,
            job: 1,
        },
    ));
    let frames = sim.step();
    let answers = crate::common::combat::answers(&frames, 1);
    assert!(matches!(answers[..], [(1, Err(_))]), "{answers:?}");
}
