//! The vision index: per empire, which map cells its observers cover and what it sees, kept
//! up to date from the changes of a tick (entities that moved, observers that moved, appeared
//! or vanished) rather than computed again from every observer each tick. A static observer
//! costs nothing per tick; a moved entity costs the empires watching its old and new hex.
//!
//! Plain data, no ECS: the vision system feeds it with [`Vision::locate`] and
//! [`Vision::set_observer`] and closes each tick with [`Vision::finish_tick`].

use crate::map::{GameMap, disc};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityId, Hex, Visibility};

/// An observing unit: its empire, where it stands and how far it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observer {
    /// The empire that sees through it.
    pub empire: EmpireId,
    /// Its position.
    pub hex: Hex,
    /// Its vision range in hexes.
    pub range: u32,
}

/// One empire's vision: cell states, and what changed in the last finished tick.
#[derive(Debug, Clone, Default)]
pub struct EmpireVision {
    /// Visibility per map cell (indexed like `GameMap::cells`).
    pub cells: Vec<Visibility>,
    /// Cells whose visibility changed in the last finished tick, ascending.
    pub changed: Vec<u32>,
    /// Entities that came into sight in the last finished tick, sorted.
    pub entered: Vec<EntityId>,
    /// Entities that went out of sight in the last finished tick, sorted.
    pub left: Vec<EntityId>,
    /// Observers covering each cell, for the cells covered by at least one.
    cover: FxHashMap<u32, u32>,
    /// Cells whose cover went to or from zero since the last finished tick.
    touched: Vec<u32>,
    /// Entities that came into (+1) or went out of (-1) sight since the last finished tick,
    /// in the order it happened; each one flips the entity's membership, so the sum per id
    /// is the net change.
    flips: Vec<(EntityId, i8)>,
    /// Whether the empire is listed in `Vision::dirty`.
    dirty: bool,
}

/// Vision of every empire, kept incrementally. Between ticks (after
/// [`Vision::finish_tick`]), an empire sees entity `e` exactly when `e`'s hex is visible to
/// it.
#[derive(Resource, Debug, Default)]
pub struct Vision {
    /// Entities on each map cell.
    pub(super) occupants: Vec<Vec<EntityId>>,
    /// Empires each map cell is visible to (`cells[i] == Visible`), sorted.
    pub(super) watchers: Vec<Vec<EmpireId>>,
    /// The cell of every located entity.
    pub(super) located: FxHashMap<EntityId, u32>,
    /// Every observer, by its entity id.
    pub(super) observers: FxHashMap<EntityId, Observer>,
    /// Every empire that ever had an observer, or saw through one by a grant, or had its
    /// explored cells restored.
    pub(super) empires: FxHashMap<EmpireId, EmpireVision>,
    /// Empires with changes since the last finished tick.
    pub(super) dirty: Vec<EmpireId>,
    /// Empires whose `changed`, `entered` or `left` hold the last finished tick's changes.
    pub(super) published: Vec<EmpireId>,
    /// Per granting empire, the empires that see through its observers (shared vision),
    /// sorted.
    pub(super) grants: FxHashMap<EmpireId, Vec<EmpireId>>,
}

impl Vision {
    /// An empty index for `map`.
    pub fn new(map: &GameMap) -> Self {
        let mut vision = Self::default();
        vision.fit(map);
        vision
    }

    /// Size the per-cell tables for `map` (a no-op once they are).
    pub fn fit(&mut self, map: &GameMap) {
        let cells = map.cell_count();
        if self.occupants.len() < cells {
            self.occupants.resize_with(cells, Vec::new);
            self.watchers.resize_with(cells, Vec::new);
        }
    }

    /// The vision of `empire`, if it ever had an observer.
    pub fn empire(&self, empire: EmpireId) -> Option<&EmpireVision> {
        self.empires.get(&empire)
    }

    /// Whether `empire` sees entity `id` now.
    pub fn sees(&self, empire: EmpireId, id: EntityId) -> bool {
        let Some(cell) = self.located.get(&id) else {
            return false;
        };
        self.empires
            .get(&empire)
            .and_then(|v| v.cells.get(*cell as usize))
            .is_some_and(|c| *c == Visibility::Visible)
    }

