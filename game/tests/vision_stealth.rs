//! Vision types (SPEC.md §20.7): a cloaked unit is seen by its own empire, and by another
//! only where one of that empire's detectors (or of an empire sharing with it) reaches, even
//! on hexes the other empire sees. Out of detection it cannot be targeted, and the refusal
//! reads as for an id that does not exist; in detection it can. Two cloaked units on one hex
//! see each other. A unit that loses its cloak is seen like any other, and hides again when it
//! gets it back. At every tick, what the model edge holds in each session's view is exactly
//! what its empire may see, by the definition.

use crate::common::combat::*;
use crate::common::{LINK, ModelEdge, join_on, seen_by, sim_on, teleport, views};
use starlane_game::config::PerKind;
use starlane_game::map::GameMap;
use starlane_game::world::{Cloaked, EntityIndex, LinkId, RegionSim};
use starlane_game::{RegionConfig, StealthConfig};
use starlane_protocol::link::{RegionToEdge, SessionId};
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityKind, Hex, Visibility};
use std::collections::BTreeSet;

/// Per session: its empire and the empires sharing with it.
type Sight<'a> = [(SessionId, EmpireId, &'a [EmpireId])];

/// Step once, feed the model edge, and check every session's view against what its empire
/// may see.
fn step_checked(
    sim: &mut RegionSim,
    edge: &mut ModelEdge,
    sight: &Sight,
) -> Vec<(LinkId, RegionToEdge)> {
    let frames = sim.step();
    edge.apply(sim, &frames);
    for (session, empire, from) in sight {
        let mut allowed: BTreeSet<EntityId> = seen_by(sim, *empire).into_iter().collect();
        for f in *from {
            allowed.extend(seen_by(sim, *f));
        }
        let held: BTreeSet<EntityId> = edge.session_states(*session).into_keys().collect();
        assert_eq!(held, allowed, "session {session} at tick {}", sim.tick());
    }
    frames
}

/// Scouts cloaked; frigates detect within 2 hexes, scouts nothing.
fn config() -> RegionConfig {
    let none = PerKind {
        scout: 0,
        frigate: 0,
        station: 0,
        extractor: 0,
        shipyard: 0,
        metal_field: 0,
        crystal_field: 0,
    };
    RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        stealth: StealthConfig {
            cloaked: vec!["scout".into()],
            detect: PerKind { frigate: 2, ..none },
        },
        ..RegionConfig::default()
    }
}

#[test]
fn a_cloaked_unit_is_seen_only_where_a_detector_reaches() {
    let mut sim = sim_on(config(), GameMap::generate(9, 1, 0));
    let mut edge = ModelEdge::new(LINK, sim.map().cell_count());
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.push(join_on(LINK, 3, 9, 5));
    let none: &[EmpireId] = &[];
    let alone = [(1, 7, none), (2, 8, none), (3, 9, none)];
    step_checked(&mut sim, &mut edge, &alone);
    let c = centre(&sim);
    // 7's cloaked scout at the centre; 8's frigate sees its hex from 4 hexes, beyond its
    // detection range of 2.
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c);
    let frigate = unit_at(&mut sim, 8, EntityKind::Frigate, c.plus(Hex::new(4, 0)));
    step_checked(&mut sim, &mut edge, &alone);
    let at = sim.map().cell_index(c).expect("on the map");
    assert_eq!(edge.vision[&2][at], Visibility::Visible, "8 sees the hex");
    assert!(
        !edge.session_states(2).contains_key(&scout),
        "not the scout"
    );
    assert!(
        edge.session_states(1).contains_key(&scout),
        "its owner does"
    );

    // Targeted while hidden: refused exactly as an id that does not exist.
    sim.push(order(
        2,
        1,
        Command::Attack {
            unit: frigate,
            target: scout,
        },
    ));
    sim.push(order(
        2,
        2,
        Command::Attack {
            unit: frigate,
            target: 999_999,
        },
    ));
    let frames = step_checked(&mut sim, &mut edge, &alone);
    let hidden = Err(CommandError::UnknownTarget);
    assert_eq!(answers(&frames, 2), [(1, hidden), (2, hidden)]);

    // The frigate closes to 2 hexes: the scout comes into 8's view, and can be attacked.
    teleport(&mut sim, frigate, c.plus(Hex::new(2, 0)));
    let frames = step_checked(&mut sim, &mut edge, &alone);
    let entered: Vec<EntityId> = views(&frames, 2)
        .into_iter()
        .flat_map(|v| v.entered)
        .collect();
    assert_eq!(entered, [scout]);
    sim.push(order(
        2,
        3,
        Command::Attack {
            unit: frigate,
            target: scout,
        },
    ));
    let frames = step_checked(&mut sim, &mut edge, &alone);
    assert_eq!(answers(&frames, 2), [(3, Ok(()))]);

    // 8 shares its vision with 9: its detection too. Then the frigate backs off to 3 hexes:
    // the scout leaves both views, and its hex stays visible to both.
    sim.push(order(2, 4, Command::ShareVision { to: 9 }));
    let shared: [(SessionId, EmpireId, &[EmpireId]); 3] =
        [(1, 7, none), (2, 8, none), (3, 9, &[8])];
    step_checked(&mut sim, &mut edge, &shared);
    assert!(edge.session_states(3).contains_key(&scout));
    teleport(&mut sim, frigate, c.plus(Hex::new(3, 0)));
    let frames = step_checked(&mut sim, &mut edge, &shared);
    for session in [2, 3] {
        let left: Vec<EntityId> = views(&frames, session)
            .into_iter()
            .flat_map(|v| v.left)
            .collect();
        assert_eq!(left, [scout], "session {session}");
        assert_eq!(edge.vision[&session][at], Visibility::Visible);
    }

    // A cloaked scout of 8 on the same hex: the two see each other, and nothing else changes.
    let other = unit_at(&mut sim, 8, EntityKind::Scout, c.plus(Hex::new(0, 3)));
    step_checked(&mut sim, &mut edge, &shared);
    assert!(!edge.session_states(1).contains_key(&other));
    teleport(&mut sim, other, c);
    step_checked(&mut sim, &mut edge, &shared);
    assert!(edge.session_states(1).contains_key(&other));
    assert!(edge.session_states(2).contains_key(&scout));
    teleport(&mut sim, other, c.plus(Hex::new(0, 1)));
    step_checked(&mut sim, &mut edge, &shared);
    assert!(!edge.session_states(1).contains_key(&other));
    assert!(!edge.session_states(2).contains_key(&scout));

    // The scout's cloak taken off (a rule a game may add: firing, damage): 8 sees it where
    // it sees the hex, and loses it again when the cloak comes back.
    let entity = sim.world_mut().resource::<EntityIndex>().by_id[&scout];
    sim.world_mut().entity_mut(entity).remove::<Cloaked>();
    step_checked(&mut sim, &mut edge, &shared);
    assert!(edge.session_states(2).contains_key(&scout));
    assert!(
        edge.session_states(3).contains_key(&scout),
        "through the grant"
    );
    sim.world_mut().entity_mut(entity).insert(Cloaked);
    step_checked(&mut sim, &mut edge, &shared);
    assert!(!edge.session_states(2).contains_key(&scout));
    assert!(
        edge.session_states(1).contains_key(&scout),
        "its owner still does"
    );
}
