//! Simulation stage: units walk their paths; the spatial index follows positions.

use super::components::{Deposit, MoveTicks, Npc, Path, Position, StableId};
use super::resources::{CombatGrid, Dirty, Grid, WorldMap};
use super::schedule::{RegionPlugin, SimulationStep};
use super::skirmish::Skirmisher;
use bevy_ecs::prelude::*;

/// Installs movement and spatial indexing.
#[derive(Debug, Clone, Copy)]
pub struct SimulationPlugin;

impl RegionPlugin for SimulationPlugin {
    fn build(&self, _world: &mut World, schedule: &mut Schedule) {
        schedule.add_systems((
            move_units.in_set(SimulationStep::Move),
            index_positions.in_set(SimulationStep::Index),
        ));
    }
}

/// A unit with a path enters its next hex once it has spent its kind's ticks per hex.
/// A path blocked by a hex that became impassable is dropped.
fn move_units(map: Res<WorldMap>, mut units: Query<(&mut Position, &mut Path, &MoveTicks)>) {
    for (mut pos, mut path, ticks) in &mut units {
        if path.hexes.is_empty() || ticks.0 == 0 {
            continue;
        }
        path.progress += 1;
        if path.progress < ticks.0 {
            continue;
        }
        path.progress = 0;
        match path.hexes.pop_front() {
            Some(next) if map.map.is_passable(next) => pos.0 = next,
            _ => path.hexes.clear(),
        }
    }
}

/// Entities placed or moved this tick: id, where, whether an NPC or a resource field, and
/// whether a fighting NPC (the skirmish load's sides).
type Placed<'w, 's> = Query<
    'w,
    's,
    (
        &'static StableId,
        &'static Position,
        Has<Npc>,
        Has<Deposit>,
        Has<Skirmisher>,
    ),
    Changed<Position>,
>;

/// Keep the spatial grids and the save set in step with moved (and new) entities: NPCs are
/// never saved, and only combatants (skirmishers among the NPCs) are in the combat grid.
fn index_positions(
    (mut grid, mut combat): (ResMut<Grid>, ResMut<CombatGrid>),
    mut dirty: ResMut<Dirty>,
    moved: Placed,
) {
    for (id, pos, npc, deposit, fights) in &moved {
        grid.0.upsert(id.0, pos.0);
        if (!npc || fights) && !deposit {
            combat.0.upsert(id.0, pos.0);
        }
        if !npc {
            dirty.0.insert(id.0);
        }
    }
}