    /// Set `out` to every entity `empire` sees now, sorted.
    pub fn entities(&self, empire: EmpireId, out: &mut Vec<EntityId>) {
        out.clear();
        if let Some(v) = self.empires.get(&empire) {
            for cell in v.cover.keys() {
                if let Some(here) = self.occupants.get(*cell as usize) {
                    out.extend_from_slice(here);
                }
            }
        }
        out.sort_unstable();
    }

    /// The empires whose `changed`, `entered` or `left` hold the last finished tick's
    /// changes (the others' are empty).
    pub fn changed_empires(&self) -> &[EmpireId] {
        &self.published
    }

    /// Number of located entities.
    pub fn located(&self) -> usize {
        self.located.len()
    }

    /// Entity `id` is now at `to` (`None`: gone, or off the map).
    pub fn locate(&mut self, map: &GameMap, id: EntityId, to: Option<Hex>) {
        let to = to.and_then(|h| cell_of(map, h));
        let from = match to {
            Some(cell) => self.located.insert(id, cell),
            None => self.located.remove(&id),
        };
        if from == to {
            return;
        }
        let Self {
            occupants,
            watchers,
            empires,
            dirty,
            ..
        } = self;
        if let Some(here) = from.and_then(|a| occupants.get_mut(a as usize))
            && let Some(at) = here.iter().position(|e| *e == id)
        {
            here.swap_remove(at);
        }
        if let Some(here) = to.and_then(|b| occupants.get_mut(b as usize)) {
            here.push(id);
        }
        // Membership follows the cell states of the last finished tick (cells that change
        // state this tick flip their occupants in `finish_tick`): the empires watching one
        // of the two cells and not the other see the entity leave or come.
        let empty = Vec::new();
        let list = |cell: Option<u32>| {
            cell.and_then(|c| watchers.get(c as usize))
                .unwrap_or(&empty)
        };
        merge_sorted(list(from), list(to), |empire, sign| {
            if let Some(v) = empires.get_mut(&empire) {
                v.flips.push((id, sign));
                mark_dirty(v, empire, dirty);
            }
        });
    }

    /// Entity `id` now observes as `observer` (`None`: it no longer observes).
    pub fn set_observer(&mut self, map: &GameMap, id: EntityId, observer: Option<Observer>) {
        let old = match observer {
            Some(o) => self.observers.insert(id, o),
            None => self.observers.remove(&id),
        };
        if old == observer {
            return;
        }
        if let Some(o) = old {
            self.cover(map, o, uncover_step);
        }
        if let Some(o) = observer {
            self.cover(map, o, cover_step);
        }
    }

    /// Apply `step` to the cover counts of `o`'s disc for its empire and every empire its
    /// empire shares its vision with.
    fn cover(&mut self, map: &GameMap, o: Observer, step: fn(&mut u32) -> bool) {
        let Self {
            empires,
            dirty,
            grants,
            ..
        } = self;
        cover_for(map, empires, dirty, o.empire, o, step);
        for viewer in grants.get(&o.empire).into_iter().flatten() {
            cover_for(map, empires, dirty, *viewer, o, step);
        }
    }

    /// Close the tick: cells whose cover crossed zero become visible or fog, and every
    /// changed empire's `changed`, `entered` and `left` say what changed since the last
    /// call (the other empires' are emptied).
    pub fn finish_tick(&mut self) {
        let Self {
            occupants,
            watchers,
            empires,
            dirty,
            published,
            ..
        } = self;
        for empire in published.drain(..) {
            if let Some(v) = empires.get_mut(&empire) {
                v.changed.clear();
                v.entered.clear();
                v.left.clear();
            }
        }
        for empire in dirty.drain(..) {
            let Some(v) = empires.get_mut(&empire) else {
                continue;
            };
            v.dirty = false;
            settle_cells(v, empire, occupants, watchers);
            settle_flips(v);
            published.push(empire);
        }
    }
}

