//! Vision stage: per empire, hexes within its units' vision ranges are visible, hexes seen
//! before are fog, the rest shroud; and the set of entities each empire sees now.

use super::components::{NEUTRAL_EMPIRE, Owner, Position, VisionRange};
use super::resources::{Grid, WorldMap};
use super::schedule::{RegionPlugin, RegionSet};
use crate::map::{GameMap, SpatialGrid, disc};
use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, EntityId, Hex, Visibility};
use std::collections::HashMap;

/// Installs the vision resource and system.
#[derive(Debug, Clone, Copy)]
pub struct VisionPlugin;

impl RegionPlugin for VisionPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(Vision::default());
        schedule.add_systems(compute_vision.in_set(RegionSet::Vision));
    }
}

/// Per-empire vision: cell states and the entities it sees now, computed once per tick and
/// shared by every session of the empire.
#[derive(Debug, Clone, Default)]
pub struct EmpireVision {
    /// Visibility per map cell (indexed like `GameMap::cells`).
    pub cells: Vec<Visibility>,
    /// Indexes of the cells whose visibility changed in the last computation.
    pub changed: Vec<u32>,
    /// Entities inside the empire's current vision, sorted and without duplicates.
    pub entities: Vec<EntityId>,
}

impl EmpireVision {
    /// Whether the empire currently sees entity `id`.
    pub fn sees(&self, id: EntityId) -> bool {
        self.entities.binary_search(&id).is_ok()
    }
}

/// Vision of every empire, recomputed each tick.
#[derive(Resource, Debug, Default)]
pub struct Vision(pub HashMap<EmpireId, EmpireVision>);

/// Recompute every (non-neutral) empire's vision from its units' positions and ranges, once
/// per empire whatever the number of its sessions.
fn compute_vision(
    map: Res<WorldMap>,
    grid: Res<Grid>,
    mut vision: ResMut<Vision>,
    observers: Query<(&Owner, &Position, &VisionRange)>,
) {
    let mut by_empire: HashMap<EmpireId, Vec<(Hex, u32)>> = HashMap::new();
    for (owner, pos, range) in &observers {
        if owner.0 != NEUTRAL_EMPIRE {
            by_empire.entry(owner.0).or_default().push((pos.0, range.0));
        }
    }
    let cells = map.map.cell_count();
    for empire in by_empire.keys() {
        vision.0.entry(*empire).or_insert_with(|| EmpireVision {
            cells: vec![Visibility::Shroud; cells],
            ..Default::default()
        });
    }
    let mut visible_now = Vec::with_capacity(cells);
    for (empire, state) in vision.0.iter_mut() {
        let observers = by_empire.get(empire).map(Vec::as_slice).unwrap_or_default();
        update_empire_vision(&map.map, &grid.0, observers, state, &mut visible_now);
    }
}

/// One empire's vision update, as the vision system runs it for every empire each tick:
/// hexes within range of `observers` (each a unit's position and vision range) become
/// visible, hexes seen before and not now become fog, never-seen hexes stay shroud;
/// `state.changed` lists the cells whose state changed, and `state.entities` becomes the
/// entities of `grid` in range of an observer (sorted, without duplicates).
///
/// `state.cells` is resized to the map (new cells shroud) if it does not match it;
/// `visible_now` is scratch space reused across calls.
pub fn update_empire_vision(
    map: &GameMap,
    grid: &SpatialGrid,
    observers: &[(Hex, u32)],
    state: &mut EmpireVision,
    visible_now: &mut Vec<bool>,
) {
    let cells = map.cell_count();
    state.cells.resize(cells, Visibility::Shroud);
    visible_now.clear();
    visible_now.resize(cells, false);
    state.entities.clear();
    state.changed.clear();
    for (center, range) in observers {
        for h in disc(*center, *range) {
            if let Some(slot) = map.cell_index(h).and_then(|i| visible_now.get_mut(i)) {
                *slot = true;
            }
        }
        grid.for_each_in_range(*center, *range, |id, _| state.entities.push(id));
    }
    state.entities.sort_unstable();
    state.entities.dedup();
    for (i, (cell, now)) in state.cells.iter_mut().zip(visible_now.iter()).enumerate() {
        let next = match (*now, *cell) {
            (true, _) => Visibility::Visible,
            (false, Visibility::Shroud) => Visibility::Shroud,
            (false, _) => Visibility::Fog,
        };
        if next != *cell {
            *cell = next;
            // The map has far fewer than 2^32 cells.
            state.changed.push(i as u32);
        }
    }
}
