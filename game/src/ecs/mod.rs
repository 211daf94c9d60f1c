//! The region's ECS: components, resources, plugins and the headless [`RegionSim`].
//!
//! The schedule runs four system sets in order: [`RegionSet::Commands`] (joins, leaves,
//! validated commands), [`RegionSet::Simulation`] (movement, spatial index),
//! [`RegionSet::Vision`] (per-empire fog of war) and [`RegionSet::Sync`] (per-link entity
//! frames from the delta log, per-session views).

pub mod commands;
pub mod components;
pub mod movement;
pub mod npc;
pub mod sync;
pub mod timing;
pub mod vision;

pub use components::*;

use crate::config::{LoadConfig, RegionConfig};
use crate::map::{GameMap, SpatialGrid};
use crate::metrics::{TickSample, Truth};
use crate::persist::UnitRecord;
use bevy_ecs::prelude::*;
use starlane_protocol::link::RegionToEdge;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex};
use std::time::Instant;

/// The ordered stages of a tick.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionSet {
    /// Apply joins, leaves and player commands.
    Commands,
    /// Advance the simulation (movement) and the spatial index.
    Simulation,
    /// Recompute every empire's vision.
    Vision,
    /// Build per-link entity frames and per-session views.
    Sync,
}

/// One concern of the region (commands, simulation, vision, sync): inserts its resources
/// and adds its systems to its own set.
pub trait RegionPlugin {
    /// Install into `world` and `schedule`.
    fn build(&self, world: &mut World, schedule: &mut Schedule);
}

/// Size of a spatial grid cell in axial units.
const GRID_CELL: u32 = 8;

/// A region world and its schedule, stepped by the runtime's tick thread or by tests.
pub struct RegionSim {
    world: World,
    schedule: Schedule,
    last_sample: TickSample,
}

impl std::fmt::Debug for RegionSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionSim")
            .field("world", &self.world)
            .finish_non_exhaustive()
    }
}

/// What to spawn with [`RegionSim::spawn_unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitSpec {
    /// Reuse a stored id (loading), or `None` for a fresh one.
    pub id: Option<EntityId>,
    /// Owning empire.
    pub owner: EmpireId,
    /// Kind of unit.
    pub kind: EntityKind,
    /// Where it stands.
    pub pos: Hex,
    /// Health, or `None` for the kind's configured maximum.
    pub health: Option<u16>,
}

impl RegionSim {
    /// A world with the map and every plugin installed, and no entities.
    pub fn new(config: RegionConfig, map: GameMap) -> Self {
        let mut world = World::new();
        let mut schedule = Schedule::default();
        let info = map.info();
        world.insert_resource(Settings(config));
        world.insert_resource(Grid(SpatialGrid::new(GRID_CELL)));
        world.insert_resource(WorldMap { map, info });
        world.insert_resource(TickCount::default());
        world.insert_resource(EntityIndex {
            next_id: 1,
            ..Default::default()
        });
        world.insert_resource(Dirty::default());
        world.insert_resource(Counters::default());
        schedule.configure_sets(
            (
                RegionSet::Commands,
                RegionSet::Simulation,
                RegionSet::Vision,
                RegionSet::Sync,
            )
                .chain(),
        );
        let plugins: [&dyn RegionPlugin; 5] = [
            &commands::CommandPlugin,
            &movement::SimulationPlugin,
            &npc::NpcPlugin,
            &vision::VisionPlugin,
            &sync::SyncPlugin,
        ];
        for plugin in plugins {
            plugin.build(&mut world, &mut schedule);
        }
        timing::install(&mut world, &mut schedule);
        Self {
            world,
            schedule,
            last_sample: TickSample::default(),
        }
    }

    /// Mark the links whose outgoing frame queue is congested for the next
    /// [`RegionSim::step`] (replacing the previous set): the sync stage skips their entity
    /// frames and views until they are no longer marked, then catches them up.
    pub fn set_congested(&mut self, links: impl IntoIterator<Item = LinkId>) {
        let mut bp = self.world.resource_mut::<sync::LinkBackpressure>();
        bp.0.clear();
        bp.0.extend(links);
    }

