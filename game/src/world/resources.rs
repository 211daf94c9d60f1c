//! The world's shared resources (the map, the spatial index, the entity index, the tick
//! counter, the save set, the counters, the tick's inbox and outbox) and the [`CorePlugin`]
//! that installs them and advances the tick.

use super::io::{Inbox, Outbox};
use super::schedule::{CommandStep, RegionPlugin};
use crate::map::{GameMap, SpatialGrid};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
use starlane_protocol::{CommandError, EmpireId, EntityId, MapInfo};
use std::collections::{BTreeSet, HashMap};

/// Size of a spatial grid cell in axial units.
pub(crate) const GRID_CELL: u32 = 8;

/// Installs the map, the spatial grid, the entity index, the tick counter, the save set and
/// the counters; advances the tick counter first thing each tick.
#[derive(Debug, Clone)]
pub struct CorePlugin {
    /// The region's map.
    pub map: GameMap,
}

impl RegionPlugin for CorePlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        let info = self.map.info();
        world.insert_resource(WorldMap {
            map: self.map.clone(),
            info,
        });
        world.insert_resource(Grid(SpatialGrid::new(GRID_CELL)));
        world.insert_resource(CombatGrid(SpatialGrid::new(GRID_CELL)));
        world.insert_resource(TickCount::default());
        world.insert_resource(EntityIndex {
            next_id: 1,
            ..Default::default()
        });
        world.insert_resource(Dirty::default());
        world.insert_resource(Counters::default());
        world.insert_resource(Inbox::default());
        world.insert_resource(Outbox::default());
        schedule.add_systems(advance_tick.in_set(CommandStep::Advance));
    }
}

fn advance_tick(mut tick: ResMut<TickCount>) {
    tick.0 = tick.0.wrapping_add(1);
}

/// The static map and its client description.
#[derive(Resource, Debug, Clone)]
pub struct WorldMap {
    /// The map.
    pub map: GameMap,
    /// What `Joined` carries.
    pub info: MapInfo,
}

/// Spatial index of entity positions.
#[derive(Resource, Debug, Clone)]
pub struct Grid(pub SpatialGrid);

/// Spatial index of the combatants only (not the synthetic NPC load, not resource fields):
/// what target acquisition scans, so idle armed units in a crowd of non-combatants look at
/// the few entities they may fire at. Entities enter it at the movement index step after
/// they spawn or move, and leave it when they are despawned.
#[derive(Resource, Debug, Clone)]
pub struct CombatGrid(pub SpatialGrid);

/// Ticks run so far (the current tick number during a tick).
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct TickCount(pub u32);

/// Stable id -> ECS entity, plus the next id to assign and units per empire.
#[derive(Resource, Debug, Default)]
pub struct EntityIndex {
    /// Live entities by stable id (looked up per entity per tick by sync, fire and the
    /// command checks: Fx, the ids are the region's own).
    pub by_id: FxHashMap<EntityId, Entity>,
    /// Next stable id handed out.
    pub next_id: EntityId,
    /// Number of units each empire owns.
    pub units_of: FxHashMap<EmpireId, u32>,
}

/// Entities whose persisted state changed since the last save.
#[derive(Resource, Debug, Default)]
pub struct Dirty(pub BTreeSet<EntityId>);

/// Counters of what the tick did, for logs and tests.
#[derive(Resource, Debug, Default, Clone)]
pub struct Counters {
    /// Commands accepted.
    pub commands_ok: u64,
    /// Commands rejected, by error.
    pub commands_rejected: HashMap<CommandError, u64>,
    /// Commands for sessions the region does not know (dropped).
    pub commands_unknown_session: u64,
    /// Sessions opened.
    pub joins: u64,
    /// Join results dropped because their link had closed.
    pub joins_dropped: u64,
    /// `View` messages sent to sessions.
    pub views: u64,
    /// `Entities` frames sent to links.
    pub entity_frames: u64,
    /// Of those, full resyncs (`reset`).
    pub resets: u64,
    /// Link-ticks skipped because the link was congested.
    pub congested_skips: u64,
    /// Shots that hit (combat).
    pub shots: u64,
    /// Units destroyed in combat.
    pub destroyed: u64,
}
