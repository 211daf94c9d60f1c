//! Helpers shared by the headless region tests: a region with one edge link, joins, frame
//! filters and a model edge that replays the link's frames.
#![allow(dead_code)]

pub mod combat;
pub mod economy;

use starlane_game::map::GameMap;
use starlane_game::records::EmpireRecord;
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_game::{EconomyConfig, RegionConfig};
use starlane_protocol::link::{
    EntityFrame, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId, ToClient, ViewChange,
};
use starlane_protocol::{EmpireId, EntityId, EntityState, Visibility};
use std::collections::{BTreeSet, HashMap};

/// The link every helper uses unless told otherwise.
pub const LINK: LinkId = 1;

/// A region on `map` with its units loaded and link [`LINK`] opened (on the next step).
pub fn sim_on(config: RegionConfig, map: GameMap) -> RegionSim {
    let mut sim = RegionSim::new(config, map);
    sim.load_units(&[]);
    sim.push(TickInput::LinkOpened { link: LINK });
    sim
}

/// `[economy]` without the starting station and the resource fields, for tests of other
/// rules that count entities.
pub fn bare_economy() -> EconomyConfig {
    EconomyConfig {
        start_station: false,
        fields_per_chunk: 0,
        ..EconomyConfig::default()
    }
}

/// [`sim_on`] a one-chunk map of radius 9 with no asteroids and no pirates: only the units
/// a test places.
pub fn quiet_sim() -> RegionSim {
    let config = RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        economy: bare_economy(),
        ..RegionConfig::default()
    };
    sim_on(config, GameMap::generate(9, 1, 0))
}