    /// Queue an input for the next [`RegionSim::step`].
    pub fn push(&mut self, input: TickInput) {
        self.world.resource_mut::<Inbox>().0.push(input);
    }

    /// Run one tick and return the frames to send, per link. Its timing is in
    /// [`RegionSim::last_sample`].
    pub fn step(&mut self) -> Vec<(LinkId, RegionToEdge)> {
        let start = Instant::now();
        self.schedule.run(&mut self.world);
        let frames = self.world.resource_mut::<Outbox>().drain();
        let [commands_ns, simulation_ns, vision_ns, sync_ns] =
            self.world.resource::<timing::SetClock>().set_ns();
        self.last_sample = TickSample {
            tick: self.tick(),
            total_ns: u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX),
            commands_ns,
            simulation_ns,
            vision_ns,
            sync_ns,
            entities: self.entity_count(),
            sessions: self.session_count(),
        };
        frames
    }

    /// Timing of the last [`RegionSim::step`]: `total_ns` covers the schedule and draining
    /// the outbox (the runtime widens it to the whole tick).
    pub fn last_sample(&self) -> TickSample {
        self.last_sample
    }

    /// Entities in the world.
    pub fn entity_count(&self) -> u32 {
        let n = self.world.resource::<EntityIndex>().by_id.len();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Open sessions.
    pub fn session_count(&self) -> u32 {
        let n = self.world.resource::<Sessions>().map.len();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Every entity's position and health now (the bench's server truth).
    pub fn truth(&mut self) -> Truth {
        let tick = self.tick();
        let mut q = self.world.query::<(&StableId, &Position, &Health)>();
        let entities = q
            .iter(&self.world)
            .map(|(id, pos, health)| (id.0, (pos.0, health.0)))
            .collect();
        Truth {
            tick,
            at: Instant::now(),
            entities,
        }
    }

    /// Spawn synthetic NPC load (see `[load]`); returns how many units were spawned.
    pub fn spawn_load(&mut self, load: &LoadConfig) -> usize {
        npc::spawn_load(&mut self.world, load)
    }

    /// The current tick number.
    pub fn tick(&self) -> u32 {
        self.world.resource::<TickCount>().0
    }

    /// The map.
    pub fn map(&self) -> &GameMap {
        &self.world.resource::<WorldMap>().map
    }

    /// Counters of accepted and rejected work.
    pub fn counters(&self) -> Counters {
        self.world.resource::<Counters>().clone()
    }

    /// Direct access to the world (tests, tools).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Spawn a unit with the kind's configured stats; returns its stable id.
    pub fn spawn_unit(&mut self, spec: UnitSpec) -> EntityId {
        spawn_unit(&mut self.world, spec)
    }

    /// Position of a unit by stable id.
    pub fn position_of(&self, id: EntityId) -> Option<Hex> {
        let entity = *self.world.resource::<EntityIndex>().by_id.get(&id)?;
        self.world.get::<Position>(entity).map(|p| p.0)
    }

    /// Units owned by `empire`, sorted by id.
    pub fn units_of(&mut self, empire: EmpireId) -> Vec<UnitRecord> {
        let mut out: Vec<UnitRecord> = self
            .all_units()
            .into_iter()
            .filter(|u| u.owner == empire)
            .collect();
        out.sort_by_key(|u| u.id);
        out
    }

    /// Every unit, as stored.
    pub fn all_units(&mut self) -> Vec<UnitRecord> {
        let mut q = self
            .world
            .query::<(&StableId, &Owner, &Kind, &Position, &Health)>();
        q.iter(&self.world)
            .map(|(id, owner, kind, pos, health)| UnitRecord {
                id: id.0,
                owner: owner.0,
                kind: kind.0,
                pos: pos.0,
                health: health.0,
            })
            .collect()
    }

    /// Units changed since the last call (for the periodic save).
    pub fn take_dirty(&mut self) -> Vec<UnitRecord> {
        let dirty = std::mem::take(&mut self.world.resource_mut::<Dirty>().0);
        let index = self.world.resource::<EntityIndex>();
        let world = &self.world;
        dirty
            .into_iter()
            .filter_map(|id| {
                let e = world.get_entity(*index.by_id.get(&id)?).ok()?;
                Some(UnitRecord {
                    id,
                    owner: e.get::<Owner>()?.0,
                    kind: e.get::<Kind>()?.0,
                    pos: e.get::<Position>()?.0,
                    health: e.get::<Health>()?.0,
                })
            })
            .collect()
    }

    /// Mark units dirty again (their save could not be queued; the next save takes them).
    pub fn restore_dirty(&mut self, ids: impl IntoIterator<Item = EntityId>) {
        self.world.resource_mut::<Dirty>().0.extend(ids);
    }

    /// Load stored units, moving any that stand off the map or on an asteroid (after a map
    /// change) to the nearest passable hex. Spawns the configured pirates if none were stored.
    pub fn load_units(&mut self, units: &[UnitRecord]) {
        for u in units {
            let map = self.map();
            let pos = if map.is_passable(u.pos) {
                Some(u.pos)
            } else {
                map.nearest_passable(u.pos)
            };
            let Some(pos) = pos else { continue };
            self.spawn_unit(UnitSpec {
                id: Some(u.id),
                owner: u.owner,
                kind: u.kind,
                pos,
                health: Some(u.health),
            });
        }
        // Loaded units are already stored (except moved ones, which stay dirty).
        let moved: Vec<EntityId> = units
            .iter()
            .filter(|u| !self.map().is_passable(u.pos))
            .map(|u| u.id)
            .collect();
        self.world.resource_mut::<Dirty>().0 = moved.into_iter().collect();
        let pirates = self.world.resource::<Settings>().0.pirates as usize;
        let have = self
            .world
            .resource::<EntityIndex>()
            .units_of
            .get(&NEUTRAL_EMPIRE)
            .copied();
        if have.unwrap_or(0) == 0 && pirates > 0 {
            let den = self.map().pirate_den();
            for (i, pos) in self.map().placements(den, pirates).into_iter().enumerate() {
                let kind = if i % 2 == 0 {
                    EntityKind::Frigate
                } else {
                    EntityKind::Scout
                };
                self.spawn_unit(UnitSpec {
                    id: None,
                    owner: NEUTRAL_EMPIRE,
                    kind,
                    pos,
                    health: None,
                });
            }
        }
    }
}

