//! Headless tests of the bench support: tick samples, synthetic NPC load, the truth
//! snapshot, thousands of joins and the per-empire vision deltas. Stepped manually.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::ModelEdge;
use starlane_game::NpcPattern;
use starlane_game::records::EmpireRecord;
use starlane_game::world::npc::{BATTLE_RADIUS, battle_spots};
use starlane_game::world::{LinkId, NEUTRAL_EMPIRE, RegionSim, TickInput, Vision};
use starlane_protocol::link::{PlayerIdentity, RegionToEdge};
use starlane_protocol::{Command, EmpireId, EntityId, Hex, Visibility};
use std::collections::{HashMap, HashSet};

const LINK: LinkId = 1;

fn sim_with(npcs: u32, pattern: NpcPattern) -> RegionSim {
    common::load_sim(npcs, pattern, 7)
}

fn join_input(session: u64, empire: EmpireId, spawn: u32) -> TickInput {
    TickInput::Join {
        link: LINK,
        session,
        player: PlayerIdentity {
            user_id: i64::from(empire),
            username: format!("u{empire}"),
            command_stream: 0,
        },
        empire: Ok(EmpireRecord {
            empire,
            spawn_index: spawn,
        }),
    }
}

fn npc_positions(sim: &mut RegionSim) -> HashMap<EntityId, Hex> {
    sim.units_of(NEUTRAL_EMPIRE)
        .into_iter()
        .map(|u| (u.id, u.pos))
        .collect()
}

/// Step `ticks` times, checking every NPC stays on a passable hex; returns the positions.
fn run(sim: &mut RegionSim, ticks: u32) -> HashMap<EntityId, Hex> {
    for _ in 0..ticks {
        sim.step();
        let positions = npc_positions(sim);
        assert!(positions.values().all(|h| sim.map().is_passable(*h)));
    }
    npc_positions(sim)
}

#[test]
fn every_tick_yields_a_sample_with_set_times_and_counts() {
    let mut sim = sim_with(300, NpcPattern::Wander);
    sim.push(join_input(1, 5, 0));
    for expected_tick in 1..=20 {
        sim.step();
        let s = sim.last_sample();
        assert_eq!(s.tick, expected_tick);
        assert!(s.total_ns > 0);
        assert!(s.commands_ns > 0 && s.simulation_ns > 0 && s.vision_ns > 0 && s.sync_ns > 0);
        assert!(s.commands_ns + s.simulation_ns + s.vision_ns + s.sync_ns <= s.total_ns);
        assert_eq!(s.entities, 303, "300 NPCs and 3 units of the player");
        assert_eq!(s.sessions, 1);
    }
}

#[test]
fn wandering_npcs_move_on_passable_hexes_and_are_never_saved() {
    let mut sim = sim_with(500, NpcPattern::Wander);
    sim.take_dirty();
    let before = npc_positions(&mut sim);
    let after = run(&mut sim, 40);
    let moved = before.iter().filter(|(id, h)| after[*id] != **h).count();
    assert!(moved > 400, "only {moved} of 500 wandering NPCs moved");
    assert!(sim.take_dirty().is_empty(), "NPCs are not persisted");
}

#[test]
fn npc_load_is_deterministic_per_seed() {
    let mut a = sim_with(200, NpcPattern::Wander);
    let mut b = sim_with(200, NpcPattern::Wander);
    assert_eq!(run(&mut a, 30), run(&mut b, 30));
}

#[test]
fn battle_npcs_stay_clustered_around_hot_spots() {
    let mut sim = sim_with(2000, NpcPattern::Battle);
    let spots = battle_spots(sim.map());
    assert_eq!(spots.len(), 4);
    let centre = sim.map().pirate_den();
    assert!(
        spots
            .iter()
            .all(|s| s.distance(centre) <= sim.map().chunk_radius())
    );
    let before = npc_positions(&mut sim);
    let after = run(&mut sim, 60);
    let moved = before.iter().filter(|(id, h)| after[*id] != **h).count();
    assert!(moved > 1000, "only {moved} of 2000 battling NPCs moved");
    for h in after.values() {
        let nearest = spots.iter().map(|s| s.distance(*h)).min().unwrap();
        assert!(
            nearest <= BATTLE_RADIUS as u32,
            "{h:?} strayed from the hot spots"
        );
    }
}