/// Apply `step` to the cover count, in `viewer`'s vision, of every on-map cell of `o`'s
/// disc; a cell for which it returns true crossed zero.
pub(super) fn cover_for(
    map: &GameMap,
    empires: &mut FxHashMap<EmpireId, EmpireVision>,
    dirty: &mut Vec<EmpireId>,
    viewer: EmpireId,
    o: Observer,
    step: fn(&mut u32) -> bool,
) {
    let v = vision_of(empires, viewer, map.cell_count());
    for h in disc(o.hex, o.range) {
        let Some(cell) = cell_of(map, h) else {
            continue;
        };
        let count = v.cover.entry(cell).or_insert(0);
        if step(count) {
            v.touched.push(cell);
        }
        if *count == 0 {
            v.cover.remove(&cell);
        }
    }
    mark_dirty(v, viewer, dirty);
}

/// `empire`'s vision, all shroud if it had none.
pub(super) fn vision_of(
    empires: &mut FxHashMap<EmpireId, EmpireVision>,
    empire: EmpireId,
    cells: usize,
) -> &mut EmpireVision {
    empires.entry(empire).or_insert_with(|| EmpireVision {
        cells: vec![Visibility::Shroud; cells],
        ..EmpireVision::default()
    })
}

/// One more observer covers the cell: true when it was uncovered.
pub(super) fn cover_step(count: &mut u32) -> bool {
    *count += 1;
    *count == 1
}

/// One observer fewer covers the cell: true when none is left.
pub(super) fn uncover_step(count: &mut u32) -> bool {
    *count = count.saturating_sub(1);
    *count == 0
}

/// The cell index of `h`, if on the map (a map has far fewer than 2^32 cells).
pub(super) fn cell_of(map: &GameMap, h: Hex) -> Option<u32> {
    map.cell_index(h).and_then(|i| u32::try_from(i).ok())
}

fn mark_dirty(v: &mut EmpireVision, empire: EmpireId, dirty: &mut Vec<EmpireId>) {
    if !v.dirty {
        v.dirty = true;
        dirty.push(empire);
    }
}

/// Touched cells now covered become visible, touched cells no longer covered become fog;
/// their occupants come into or go out of sight.
fn settle_cells(
    v: &mut EmpireVision,
    empire: EmpireId,
    occupants: &[Vec<EntityId>],
    watchers: &mut [Vec<EmpireId>],
) {
    v.touched.sort_unstable();
    v.touched.dedup();
    for cell in v.touched.drain(..) {
        let i = cell as usize;
        let covered = v.cover.contains_key(&cell);
        let (Some(state), Some(here), Some(watching)) =
            (v.cells.get_mut(i), occupants.get(i), watchers.get_mut(i))
        else {
            continue;
        };
        let sign = match (covered, *state == Visibility::Visible) {
            (true, false) => {
                *state = Visibility::Visible;
                if let Err(at) = watching.binary_search(&empire) {
                    watching.insert(at, empire);
                }
                1
            }
            (false, true) => {
                *state = Visibility::Fog;
                if let Ok(at) = watching.binary_search(&empire) {
                    watching.remove(at);
                }
                -1
            }
            _ => continue,
        };
        v.changed.push(cell);
        v.flips.extend(here.iter().map(|id| (*id, sign)));
    }
}

/// Walk two sorted, distinct lists of empires together, calling `f(empire, -1)` for those
/// only in `old` and `f(empire, 1)` for those only in `new`.
fn merge_sorted(old: &[EmpireId], new: &[EmpireId], mut f: impl FnMut(EmpireId, i8)) {
    let (mut i, mut j) = (0, 0);
    loop {
        match (old.get(i), new.get(j)) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                f(*a, -1);
                i += 1;
            }
            (Some(a), None) => {
                f(*a, -1);
                i += 1;
            }
            (_, Some(b)) => {
                f(*b, 1);
                j += 1;
            }
        }
    }
}

/// Turn the tick's flips into `entered` and `left`: the net change per entity.
fn settle_flips(v: &mut EmpireVision) {
    v.flips.sort_by_key(|(id, _)| *id);
    let mut i = 0;
    while let Some((id, _)) = v.flips.get(i) {
        let id = *id;
        let mut net = 0i32;
        while let Some((next, sign)) = v.flips.get(i)
            && *next == id
        {
            net += i32::from(*sign);
            i += 1;
        }
        match net {
            1 => v.entered.push(id),
            -1 => v.left.push(id),
            _ => {}
        }
    }
    v.flips.clear();
}
