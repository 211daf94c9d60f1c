//! Headless tests of the region ECS: the world and schedule stepped manually, no sleeping.

use crate::common;

use common::{entity_frames, frame_mentions, session_msgs, views};
use starlane_game::RegionConfig;
use starlane_game::map::{GameMap, ring};
use starlane_game::records::EmpireRecord;
use starlane_game::world::{LinkId, NEUTRAL_EMPIRE, RegionSim, TickInput, UnitSpec, Vision};
use starlane_protocol::link::{LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId};
use starlane_protocol::{Command, CommandError, EmpireId, EntityId, EntityKind, Hex, Visibility};

const LINK: LinkId = common::LINK;

fn config() -> RegionConfig {
    RegionConfig {
        asteroid_percent: 0,
        pirates: 2,
        economy: crate::common::bare_economy(),
        ..RegionConfig::default()
    }
}

fn sim_with_map(map: GameMap) -> RegionSim {
    common::sim_on(config(), map)
}

fn sim() -> RegionSim {
    sim_with_map(GameMap::generate(9, 1, 0))
}

/// Join `user` as `empire` on `session`; returns the frames of that tick.
fn join(
    sim: &mut RegionSim,
    session: SessionId,
    user: i64,
    empire: EmpireId,
    spawn: u32,
) -> Vec<(LinkId, RegionToEdge)> {
    sim.push(TickInput::Join {
        link: LINK,
        session,
        player: PlayerIdentity {
            user_id: user,
            username: format!("u{user}"),
            command_stream: 0,
        },
        empire: Ok(EmpireRecord {
            empire,
            spawn_index: spawn,
        }),
    });
    sim.step()
}

fn command(
    sim: &mut RegionSim,
    session: SessionId,
    seq: u32,
    unit: EntityId,
    to: Hex,
) -> LinkServerMsg {
    sim.push(TickInput::Command {
        link: LINK,
        session,
        seq,
        command: Command::Move { unit, to },
    });
    let frames = sim.step();
    session_msgs(&frames, session)
        .into_iter()
        .find(|m| {
            matches!(
                m,
                LinkServerMsg::CommandAck { .. } | LinkServerMsg::CommandRejected { .. }
            )
        })
        .expect("every command is answered")
}

/// Whether anything in `frames` (entity frames or session views) names `id`.
fn mentions(frames: &[(LinkId, RegionToEdge)], session: SessionId, id: EntityId) -> bool {
    entity_frames(frames, LINK)
        .iter()
        .any(|f| frame_mentions(f, id))
        || views(frames, session)
            .iter()
            .any(|v| v.entered.contains(&id) || v.left.contains(&id))
}

#[test]
fn join_spawns_units_and_first_update_has_vision_and_resources() {
    let mut sim = sim();
    let frames = join(&mut sim, 10, 42, 7, 0);
    assert!(frames.iter().any(|(l, f)| *l == LINK
        && matches!(f, RegionToEdge::Joined(j) if (j.session, j.empire, j.tick_rate_hz, j.map.chunks.len()) == (10, 7, 20, 7))));
    let units = sim.units_of(7);
    assert_eq!(units.len(), 3);
    assert_eq!(
        units.iter().filter(|u| u.kind == EntityKind::Scout).count(),
        1
    );
    // The link's first entity frame is a full resync holding the empire's units; it comes
    // before the session's view, which names them.
    let entities_at = frames
        .iter()
        .position(|(_, f)| matches!(f, RegionToEdge::Entities(_)))
        .expect("an entity frame");
    let to_client = frames
        .iter()
        .position(|(_, f)| matches!(f, RegionToEdge::ToClient(_)))
        .expect("session messages");
    assert!(
        entities_at < to_client,
        "entities before the session's messages"
    );
    let ef = entity_frames(&frames, LINK);
    assert_eq!(ef.len(), 1);
    assert!(ef[0].reset);
    assert!(
        units
            .iter()
            .all(|u| ef[0].appeared.iter().any(|e| e.id == u.id))
    );
    let vs = views(&frames, 10);
    assert_eq!(vs.len(), 1);
    let first = &vs[0];
    assert!(units.iter().all(|u| first.entered.contains(&u.id)));
    assert!(!first.vision.is_empty());
    assert!(first.vision.iter().all(|v| v.state != Visibility::Shroud));
    let resources: Vec<_> = session_msgs(&frames, 10)
        .into_iter()
        .filter(|m| matches!(m, LinkServerMsg::Resources(r) if r.len() == 3))
        .collect();
    assert_eq!(resources.len(), 1);
    // Nothing changes: no frame at all.
    let frames = sim.step();
    assert!(frames.is_empty(), "{frames:?}");
    // A second session of the same user gets the same empire and units, not new ones: the
    // edge already holds them, so only the view names them.
    let frames = join(&mut sim, 11, 42, 7, 0);
    assert_eq!(sim.units_of(7).len(), 3);
    assert!(entity_frames(&frames, LINK).is_empty());
    assert_eq!(views(&frames, 11)[0].entered.len(), 3);
}

