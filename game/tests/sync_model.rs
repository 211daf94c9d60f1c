//! A model edge rebuilt only from the link frames, over a few hundred ticks of moving NPCs
//! and units, sessions joining and leaving, and one link repeatedly congested: every tick,
//! each session's view (ids and states from the mirror) equals exactly the states of the
//! entities its empire sees in the world, and the mirror holds nothing else (anti-ESP).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{ModelEdge, entity_frames, join_on, sim_on, truth_of, views};
use starlane_game::map::GameMap;
use starlane_game::world::{LinkId, RegionSim, TickInput, Vision};
use starlane_game::{LoadConfig, NpcPattern, RegionConfig};
use starlane_protocol::link::SessionId;
use starlane_protocol::{Command, EmpireId, EntityId};
use std::collections::{BTreeSet, HashMap};

const A: LinkId = 1;
const B: LinkId = 2;

/// Whether link B is congested at step `i`: short stalls (caught up from the log) and one
/// stall longer than the log (a full resync).
fn b_congested(i: u32) -> bool {
    (i % 45 >= 30 && i % 45 < 36) || (200..280).contains(&i)
}

/// Order every unit of each session's empire somewhere else (a spawn or the den).
fn orders(sim: &mut RegionSim, sessions: &[(LinkId, SessionId, EmpireId)], round: u32) {
    let mut targets = sim.map().spawns().to_vec();
    targets.push(sim.map().pirate_den());
    for (k, (link, session, empire)) in sessions.iter().enumerate() {
        for (j, u) in sim.units_of(*empire).into_iter().enumerate() {
            let to = targets[(round as usize + k + j) % targets.len()];
            sim.push(TickInput::Command {
                link: *link,
                session: *session,
                seq: round * 100 + j as u32,
                command: Command::Move { unit: u.id, to },
            });
        }
    }
}

fn check(
    sim: &mut RegionSim,
    edge: &ModelEdge,
    sessions: &[(LinkId, SessionId, EmpireId)],
    i: u32,
) {
    let mut union = BTreeSet::new();
    for (_, session, empire) in sessions.iter().filter(|(l, _, _)| *l == edge.link) {
        let truth = truth_of(sim, *empire);
        let shown = edge.session_states(*session);
        assert_eq!(
            shown, truth,
            "link {} session {session} (empire {empire}) at step {i}",
            edge.link
        );
        let cells = &sim
            .world_mut()
            .resource::<Vision>()
            .empire(*empire)
            .expect("the empire sees")
            .cells;
        assert_eq!(
            &edge.vision[session], cells,
            "hexes of session {session} at step {i}"
        );
        union.extend(truth.keys().copied());
    }
    let mirrored: BTreeSet<EntityId> = edge.mirror.keys().copied().collect();
    assert_eq!(mirrored, union, "link {} mirror at step {i}", edge.link);
}

#[test]
fn model_edges_match_the_world_every_tick() {
    let config = RegionConfig {
        pirates: 4,
        ..RegionConfig::default()
    };
    let map = GameMap::generate(
        config.chunk_radius,
        config.map_seed,
        config.asteroid_percent,
    );
    let mut sim = sim_on(config, map);
    let load = LoadConfig {
        npc_count: 600,
        pattern: NpcPattern::Wander,
        npc_seed: 11,
    };
    sim.spawn_load(&load);
    sim.push(TickInput::LinkOpened { link: B });
    let cells = sim.map().cell_count();
    let mut edges = [ModelEdge::new(A, cells), ModelEdge::new(B, cells)];
    // (link, session, empire): two empires on A, one of them also on B with another empire;
    // the same session id on both links.
    let mut sessions = vec![(A, 1, 7), (A, 2, 8), (B, 1, 9), (B, 4, 8)];
    for (link, session, empire) in &sessions {
        sim.push(join_on(*link, *session, *empire, *empire % 6));
    }
    let mut frames_seen: HashMap<LinkId, usize> = HashMap::new();
    for i in 0..400u32 {
        if i == 60 {
            // A second session of empire 7, on link A.
            sim.push(join_on(A, 3, 7, 1));
            sessions.push((A, 3, 7));
        }
        if i == 150 {
            sim.push(TickInput::Leave {
                link: A,
                session: 2,
            });
            sessions.retain(|s| (s.0, s.1) != (A, 2));
            edges[0].views.remove(&2);
            edges[0].vision.remove(&2);
        }
        if i % 40 == 5 {
            orders(&mut sim, &sessions, i / 40);
        }
        let congested = b_congested(i);
        sim.set_congested(congested.then_some(B));
        let frames = sim.step();
        for edge in &mut edges {
            edge.apply(&sim, &frames);
            *frames_seen.entry(edge.link).or_default() += entity_frames(&frames, edge.link).len();
        }
        if congested {
            assert!(
                entity_frames(&frames, B).is_empty(),
                "congested B at step {i}"
            );
            assert!(
                views(&frames, 1).len() <= 1,
                "only A's session 1 gets a view"
            );
        }
        check(&mut sim, &edges[0], &sessions, i);
        if !congested {
            check(&mut sim, &edges[1], &sessions, i);
        }
    }
    assert!(
        frames_seen[&A] > 300,
        "A's mirror changed almost every tick"
    );
    assert_eq!(edges[0].resets, 1, "A never needed a resync");
    assert_eq!(edges[1].resets, 2, "B: its first frame and the long stall");
    let moved = sim.counters().commands_ok;
    assert!(moved > 20, "units were ordered around ({moved})");
}
