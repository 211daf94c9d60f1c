//! Vision stage: per empire, hexes within its units' vision ranges are visible, hexes seen
//! before are fog, the rest shroud; and the set of entities each empire sees now.

use super::components::{NEUTRAL_EMPIRE, Owner, Position, VisionRange};
use super::resources::{Grid, WorldMap};
use super::schedule::{RegionPlugin, RegionSet};
use crate::map::{GameMap, SpatialGrid, disc};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
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
    /// Indexes of the cells visible now (each once, in no order).
    visible: Vec<u32>,
    /// The previous `visible`, kept for its allocation.
    scratch: Vec<u32>,
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

/// Scratch space of [`compute_vision`], reused across ticks.
#[derive(Debug, Default)]
struct SystemScratch {
    /// Observers per empire (emptied, not dropped, each tick).
    by_empire: HashMap<EmpireId, Vec<(Hex, u32)>>,
    /// What [`update_empire_vision`] reuses.
    updates: VisionScratch,
}

/// Scratch space of [`update_empire_vision`]: cell marks (all false between calls), and the
/// entities in range of each (hex, range) looked up since [`VisionScratch::new_tick`], so
/// that empires whose observers stand on the same hex (a spawn area, a fleet) share one
/// spatial query.
#[derive(Debug, Default)]
pub struct VisionScratch {
    marks: Vec<bool>,
    /// Where in `ids` the entities in range of a (hex, range) lie, and whether that slice
    /// is sorted yet (only an empire of one observer needs it so).
    in_range: FxHashMap<(Hex, u32), (usize, usize, bool)>,
    ids: Vec<EntityId>,
}

impl VisionScratch {
    /// Forget the spatial queries: the grid may have changed since.
    pub fn new_tick(&mut self) {
        self.in_range.clear();
        self.ids.clear();
    }
}

/// Update every (non-neutral) empire's vision from its units' positions and ranges, once
/// per empire whatever the number of its sessions.
fn compute_vision(
    map: Res<WorldMap>,
    grid: Res<Grid>,
    mut vision: ResMut<Vision>,
    observers: Query<(&Owner, &Position, &VisionRange)>,
    mut scratch: Local<SystemScratch>,
) {
    let SystemScratch { by_empire, updates } = &mut *scratch;
    updates.new_tick();
    by_empire.values_mut().for_each(Vec::clear);
    for (owner, pos, range) in &observers {
        if owner.0 != NEUTRAL_EMPIRE {
            by_empire.entry(owner.0).or_default().push((pos.0, range.0));
        }
    }
    let cells = map.map.cell_count();
    for (empire, list) in by_empire.iter() {
        if !list.is_empty() {
            vision.0.entry(*empire).or_insert_with(|| EmpireVision {
                cells: vec![Visibility::Shroud; cells],
                ..Default::default()
            });
        }
    }
    for (empire, state) in vision.0.iter_mut() {
        let observers = by_empire.get(empire).map(Vec::as_slice).unwrap_or_default();
        update_empire_vision(&map.map, &grid.0, observers, state, updates);
    }
}

/// One empire's vision update, as the vision system runs it for every empire each tick:
/// hexes within range of `observers` (each a unit's position and vision range) become
/// visible, hexes seen before and not now become fog, never-seen hexes stay shroud;
/// `state.changed` lists the cells whose state changed (ascending), and `state.entities`
/// becomes the entities of `grid` in range of an observer (sorted, without duplicates).
///
/// The cost follows the observers' discs and the cells visible last time, not the map: only
/// cells that are or were visible can change. `state.cells` is resized to the map (new cells
/// shroud) if it does not match it. `scratch` is reused across calls; call
/// [`VisionScratch::new_tick`] whenever `grid` changed.
pub fn update_empire_vision(
    map: &GameMap,
    grid: &SpatialGrid,
    observers: &[(Hex, u32)],
    state: &mut EmpireVision,
    scratch: &mut VisionScratch,
) {
    let cells = map.cell_count();
    state.cells.resize(cells, Visibility::Shroud);
    if scratch.marks.len() < cells {
        scratch.marks.resize(cells, false);
    }
    state.changed.clear();
    let mut now = std::mem::take(&mut state.scratch);
    now.clear();
    for (center, range) in observers {
        mark_disc(map, *center, *range, &mut scratch.marks, &mut now);
    }
    scratch.entities_in_sight(grid, observers, &mut state.entities);
    apply_cell_changes(state, &scratch.marks, &now);
    for i in &now {
        if let Some(mark) = scratch.marks.get_mut(*i as usize) {
            *mark = false;
        }
    }
    state.scratch = std::mem::replace(&mut state.visible, now);
}

/// Mark the cells of the disc around `center` in `marks`, adding each newly marked one to
/// `now`.
fn mark_disc(map: &GameMap, center: Hex, range: u32, marks: &mut [bool], now: &mut Vec<u32>) {
    for h in disc(center, range) {
        let Some(i) = map.cell_index(h) else { continue };
        if let Some(mark) = marks.get_mut(i).filter(|m| !**m) {
            *mark = true;
            // The map has far fewer than 2^32 cells.
            now.push(i as u32);
        }
    }
}