/// Spawn a unit into `world` (which must hold the region resources); returns its stable id.
pub fn spawn_unit(world: &mut World, spec: UnitSpec) -> EntityId {
    spawn_entity(world, spec).0
}

/// [`spawn_unit`], also returning the ECS entity.
pub(crate) fn spawn_entity(world: &mut World, spec: UnitSpec) -> (EntityId, Entity) {
    let cfg = &world.resource::<Settings>().0;
    let vision = cfg.vision.get(spec.kind);
    let move_ticks = cfg.move_ticks.get(spec.kind);
    let max_health = u16::try_from(cfg.health.get(spec.kind)).unwrap_or(u16::MAX);
    let mut index = world.resource_mut::<EntityIndex>();
    let id = spec.id.unwrap_or(index.next_id);
    index.next_id = index.next_id.max(id.saturating_add(1));
    let entity = world
        .spawn((
            StableId(id),
            Owner(spec.owner),
            Kind(spec.kind),
            Position(spec.pos),
            Health(spec.health.unwrap_or(max_health)),
            Path::default(),
            MoveTicks(move_ticks),
            VisionRange(vision),
        ))
        .id();
    let mut index = world.resource_mut::<EntityIndex>();
    index.by_id.insert(id, entity);
    *index.units_of.entry(spec.owner).or_default() += 1;
    world.resource_mut::<Grid>().0.upsert(id, spec.pos);
    world.resource_mut::<Dirty>().0.insert(id);
    (id, entity)
}
