//! A congested link gets no entity frames and no views (command acks still go); once drained
//! it catches up with only the changes from the delta log, or with a full resync when it fell
//! further behind than the log holds. Either way its mirror ends equal to the truth.

use crate::common;

use common::{LINK, ModelEdge, entity_frames, join_on, session_msgs, sim_on, truth_of};
use starlane_game::world::{RegionSim, TickInput};
use starlane_game::{LoadConfig, NpcPattern, RegionConfig};
use starlane_protocol::link::{LinkServerMsg, RegionToEdge};
use starlane_protocol::{Command, EntityId, Visibility};
use std::collections::HashMap;

const LOG_TICKS: u32 = 16;

fn setup() -> (RegionSim, ModelEdge) {
    let mut config = RegionConfig {
        pirates: 0,
        ..RegionConfig::default()
    };
    config.sync.delta_log_ticks = LOG_TICKS;
    let map = starlane_game::map::GameMap::generate(9, 1, 0);
    let mut sim = sim_on(config, map);
    let load = LoadConfig {
        npc_count: 300,
        pattern: NpcPattern::Wander,
        npc_seed: 3,
    };
    sim.spawn_load(&load);
    sim.push(join_on(LINK, 1, 7, 0));
    let edge = ModelEdge::new(LINK, sim.map().cell_count());
    (sim, edge)
}

/// Send every unit of empire 7 towards the den, so its entities keep changing.
fn march(sim: &mut RegionSim, seq: u32) {
    let den = sim.map().pirate_den();
    for u in sim.units_of(7) {
        sim.push(TickInput::Command {
            link: LINK,
            session: 1,
            seq,
            command: Command::Move {
                unit: u.id,
                to: den,
            },
        });
    }
}

fn assert_in_sync(sim: &mut RegionSim, edge: &ModelEdge) {
    let truth = truth_of(sim, 7);
    assert_eq!(edge.session_states(1), truth, "the session's view");
    let mirrored: HashMap<EntityId, _> = edge.mirror.clone();
    assert_eq!(
        mirrored, truth,
        "the mirror holds exactly what the session sees"
    );
    let cells = sim
        .world_mut()
        .resource::<starlane_game::world::Vision>()
        .empire(7)
        .expect("empire 7 sees")
        .cells
        .clone();
    assert_eq!(edge.vision[&1], cells, "hex visibility");
}

/// Step `ticks` ticks with the link congested: nothing but command acks reach it.
fn congested(sim: &mut RegionSim, ticks: u32) {
    sim.set_congested([LINK]);
    for i in 0..ticks {
        sim.push(TickInput::Command {
            link: LINK,
            session: 1,
            seq: 1000 + i,
            command: Command::Move {
                unit: 999_999,
                to: sim.map().pirate_den(),
            },
        });
        let frames = sim.step();
        assert!(entity_frames(&frames, LINK).is_empty());
        let msgs = session_msgs(&frames, 1);
        assert_eq!(msgs.len(), 1, "only the command's answer: {msgs:?}");
        assert!(matches!(msgs[0], LinkServerMsg::CommandRejected { .. }));
    }
    sim.set_congested([]);
}

fn drained_frame(
    sim: &mut RegionSim,
    edge: &mut ModelEdge,
) -> starlane_protocol::link::EntityFrame {
    let frames = sim.step();
    edge.apply(sim, &frames);
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef.len(), 1);
    assert!(
        frames
            .iter()
            .any(|(_, f)| matches!(f, RegionToEdge::ToClient(_))),
        "the session gets its view"
    );
    ef.into_iter().next().expect("one frame")
}

#[test]
fn a_short_stall_catches_up_with_changes_only() {
    let (mut sim, mut edge) = setup();
    for _ in 0..5 {
        let frames = sim.step();
        edge.apply(&sim, &frames);
    }
    march(&mut sim, 1);
    let frames = sim.step();
    edge.apply(&sim, &frames);
    assert_in_sync(&mut sim, &edge);
    congested(&mut sim, LOG_TICKS - 6);
    let frame = drained_frame(&mut sim, &mut edge);
    assert!(!frame.reset, "within the log: no resync");
    assert!(!frame.changed.is_empty(), "the march changed positions");
    assert_eq!(edge.resets, 1, "only the link's first frame was a reset");
    assert_in_sync(&mut sim, &edge);
    // And it keeps tracking afterwards.
    for _ in 0..10 {
        let frames = sim.step();
        edge.apply(&sim, &frames);
        assert_in_sync(&mut sim, &edge);
    }
}

#[test]
fn a_long_stall_gets_a_full_resync() {
    let (mut sim, mut edge) = setup();
    for _ in 0..5 {
        let frames = sim.step();
        edge.apply(&sim, &frames);
    }
    march(&mut sim, 1);
    let frames = sim.step();
    edge.apply(&sim, &frames);
    assert!(!edge.vision[&1].contains(&Visibility::Fog));
    congested(&mut sim, LOG_TICKS + 4);
    let frame = drained_frame(&mut sim, &mut edge);
    assert!(frame.reset, "behind the log: a full resync");
    assert!(frame.changed.is_empty() && frame.removed.is_empty());
    assert_eq!(edge.resets, 2);
    assert_in_sync(&mut sim, &edge);
    assert!(
        edge.vision[&1].contains(&Visibility::Fog),
        "every skipped hex change arrives"
    );
    for _ in 0..10 {
        let frames = sim.step();
        edge.apply(&sim, &frames);
        assert_in_sync(&mut sim, &edge);
    }
}