/// The input joining `session` on `link` as `empire` (user id = empire) at spawn `spawn`.
pub fn join_on(link: LinkId, session: SessionId, empire: EmpireId, spawn: u32) -> TickInput {
    TickInput::Join {
        link,
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

/// The `Social` messages for `session` in `frames`, in order.
pub fn social_msgs(
    frames: &[(LinkId, RegionToEdge)],
    session: SessionId,
) -> Vec<starlane_protocol::social::SocialMsg> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Social(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Every message for `session` in `frames`, in order.
pub fn session_msgs(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<LinkServerMsg> {
    frames
        .iter()
        .filter_map(|(_, f)| match f {
            RegionToEdge::ToClient(t) if t.session == session => Some(t.msgs.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The `View` messages for `session` in `frames`.
pub fn views(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<ViewChange> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::View(v) => Some(v),
            _ => None,
        })
        .collect()
}

/// The `Entities` frames for `link` in `frames`.
pub fn entity_frames(frames: &[(LinkId, RegionToEdge)], link: LinkId) -> Vec<EntityFrame> {
    frames
        .iter()
        .filter_map(|(l, f)| match f {
            RegionToEdge::Entities(e) if *l == link => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// Whether an entity frame says anything about `id`.
pub fn frame_mentions(f: &EntityFrame, id: EntityId) -> bool {
    f.appeared.iter().any(|e| e.id == id)
        || f.changed.iter().any(|c| c.id == id)
        || f.removed.contains(&id)
}

/// A model of one edge: its mirror and each session's view and hex visibility, rebuilt only
/// from the link's frames, checking the link's ordering and consistency rules on the way.
#[derive(Debug)]
pub struct ModelEdge {
    pub link: LinkId,
    pub cells: usize,
    pub mirror: HashMap<EntityId, EntityState>,
    pub views: HashMap<SessionId, BTreeSet<EntityId>>,
    pub vision: HashMap<SessionId, Vec<Visibility>>,
    pub frames: usize,
    pub resets: usize,
}

impl ModelEdge {
    pub fn new(link: LinkId, cells: usize) -> Self {
        Self {
            link,
            cells,
            mirror: HashMap::new(),
            views: HashMap::new(),
            vision: HashMap::new(),
            frames: 0,
            resets: 0,
        }
    }

    /// Apply one tick's frames (those of this model's link).
    pub fn apply(&mut self, sim: &RegionSim, frames: &[(LinkId, RegionToEdge)]) {
        for (link, f) in frames {
            if *link != self.link {
                continue;
            }
            match f {
                RegionToEdge::Entities(frame) => self.apply_entities(frame),
                RegionToEdge::ToClient(ToClient { session, msgs }) => {
                    for m in msgs {
                        if let LinkServerMsg::View(v) = m {
                            self.apply_view(sim, *session, v);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Check the frame against what this edge holds (nothing appears twice, nothing unknown
    /// changes or goes), then apply it as every edge does ([`EntityFrame::apply`]).
    fn apply_entities(&mut self, frame: &EntityFrame) {
        self.frames += 1;
        self.resets += usize::from(frame.reset);
        for s in frame.appeared.iter().filter(|_| !frame.reset) {
            assert!(
                !self.mirror.contains_key(&s.id),
                "{} appeared while held",
                s.id
            );
        }
        for c in &frame.changed {
            assert!(c.pos.is_some() || c.health.is_some(), "empty change");
        }
        let applied = frame.apply(&mut self.mirror);
        assert_eq!(applied.unknown_changes, 0, "a change of an id not held");
        assert_eq!(
            applied.removed,
            frame.removed.len(),
            "a removal of an id not held"
        );
    }

    fn apply_view(&mut self, sim: &RegionSim, session: SessionId, v: &ViewChange) {
        let view = self.views.entry(session).or_default();
        for id in &v.entered {
            assert!(
                self.mirror.contains_key(id),
                "{id} entered before its state"
            );
            assert!(view.insert(*id), "{id} entered twice");
        }
        for id in &v.left {
            assert!(view.remove(id), "{id} left without being in view");
        }
        let cells = self
            .vision
            .entry(session)
            .or_insert_with(|| vec![Visibility::Shroud; self.cells]);
        for c in &v.vision {
            let i = sim.map().cell_index(c.hex).expect("vision hex on the map");
            cells[i] = c.state;
        }
    }

    /// What the edge would show `session`: its view's ids with their mirrored states.
    pub fn session_states(&self, session: SessionId) -> HashMap<EntityId, EntityState> {
        self.views
            .get(&session)
            .into_iter()
            .flatten()
            .map(|id| {
                let s = self.mirror.get(id).expect("viewed entities are mirrored");
                (*id, s.clone())
            })
            .collect()
    }
}

/// The states, now, of the entities `empire` sees (from the region's world).
pub fn truth_of(sim: &mut RegionSim, empire: EmpireId) -> HashMap<EntityId, EntityState> {
    let seen = seen_by(sim, empire);
    let all: HashMap<EntityId, EntityState> = sim
        .all_units()
        .into_iter()
        .map(|u| {
            let s = EntityState {
                id: u.id,
                kind: u.kind,
                owner: u.owner,
                pos: u.pos,
                health: u.health,
            };
            (u.id, s)
        })
        .collect();
    seen.iter()
        .filter_map(|id| all.get(id).map(|s| (*id, s.clone())))
        .collect()
}

/// Move entity `id` to `to` directly (the spatial index follows on the next step).
pub fn teleport(sim: &mut RegionSim, id: EntityId, to: starlane_protocol::Hex) {
    let entity = sim
        .world_mut()
        .resource::<starlane_game::world::EntityIndex>()
        .by_id[&id];
    sim.world_mut()
        .get_mut::<starlane_game::world::Position>(entity)
        .expect("a unit has a position")
        .0 = to;
}

/// Set entity `id`'s health directly.
pub fn set_health(sim: &mut RegionSim, id: EntityId, health: u16) {
    let entity = sim
        .world_mut()
        .resource::<starlane_game::world::EntityIndex>()
        .by_id[&id];
    sim.world_mut()
        .get_mut::<starlane_game::world::Health>(entity)
        .expect("a unit has health")
        .0 = health;
}

/// Spawn a scout of `owner` at `pos`.
pub fn scout_at(sim: &mut RegionSim, owner: EmpireId, pos: starlane_protocol::Hex) -> EntityId {
    sim.spawn_unit(starlane_game::world::UnitSpec {
        id: None,
        owner,
        kind: starlane_protocol::EntityKind::Scout,
        pos,
        health: None,
    })
}

/// The ids `empire` sees now (sorted), by the definition, from the world's components: the
/// plain entities within vision range of one of its units, and the cloaked ones within
/// detection range of one (a cloaked unit detects its own hex). (The region keeps vision
/// incrementally; this is the reference it must match.)
pub fn seen_by(sim: &mut RegionSim, empire: EmpireId) -> Vec<EntityId> {
    use bevy_ecs::query::Has;
    use starlane_game::world::{Cloaked, Detector, Owner, Position, StableId, VisionRange};
    let world = sim.world_mut();
    let observers: Vec<(starlane_protocol::Hex, u32, Option<u32>)> = world
        .query::<(
            &Owner,
            &Position,
            &VisionRange,
            Option<&Detector>,
            Has<Cloaked>,
        )>()
        .iter(world)
        .filter(|(owner, ..)| owner.0 == empire)
        .map(|(_, pos, range, detector, cloaked)| {
            let detect = detector.map(|d| d.0).or(cloaked.then_some(0));
            (pos.0, range.0, detect.map(|d| d.min(range.0)))
        })
        .collect();
    let mut seen: Vec<EntityId> = world
        .query::<(&StableId, &Position, Has<Cloaked>)>()
        .iter(world)
        .filter(|(_, pos, cloaked)| {
            observers.iter().any(|(at, range, detect)| {
                let reach = if *cloaked { *detect } else { Some(*range) };
                reach.is_some_and(|r| at.distance(pos.0) <= r)
            })
        })
        .map(|(id, ..)| id.0)
        .collect();
    seen.sort_unstable();
    seen
}

/// A region on the default map with `npcs` NPCs of `pattern` spawned from `seed` (no pirates,
/// no starting station or fields) and link [`LINK`] opened on the next step.
pub fn load_sim(npcs: u32, pattern: starlane_game::NpcPattern, seed: u64) -> RegionSim {
    load_sim_with(RegionConfig::default(), npcs, pattern, seed)
}

/// [`load_sim`] on `config` (its pirates and economy set as there).
pub fn load_sim_with(
    config: RegionConfig,
    npcs: u32,
    pattern: starlane_game::NpcPattern,
    seed: u64,
) -> RegionSim {
    let config = RegionConfig {
        pirates: 0,
        economy: bare_economy(),
        ..config
    };
    let map = GameMap::generate(
        config.chunk_radius,
        config.map_seed,
        config.asteroid_percent,
    );
    let mut sim = RegionSim::new(config, map);
    sim.load_units(&[]);
    let load = starlane_game::LoadConfig {
        npc_count: npcs,
        pattern,
        npc_seed: seed,
    };
    assert_eq!(sim.spawn_load(&load), npcs as usize);
    sim.push(TickInput::LinkOpened { link: LINK });
    sim
}