#[test]
fn every_move_rejection() {
    let mut map = GameMap::generate(9, 1, 0);
    let spawn = map.spawns()[0];
    let walled = spawn.plus(Hex::new(0, -6));
    for h in ring(walled, 1) {
        map.set_passable(h, false);
    }
    let rock = spawn.plus(Hex::new(5, -2));
    map.set_passable(rock, false);
    let mut sim = sim_with_map(map);
    join(&mut sim, 1, 42, 7, 0);
    let units = sim.units_of(7);
    let scout = units
        .iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("a scout")
        .id;
    let station = sim.spawn_unit(UnitSpec {
        id: None,
        owner: 7,
        kind: EntityKind::Station,
        pos: spawn,
        health: None,
    });
    // A foreign unit next to ours (visible) and one far away (invisible).
    let near_foe = sim.spawn_unit(UnitSpec {
        id: None,
        owner: 8,
        kind: EntityKind::Frigate,
        pos: spawn.plus(Hex::new(2, 0)),
        health: None,
    });
    let far_foe = sim.spawn_unit(UnitSpec {
        id: None,
        owner: 8,
        kind: EntityKind::Frigate,
        pos: sim.map().spawns()[3],
        health: None,
    });
    sim.step();
    let rejected = |e| LinkServerMsg::CommandRejected { seq: 0, error: e };
    let mut seq = 0;
    let mut check = |sim: &mut RegionSim, unit, to, want: LinkServerMsg| {
        seq += 1;
        let got = command(sim, 1, seq, unit, to);
        let want = match want {
            LinkServerMsg::CommandRejected { error, .. } => {
                LinkServerMsg::CommandRejected { seq, error }
            }
            LinkServerMsg::CommandAck { .. } => LinkServerMsg::CommandAck { seq },
            other => other,
        };
        assert_eq!(got, want);
    };
    check(&mut sim, 99_999, spawn, rejected(CommandError::UnknownUnit));
    check(
        &mut sim,
        near_foe,
        spawn,
        rejected(CommandError::NotYourUnit),
    );
    check(
        &mut sim,
        far_foe,
        spawn,
        rejected(CommandError::UnknownUnit),
    );
    check(
        &mut sim,
        station,
        spawn.plus(Hex::new(1, 0)),
        rejected(CommandError::Immobile),
    );
    check(
        &mut sim,
        scout,
        Hex::new(500, 0),
        rejected(CommandError::OffMap),
    );
    check(&mut sim, scout, rock, rejected(CommandError::Impassable));
    check(&mut sim, scout, walled, rejected(CommandError::NoPath));
    check(
        &mut sim,
        scout,
        spawn.plus(Hex::new(3, 0)),
        LinkServerMsg::CommandAck { seq: 0 },
    );
    let c = sim.counters();
    assert_eq!(c.commands_ok, 1);
    assert_eq!(c.commands_rejected.values().sum::<u64>(), 7);
}

#[test]
fn rate_limit_rejects_beyond_burst_and_refills() {
    let mut sim = sim();
    join(&mut sim, 1, 42, 7, 0);
    let scout = sim.units_of(7)[0].id;
    let to = sim.map().spawns()[0].plus(Hex::new(1, 0));
    for seq in 0..45 {
        sim.push(TickInput::Command {
            link: LINK,
            session: 1,
            seq,
            command: Command::Move { unit: scout, to },
        });
    }
    let msgs = session_msgs(&sim.step(), 1);
    let acks = msgs
        .iter()
        .filter(|m| matches!(m, LinkServerMsg::CommandAck { .. }))
        .count();
    let limited = msgs
        .iter()
        .filter(|m| {
            matches!(
                m,
                LinkServerMsg::CommandRejected {
                    error: CommandError::RateLimited,
                    ..
                }
            )
        })
        .count();
    assert_eq!((acks, limited), (40, 5));
    // 20 commands/s at 20 Hz: one token per tick.
    assert!(matches!(
        command(&mut sim, 1, 100, scout, to),
        LinkServerMsg::CommandAck { seq: 100 }
    ));
    assert!(matches!(
        command(&mut sim, 1, 101, scout, to),
        LinkServerMsg::CommandAck { seq: 101 }
    ));
}

#[test]
fn movement_arrives_at_the_kind_speed() {
    let mut sim = sim();
    join(&mut sim, 1, 42, 7, 0);
    let scout = sim
        .units_of(7)
        .into_iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("scout");
    let to = scout.pos.plus(Hex::new(4, -1));
    let dist = scout.pos.distance(to);
    assert!(matches!(
        command(&mut sim, 1, 1, scout.id, to),
        LinkServerMsg::CommandAck { .. }
    ));
    // The command tick already counted as one tick of progress; a scout needs 2 ticks a hex.
    let mut seen_positions = Vec::new();
    for _ in 1..(2 * dist) {
        let frames = sim.step();
        for f in entity_frames(&frames, LINK) {
            seen_positions.extend(
                f.changed
                    .iter()
                    .filter(|c| c.id == scout.id)
                    .filter_map(|c| c.pos),
            );
        }
    }
    assert_eq!(sim.position_of(scout.id), Some(to));
    assert_eq!(seen_positions.len() as u32, dist);
    assert_eq!(seen_positions.last(), Some(&to));
    for _ in 0..5 {
        sim.step();
    }
    assert_eq!(sim.position_of(scout.id), Some(to));
}

