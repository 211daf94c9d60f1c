//! Vision stage: per empire, hexes within its units' vision ranges are visible, hexes seen
//! before are fog, the rest shroud; and the set of entities each empire sees now.

use super::components::*;
use super::{RegionPlugin, RegionSet};
use crate::map::disc;
use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, Hex, Visibility};
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

/// Recompute every (non-neutral) empire's vision from its units' positions and ranges.
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
            entities: Default::default(),
        });
    }
    let mut visible_now = vec![false; cells];
    for (empire, state) in vision.0.iter_mut() {
        visible_now.iter_mut().for_each(|v| *v = false);
        state.entities.clear();
        for (center, range) in by_empire.get(empire).map(Vec::as_slice).unwrap_or_default() {
            for h in disc(*center, *range) {
                if let Some(slot) = map.map.cell_index(h).and_then(|i| visible_now.get_mut(i)) {
                    *slot = true;
                }
            }
            grid.0.for_each_in_range(*center, *range, |id, _| {
                state.entities.insert(id);
            });
        }
        for (cell, now) in state.cells.iter_mut().zip(&visible_now) {
            *cell = match (*now, *cell) {
                (true, _) => Visibility::Visible,
                (false, Visibility::Shroud) => Visibility::Shroud,
                (false, _) => Visibility::Fog,
            };
        }
    }
}
