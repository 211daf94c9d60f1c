//! Shared vision (SPEC.md §20): a grant shows the grantee what the granter's units see from
//! the tick it is accepted, follows the granter's units as they move, is one-way and not
//! transitive, and ends in the tick it is revoked; both empires hear of it, a late session
//! is greeted with it, and the checks refuse in order. At every tick, what the model edge
//! holds in each session's view is exactly what its empire may see: its own units' sight
//! and that of the empires that share with it.

use crate::common::combat::*;
use crate::common::{LINK, ModelEdge, join_on, seen_by, session_msgs, sim_on, teleport, views};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, RegionSim};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityKind, Hex, Visibility};
use std::collections::BTreeSet;

/// The `Sharing` events for `session` in `frames`.
fn sharing(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<SharingEvent> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Sharing(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn grant(empire: EmpireId, outgoing: bool, active: bool) -> SharingEvent {
    SharingEvent {
        empire,
        outgoing,
        active,
    }
}

/// What `viewer` may see: its own units' sight and that of every empire in `from`.
fn allowed(sim: &mut RegionSim, viewer: EmpireId, from: &[EmpireId]) -> BTreeSet<EntityId> {
    let mut out: BTreeSet<EntityId> = seen_by(sim, viewer).into_iter().collect();
    for f in from {
        out.extend(seen_by(sim, *f));
    }
    out
}

/// Step once, feed the model edge, and check every session's view against what its empire
/// may see (`grants`: per session, its empire and the empires sharing with it).
fn step_checked(
    sim: &mut RegionSim,
    edge: &mut ModelEdge,
    grants: &[(SessionId, EmpireId, &[EmpireId])],
) -> Vec<(LinkId, RegionToEdge)> {
    let frames = sim.step();
    edge.apply(sim, &frames);
    for (session, empire, from) in grants {
        let held: BTreeSet<EntityId> = edge.session_states(*session).into_keys().collect();
        assert_eq!(
            held,
            allowed(sim, *empire, from),
            "session {session} (empire {empire}) at tick {}",
            sim.tick()
        );
    }
    frames
}

#[test]
fn a_grant_shows_the_grantee_what_the_granter_sees_until_revoked() {
    // The arena's empires 7 and 8 and a third, 9, all joined on the model edge's link.
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    };
    let mut sim = sim_on(config, GameMap::generate(9, 1, 0));
    let mut edge = ModelEdge::new(LINK, sim.map().cell_count());
    sim.push(join_on(LINK, 1, 7, 0));
    sim.push(join_on(LINK, 2, 8, 3));
    sim.push(join_on(LINK, 3, 9, 5));
    let c = centre(&sim);
    // Empire 7's scout watches a neutral frigate; empires 8 and 9 are far away.
    let scout = unit_at(&mut sim, 7, EntityKind::Scout, c);
    let watched = unit_at(&mut sim, 0, EntityKind::Frigate, c.plus(Hex::new(2, 0)));
    let none: &[EmpireId] = &[];
    let alone = [(1, 7, none), (2, 8, none), (3, 9, none)];
    step_checked(&mut sim, &mut edge, &alone);
    assert!(!edge.session_states(2).contains_key(&watched));

    // 7 shares with 8: in this very tick 8 sees the frigate, and both hear of it.
    sim.push(order(1, 1, Command::ShareVision { to: 8 }));
    let shared: [(SessionId, EmpireId, &[EmpireId]); 3] =
        [(1, 7, none), (2, 8, &[7]), (3, 9, none)];
    let frames = step_checked(&mut sim, &mut edge, &shared);
    assert_eq!(answers(&frames, 1), [(1, Ok(()))]);
    assert!(edge.session_states(2).contains_key(&watched));
    assert!(edge.session_states(2).contains_key(&scout));
    assert_eq!(sharing(&frames, 1), [grant(8, true, true)]);
    assert_eq!(sharing(&frames, 2), [grant(7, false, true)]);
    assert_eq!(sharing(&frames, 3), [], "a third empire hears nothing");
    let i = sim.map().cell_index(c).expect("on the map");
    assert_eq!(edge.vision[&2][i], Visibility::Visible);

    // The shared sight follows 7's scout; a share back makes it mutual; 8's shares with 9
    // show 9 what 8's units see, not what 8 sees through 7.
    sim.push(order(2, 1, Command::ShareVision { to: 9 }));
    let chain: [(SessionId, EmpireId, &[EmpireId]); 3] = [(1, 7, none), (2, 8, &[7]), (3, 9, &[8])];
    let frames = step_checked(&mut sim, &mut edge, &chain);
    assert_eq!(answers(&frames, 2), [(1, Ok(()))]);
    assert!(
        !edge.session_states(3).contains_key(&watched),
        "not transitive"
    );
    for step in 1..=6 {
        teleport(&mut sim, scout, c.plus(Hex::new(-step, 0)));
        step_checked(&mut sim, &mut edge, &chain);
    }
    // A late session of 8 is greeted with every grant of its empire.
    sim.push(join_on(LINK, 4, 8, 3));
    let frames = step_checked(&mut sim, &mut edge, &chain);
    assert_eq!(
        sharing(&frames, 4),
        [grant(9, true, true), grant(7, false, true)]
    );

    // Revoked: in this tick the frigate and 7's scout leave 8's view, their cells are fog.
    teleport(&mut sim, scout, c);
    step_checked(&mut sim, &mut edge, &chain);
    assert!(edge.session_states(2).contains_key(&watched));
    sim.push(order(1, 2, Command::RevokeVision { to: 8 }));
    let after: [(SessionId, EmpireId, &[EmpireId]); 3] = [(1, 7, none), (2, 8, none), (3, 9, &[8])];
    let frames = step_checked(&mut sim, &mut edge, &after);
    assert_eq!(answers(&frames, 1), [(2, Ok(()))]);
    assert_eq!(sharing(&frames, 2), [grant(7, false, false)]);
    assert_eq!(sharing(&frames, 4), [grant(7, false, false)]);
    assert!(!edge.session_states(2).contains_key(&watched));
    assert_eq!(
        edge.vision[&2][i],
        Visibility::Fog,
        "explored stays explored"
    );
    let left: Vec<EntityId> = views(&frames, 2).into_iter().flat_map(|v| v.left).collect();
    assert!(left.contains(&watched) && left.contains(&scout), "{left:?}");
}

#[test]
fn sharing_checks_refuse_in_order() {
    let mut sim = arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        shared_vision: starlane_game::SharedVisionConfig { max_grants: 2 },
        // Six shares in a burst; the seventh is over the kind's limit.
        command_kinds: starlane_game::config::CommandKinds {
            share: starlane_game::config::KindLimit { rate: 1, burst: 6 },
            ..Default::default()
        },
        ..RegionConfig::default()
    });
    let commands = [
        Command::ShareVision { to: 7 },
        Command::ShareVision { to: 0 },
        Command::RevokeVision { to: 7 },
        Command::RevokeVision { to: 8 },
        Command::ShareVision { to: 8 },
        Command::ShareVision { to: 8 },
        // No empire holds these ids: accepted all the same (nothing to learn from it).
        Command::ShareVision { to: 123_456 },
        Command::ShareVision { to: 99 },
        Command::RevokeVision { to: 123_456 },
        Command::ShareVision { to: 99 },
    ];
    for (seq, command) in commands.into_iter().enumerate() {
        sim.push(order(1, seq as u32, command));
    }
    let frames = sim.step();
    let results: Vec<_> = answers(&frames, 1).into_iter().map(|(_, r)| r).collect();
    use CommandError::*;
    assert_eq!(
        results,
        [
            Err(InvalidEmpire),
            Err(InvalidEmpire),
            Err(InvalidEmpire),
            Err(NotShared),
            Ok(()),
            Ok(()),
            Ok(()),
            Err(TooManyGrants),
            Ok(()),
            Err(RateLimited),
        ]
    );
    // Each real change was told once: the repeated share of 8 changed nothing.
    assert_eq!(
        sharing(&frames, 1),
        [
            grant(8, true, true),
            grant(123_456, true, true),
            grant(123_456, true, false)
        ]
    );
    assert_eq!(sharing(&frames, 2), [grant(7, false, true)]);
}