impl VisionScratch {
    /// Set `out` to the entities of `grid` in range of `observers`, sorted and distinct,
    /// making each (hex, range) query once per tick.
    fn entities_in_sight(
        &mut self,
        grid: &SpatialGrid,
        observers: &[(Hex, u32)],
        out: &mut Vec<EntityId>,
    ) {
        out.clear();
        let Self { in_range, ids, .. } = self;
        for (center, range) in observers {
            let (start, end, sorted) = in_range.entry((*center, *range)).or_insert_with(|| {
                let start = ids.len();
                grid.for_each_in_range(*center, *range, |id, _| ids.push(id));
                (start, ids.len(), false)
            });
            if let Some(found) = ids.get_mut(*start..*end) {
                if observers.len() == 1 && !*sorted {
                    // One observer's slice, sorted, is the answer: the grid holds each id once.
                    found.sort_unstable();
                    *sorted = true;
                }
                out.extend_from_slice(found);
            }
        }
        if observers.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

/// Cells marked now (`now`, with their `marks`) become visible, cells visible before and not
/// now become fog; `state.changed` lists them, ascending.
fn apply_cell_changes(state: &mut EmpireVision, marks: &[bool], now: &[u32]) {
    for i in now {
        if let Some(cell) = state.cells.get_mut(*i as usize)
            && *cell != Visibility::Visible
        {
            *cell = Visibility::Visible;
            state.changed.push(*i);
        }
    }
    for i in &state.visible {
        let seen_now = marks.get(*i as usize).copied().unwrap_or(false);
        if let Some(cell) = state.cells.get_mut(*i as usize)
            && !seen_now
            && *cell == Visibility::Visible
        {
            *cell = Visibility::Fog;
            state.changed.push(*i);
        }
    }
    state.changed.sort_unstable();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the incremental update must match: every cell of the map looked at.
    fn full_scan(map: &GameMap, observers: &[(Hex, u32)], cells: &mut [Visibility]) -> Vec<u32> {
        let mut visible = vec![false; cells.len()];
        for (center, range) in observers {
            for h in disc(*center, *range) {
                if let Some(i) = map.cell_index(h) {
                    visible[i] = true;
                }
            }
        }
        let mut changed = Vec::new();
        for (i, (cell, now)) in cells.iter_mut().zip(visible).enumerate() {
            let next = match (now, *cell) {
                (true, _) => Visibility::Visible,
                (false, Visibility::Shroud) => Visibility::Shroud,
                (false, _) => Visibility::Fog,
            };
            if next != *cell {
                *cell = next;
                changed.push(i as u32);
            }
        }
        changed
    }

    /// Observers that wander, appear and vanish over many ticks among wandering entities
    /// (two empires sharing the scratch, sometimes on the same hex): cells and changes match
    /// the full scan, and the entities a lookup of every observer, every tick.
    #[test]
    fn incremental_update_matches_a_full_scan() {
        let map = GameMap::generate(4, 7, 10);
        let mut grid = SpatialGrid::new(8);
        let cells = map.cells().to_vec();
        let mut rng = 0x5eed_u64;
        let mut pick = |n: usize| {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((rng >> 33) % n as u64) as usize
        };
        let mut scratch = VisionScratch::default();
        let mut empires = [EmpireVision::default(), EmpireVision::default()];
        let mut expected = [
            vec![Visibility::Shroud; cells.len()],
            vec![Visibility::Shroud; cells.len()],
        ];
        let mut observers: [Vec<(Hex, u32)>; 2] = [Vec::new(), Vec::new()];
        let mut fogged = 0;
        let mut shared = 0;
        for _ in 0..300 {
            for id in 1..=40 {
                grid.upsert(id, cells[pick(cells.len())]);
            }
            if pick(3) == 0
                && let (Some(a), Some(b)) =
                    (observers[0].first().copied(), observers[1].first_mut())
            {
                *b = a;
                shared += 1;
            }
            scratch.new_tick();
            for list in &mut observers {
                match pick(4) {
                    0 if list.len() < 6 => list.push((cells[pick(cells.len())], pick(4) as u32)),
                    1 if !list.is_empty() => {
                        list.swap_remove(pick(list.len()));
                    }
                    _ => {
                        if let Some(o) = list.first_mut() {
                            o.0 = cells[pick(cells.len())];
                        }
                    }
                }
            }
            for e in 0..2 {
                update_empire_vision(&map, &grid, &observers[e], &mut empires[e], &mut scratch);
                let changed = full_scan(&map, &observers[e], &mut expected[e]);
                assert_eq!(empires[e].cells, expected[e]);
                assert_eq!(empires[e].changed, changed);
                let mut entities = Vec::new();
                for (center, range) in &observers[e] {
                    entities.extend(grid.in_range(*center, *range));
                }
                entities.sort_unstable();
                entities.dedup();
                assert_eq!(empires[e].entities, entities);
            }
            assert!(scratch.marks.iter().all(|m| !m), "marks are left clear");
            fogged += expected[0]
                .iter()
                .filter(|c| **c == Visibility::Fog)
                .count();
        }
        assert!(fogged > 0, "the walk left fog behind");
        assert!(shared > 0, "the empires shared a hex");
    }
}
