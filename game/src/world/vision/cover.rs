//! The two layers of the vision index (SPEC.md §20.7, vision types): sight, through which
//! plain entities are seen, and detection, through which cloaked entities are. Each layer
//! keeps, per empire, how many observers cover each cell ([`Cover`]) and, per cell, its
//! occupants and the empires it is settled as covered for ([`Layer`]).

use crate::map::{GameMap, crescent, disc, rim};
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityId, Hex};

/// One empire's observer counts in one layer, and the cells settled as covered.
#[derive(Debug, Clone, Default)]
pub(super) struct Cover {
    /// Observers covering each cell, for the cells covered by at least one.
    pub(super) counts: FxHashMap<u32, u32>,
    /// Cells whose count went to or from zero since the last finished tick.
    touched: Vec<u32>,
    /// Bit `i % 64` of word `i / 64`: cell `i` was covered at the last finished tick (words
    /// past the end are zero; the vector grows when a cell is first settled as covered).
    on: Vec<u64>,
}

/// Per map cell, in one layer: the entities on it and the empires it is settled as covered
/// for (sorted).
#[derive(Debug, Default)]
pub(super) struct Layer {
    /// The layer's entities on each cell.
    pub(super) occupants: Vec<Vec<EntityId>>,
    /// The empires each cell was covered for at the last finished tick, sorted.
    pub(super) listed: Vec<Vec<EmpireId>>,
}

impl Cover {
    /// Apply `step` to the count of every on-map cell within `range` of `center`.
    #[inline]
    pub(super) fn apply(
        &mut self,
        map: &GameMap,
        center: Hex,
        range: u32,
        step: fn(&mut u32) -> bool,
    ) {
        for h in disc(center, range) {
            self.step_cell(map, h, step);
        }
    }

    /// Move a disc of `range` from `from` to `to`: uncover the cells only the old disc
    /// covers and cover those only the new one does. The counts end as `apply` with
    /// `uncover_step` at `from` then `cover_step` at `to` leaves them, and so do the cells
    /// settled at the end of the tick; a step to a neighbour touches the two rims, not the
    /// two discs. Only the outer rings can change (`rim`); a step to a neighbour changes
    /// exactly the far side of each (`crescent`): `2r + 1` hexes each, instead of the
    /// `3r(r+1)+1` of a disc.
    pub(super) fn shift(&mut self, map: &GameMap, from: Hex, to: Hex, range: u32) {
        let depth = from.distance(to);
        // A step to a neighbour, the common move: the two crescents, with nothing to test.
        if depth == 1
            && let Some(dir) = Hex::DIRECTIONS.iter().position(|d| from.plus(*d) == to)
        {
            for h in crescent(from, range, dir) {
                self.step_cell(map, h, uncover_step);
            }
            for h in crescent(to, range, dir + 3) {
                self.step_cell(map, h, cover_step);
            }
            return;
        }
        for h in rim(from, range, depth) {
            if h.distance(to) > range {
                self.step_cell(map, h, uncover_step);
            }
        }
        for h in rim(to, range, depth) {
            if h.distance(from) > range {
                self.step_cell(map, h, cover_step);
            }
        }
    }

    /// Apply `step` to the count of `h`'s cell, if on the map.
    #[inline]
    fn step_cell(&mut self, map: &GameMap, h: Hex, step: fn(&mut u32) -> bool) {
        let Some(cell) = cell_of(map, h) else {
            return;
        };
        let count = self.counts.entry(cell).or_insert(0);
        if step(count) {
            self.touched.push(cell);
        }
        if *count == 0 {
            self.counts.remove(&cell);
        }
    }

    /// Whether `cell` was covered at the last finished tick.
    pub(super) fn is_on(&self, cell: u32) -> bool {
        self.on
            .get(cell as usize / 64)
            .is_some_and(|w| w & (1 << (cell % 64)) != 0)
    }

    /// Settle the touched cells for `empire`: a covered cell that was not gets the empire
    /// listed and its occupants flip in (+1); one no longer covered is unlisted and its
    /// occupants flip out (-1). `turned(cell, covered)` hears of each such cell, in
    /// ascending order. (Most touched cells are covered as before: an observer's step
    /// uncovers and covers again the bulk of its disc.)
    pub(super) fn settle(
        &mut self,
        empire: EmpireId,
        layer: &mut Layer,
        flips: &mut Vec<(EntityId, i8)>,
        mut turned: impl FnMut(u32, bool),
    ) {
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        touched.dedup();
        for cell in touched.drain(..) {
            let covered = self.counts.contains_key(&cell);
            if covered == self.is_on(cell) {
                continue;
            }
            let i = cell as usize;
            let (Some(here), Some(listed)) = (layer.occupants.get(i), layer.listed.get_mut(i))
            else {
                continue;
            };
            let word = i / 64;
            if self.on.len() <= word {
                self.on.resize(word + 1, 0);
            }
            if let Some(w) = self.on.get_mut(word) {
                *w ^= 1 << (cell % 64);
            }
            let sign = match (covered, listed.binary_search(&empire)) {
                (true, Err(at)) => {
                    listed.insert(at, empire);
                    1
                }
                (false, Ok(at)) => {
                    listed.remove(at);
                    -1
                }
                _ => 0,
            };
            if sign != 0 {
                flips.extend(here.iter().map(|id| (*id, sign)));
            }
            turned(cell, covered);
        }
        // Keep the allocation for the next tick.
        self.touched = touched;
    }
}

impl Layer {
    /// Size the per-cell tables for `cells` cells (never shrinks).
    pub(super) fn fit(&mut self, cells: usize) {
        if self.occupants.len() < cells {
            self.occupants.resize_with(cells, Vec::new);
            self.listed.resize_with(cells, Vec::new);
        }
    }

    /// Move `id` from cell `from` to cell `to` in this layer (either may be `None`: not in
    /// it), calling `f(empire, -1)` for each empire settled on `from` only and
    /// `f(empire, 1)` for each settled on `to` only.
    pub(super) fn shift(
        &mut self,
        id: EntityId,
        from: Option<u32>,
        to: Option<u32>,
        f: impl FnMut(EmpireId, i8),
    ) {
        if let Some(here) = from.and_then(|a| self.occupants.get_mut(a as usize))
            && let Some(at) = here.iter().position(|e| *e == id)
        {
            here.swap_remove(at);
        }
        if let Some(here) = to.and_then(|b| self.occupants.get_mut(b as usize)) {
            here.push(id);
        }
        let list = |cell: Option<u32>| {
            cell.and_then(|c| self.listed.get(c as usize))
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        merge_sorted(list(from), list(to), f);
    }
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