#[test]
fn vision_goes_shroud_visible_fog() {
    let mut sim = sim();
    join(&mut sim, 1, 42, 7, 0);
    let scout = sim
        .units_of(7)
        .into_iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("scout");
    let state = |sim: &mut RegionSim, h: Hex| {
        let i = sim.map().cell_index(h).expect("on map");
        sim.world_mut()
            .resource::<Vision>()
            .empire(7)
            .expect("empire 7 sees")
            .cells[i]
    };
    let near = scout.pos;
    let far = sim.map().pirate_den();
    assert_eq!(state(&mut sim, near), Visibility::Visible);
    assert_eq!(state(&mut sim, far), Visibility::Shroud);
    // Send every unit of the empire towards the den: the spawn falls into fog, the den
    // becomes visible, and the session is told both.
    let mut changes = Vec::new();
    for (seq, u) in sim.units_of(7).into_iter().enumerate() {
        sim.push(TickInput::Command {
            link: LINK,
            session: 1,
            seq: seq as u32,
            command: Command::Move {
                unit: u.id,
                to: far.plus(Hex::new(0, seq as i32)),
            },
        });
    }
    for _ in 0..200 {
        for v in views(&sim.step(), 1) {
            changes.extend(v.vision);
        }
    }
    assert_eq!(state(&mut sim, near), Visibility::Fog);
    assert_eq!(state(&mut sim, far), Visibility::Visible);
    assert!(
        changes
            .iter()
            .any(|c| c.hex == near && c.state == Visibility::Fog)
    );
    assert!(
        changes
            .iter()
            .any(|c| c.hex == far && c.state == Visibility::Visible)
    );
    // A hex never seen stays shroud and is never mentioned.
    let unseen = sim.map().spawns()[3];
    assert_eq!(state(&mut sim, unseen), Visibility::Shroud);
    assert!(changes.iter().all(|c| c.hex != unseen));
}

#[test]
fn anti_esp_foreign_units_only_inside_vision() {
    let mut sim = sim();
    let frames = join(&mut sim, 1, 42, 7, 0);
    let pirates: Vec<EntityId> = sim.units_of(NEUTRAL_EMPIRE).iter().map(|u| u.id).collect();
    assert_eq!(pirates.len(), 2);
    let rival_pos = sim.map().spawns()[3];
    let rival = sim.spawn_unit(UnitSpec {
        id: None,
        owner: 8,
        kind: EntityKind::Frigate,
        pos: rival_pos,
        health: None,
    });
    let mut all = vec![frames];
    for _ in 0..20 {
        all.push(sim.step());
    }
    for id in pirates.iter().chain([&rival]) {
        assert!(
            all.iter().all(|f| !mentions(f, 1, *id)),
            "entity {id} leaked outside vision"
        );
    }
    // The rival's units walk around out of sight: still nothing.
    let to = rival_pos.plus(Hex::new(2, 0));
    let entity = sim
        .world_mut()
        .resource::<starlane_game::world::EntityIndex>()
        .by_id[&rival];
    sim.world_mut()
        .get_mut::<starlane_game::world::Path>(entity)
        .expect("path")
        .hexes = starlane_game::map::path::find_path(sim.map(), rival_pos, to)
        .expect("path")
        .into();
    for _ in 0..20 {
        assert!(!mentions(&sim.step(), 1, rival));
    }
    // Our scout flies to the den: the pirates appear, with their full state, when in range.
    let scout = sim
        .units_of(7)
        .into_iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("scout");
    let den = sim.map().pirate_den();
    command(&mut sim, 1, 1, scout.id, den.plus(Hex::new(-4, 0)));
    let mut appeared = Vec::new();
    for _ in 0..100 {
        let frames = sim.step();
        for f in entity_frames(&frames, LINK) {
            for e in &f.appeared {
                if pirates.contains(&e.id) {
                    let scout_pos = sim.position_of(scout.id).expect("scout");
                    assert!(scout_pos.distance(e.pos) <= 6, "appeared outside vision");
                    assert_eq!(e.owner, NEUTRAL_EMPIRE);
                }
            }
        }
        for v in views(&frames, 1) {
            appeared.extend(v.entered);
        }
        assert!(!mentions(&frames, 1, rival));
    }
    for p in &pirates {
        assert!(appeared.contains(p), "pirate {p} never appeared");
    }
    // Flying home makes them disappear again, from the view and from the edge.
    command(&mut sim, 1, 2, scout.id, scout.pos);
    let (mut left, mut removed) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        let frames = sim.step();
        for v in views(&frames, 1) {
            left.extend(v.left);
        }
        for f in entity_frames(&frames, LINK) {
            removed.extend(f.removed);
        }
    }
    for p in &pirates {
        assert!(left.contains(p), "pirate {p} never left the view");
        assert!(removed.contains(p), "pirate {p} never left the mirror");
    }
}