#[test]
fn columns_march_along_rows_and_turn_around() {
    let mut sim = sim_with(600, NpcPattern::Columns);
    let before = npc_positions(&mut sim);
    let rows: HashSet<i32> = before.values().map(|h| h.r).collect();
    assert!(rows.len() > 20, "columns use many rows, got {}", rows.len());
    let mut turned = HashSet::new();
    let mut last = before.clone();
    let mut dir: HashMap<EntityId, i32> = HashMap::new();
    for _ in 0..200 {
        let now = run(&mut sim, 1);
        for (id, h) in &now {
            let prev = last[id];
            assert_eq!(h.r, before[id].r, "NPC {id} left its row");
            let step = h.q - prev.q;
            assert!(step.abs() <= 1);
            if step != 0 {
                if dir.get(id).is_some_and(|d| *d != step) {
                    turned.insert(*id);
                }
                dir.insert(*id, step);
            }
        }
        last = now;
    }
    assert!(dir.len() > 500, "only {} of 600 marched", dir.len());
    assert!(turned.len() > 100, "only {} turned around", turned.len());
}

#[test]
fn truth_matches_the_ecs() {
    let mut sim = sim_with(1000, NpcPattern::Battle);
    sim.push(join_input(1, 5, 2));
    run(&mut sim, 10);
    let truth = sim.truth();
    assert_eq!(truth.tick, sim.tick());
    let units = sim.all_units();
    assert_eq!(truth.entities.len(), units.len());
    for u in units {
        assert_eq!(truth.entities.get(&u.id), Some(&(u.pos, u.health)));
    }
}

#[test]
fn two_thousand_joins_all_get_empires_and_spread_over_spawn_areas() {
    let mut sim = sim_with(0, NpcPattern::Wander);
    let spawns = sim.map().spawns().len() as u32;
    for i in 0..2000u32 {
        sim.push(join_input(u64::from(i) + 1, i + 1, i % spawns));
    }
    let frames = sim.step();
    let updated: HashSet<u64> = frames
        .iter()
        .filter_map(|(_, f)| match f {
            RegionToEdge::ToClient(t) => Some(t.session),
            _ => None,
        })
        .collect();
    assert_eq!(updated.len(), 2000, "every session gets its first update");
    let joined: HashSet<u64> = frames
        .iter()
        .filter_map(|(_, f)| match f {
            RegionToEdge::Joined(j) => Some(j.session),
            RegionToEdge::JoinRefused(_) => panic!("a join was refused: {f:?}"),
            _ => None,
        })
        .collect();
    assert_eq!(joined.len(), 2000);
    assert_eq!(sim.session_count(), 2000);
    let mut by_hex: HashMap<Hex, u32> = HashMap::new();
    for empire in 1..=2000 {
        let units = sim.units_of(empire);
        assert_eq!(units.len(), 3, "empire {empire}");
        for u in units {
            assert!(sim.map().is_passable(u.pos));
            *by_hex.entry(u.pos).or_default() += 1;
        }
    }
    // 6000 units over 6 spawn areas: spread evenly, not stacked on a few hexes.
    let most = by_hex.values().max().copied().unwrap_or(0);
    assert!(by_hex.len() > 1000, "units on only {} hexes", by_hex.len());
    assert!(
        most <= 6000 / by_hex.len() as u32 + 2,
        "{most} units on one hex"
    );
}

#[test]
fn sessions_track_the_shared_empire_vision_through_deltas() {
    let mut sim = sim_with(200, NpcPattern::Wander);
    sim.push(join_input(1, 5, 0));
    let mut edge = ModelEdge::new(LINK, sim.map().cell_count());
    let frames = sim.step();
    edge.apply(&sim, &frames);
    let target = sim.map().pirate_den();
    for (seq, u) in sim.units_of(5).into_iter().enumerate() {
        sim.push(TickInput::Command {
            link: LINK,
            session: 1,
            seq: seq as u32,
            command: Command::Move {
                unit: u.id,
                to: target,
            },
        });
    }
    let mut saw_npc = false;
    for tick in 0..120 {
        if tick == 30 {
            sim.push(join_input(2, 5, 0)); // a second session of the same empire
        }
        let frames = sim.step();
        edge.apply(&sim, &frames);
        saw_npc |= frames.iter().any(|(_, f)| {
            matches!(f, RegionToEdge::Entities(e)
                if e.appeared.iter().any(|e| e.owner == NEUTRAL_EMPIRE))
        });
        let truth = sim
            .world_mut()
            .resource::<Vision>()
            .empire(5)
            .expect("empire 5 sees")
            .cells
            .clone();
        assert_eq!(edge.vision[&1], truth, "session 1 diverged at tick {tick}");
        if tick >= 30 {
            assert_eq!(edge.vision[&2], truth, "session 2 diverged at tick {tick}");
        }
        let expected = common::truth_of(&mut sim, 5);
        assert_eq!(
            edge.session_states(1),
            expected,
            "session 1 entities diverged at tick {tick}"
        );
        if tick >= 30 {
            assert_eq!(edge.session_states(2), expected, "session 2 at tick {tick}");
        }
    }
    assert!(saw_npc, "NPCs are seen and synced like any unit");
    assert!(edge.vision[&1].contains(&Visibility::Fog));
}
