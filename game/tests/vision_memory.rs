//! The vision cache's entity snapshots (SPEC.md §20.6): an empire's scout sees another
//! empire's station, shipyard and frigate, then leaves. The empire remembers the two
//! buildings (not the ship), with their kind, owner and hex, and its sessions hear `LastSeen`;
//! a session that joins later is greeted with them, aged. The station, destroyed out of sight,
//! stays remembered (nothing about it leaks) until the scout looks at its hex again: then a
//! `Forget`. The shipyard, a timed kind, is forgotten when its time is up. The owner hears
//! nothing of any of it, and a restart keeps what is remembered.

use crate::common::combat::{centre, unit_at};
use crate::common::{LINK, join_on, session_msgs, sim_on, teleport};
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_game::{RegionConfig, VisionCacheConfig};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::{EntityId, EntityKind, Hex};

fn config() -> RegionConfig {
    RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        economy: crate::common::bare_economy(),
        vision_cache: VisionCacheConfig {
            keep_secs: 3,
            ..VisionCacheConfig::default()
        },
        ..RegionConfig::default()
    }
}

/// The memory messages for `session`: `(id, Some((kind, owner, pos, age)))` for a
/// `LastSeen`, `(id, None)` for a `Forget`.
type Heard = Vec<(EntityId, Option<(EntityKind, u32, Hex, u32)>)>;

fn heard(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Heard {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::LastSeen(s) => Some((s.id, Some((s.kind, s.owner, s.pos, s.age_secs)))),
            LinkServerMsg::Forget { id } => Some((id, None)),
            _ => None,
        })
        .collect()
}

#[test]
fn buildings_are_remembered_as_last_seen_and_forgotten_when_seen_again_or_expired() {
    let mut sim = sim_on(config(), GameMap::generate(9, 1, 0));
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 0));
    sim.step();
    let c = centre(&sim);
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c);
    let (at_station, at_yard) = (c.plus(Hex::new(3, 0)), c.plus(Hex::new(3, 1)));
    let station = unit_at(&mut sim, 8, EntityKind::Station, at_station);
    let yard = unit_at(&mut sim, 8, EntityKind::Shipyard, at_yard);
    let _frigate = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(2, 0)));
    sim.step();

    // The scout leaves: the buildings are remembered, the ship is not.
    teleport(&mut sim, scout, c.plus(Hex::new(-8, 0)));
    let frames = sim.step();
    let remembered: Heard = vec![
        (station, Some((EntityKind::Station, 8, at_station, 0))),
        (yard, Some((EntityKind::Shipyard, 8, at_yard, 0))),
    ];
    assert_eq!(heard(&frames, 1), remembered);
    assert!(heard(&frames, 2).is_empty(), "the owner hears nothing");

    // Destroyed out of sight: nothing is said. A later session is greeted, aged.
    for _ in 0..40 {
        sim.step();
    }
    assert!(sim.despawn(station));
    let frames = sim.step();
    assert!(
        heard(&frames, 1).is_empty(),
        "a destruction out of sight leaks"
    );
    sim.push(join_on(LINK, 3, 7, 0));
    let frames = sim.step();
    let greeted: Vec<_> = heard(&frames, 3)
        .into_iter()
        .map(|(id, s)| (id, s.map(|(_, _, _, age)| age)))
        .collect();
    assert_eq!(greeted, [(station, Some(2)), (yard, Some(2))]);

    // Stored with the world, aged as it was: a restarted region greets with the same.
    let record = sim.vision_record();
    assert_eq!(record.remembered.len(), 2);
    let mut again = RegionSim::new(config(), GameMap::generate(9, 1, 0));
    again.load_units(&sim.persistent_units());
    again.load_vision(&record);
    again.push(TickInput::LinkOpened { link: LINK });
    again.push(join_on(LINK, 1, 7, 0));
    let frames = again.step();
    assert_eq!(
        heard(&frames, 1)
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        [station, yard]
    );

    // The shipyard's three seconds run out; the station is permanent.
    let mut forgot = Vec::new();
    for _ in 0..40 {
        forgot.extend(heard(&sim.step(), 1));
    }
    assert_eq!(forgot, [(yard, None)]);

    // The scout looks again: the station is not there, so it is forgotten.
    teleport(&mut sim, scout, c);
    let frames = sim.step();
    assert_eq!(heard(&frames, 1), [(station, None)]);
    assert_eq!(heard(&frames, 3), [(station, None)]);
    assert!(sim.vision_record().remembered.is_empty());
}
