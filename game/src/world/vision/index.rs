//! The vision index: per empire, which map cells its observers cover and what it sees, kept
//! up to date from the changes of a tick (entities that moved, observers that moved, appeared
//! or vanished) rather than computed again from every observer each tick. A static observer
//! costs nothing per tick; a moved entity costs the empires watching its old and new hex.
//!
//! Plain data, no ECS: the vision system feeds it with [`Vision::locate`] and
//! [`Vision::set_observer`] and closes each tick with [`Vision::finish_tick`].

use super::cover::{Cover, Layer, cell_of, cover_step, uncover_step};
use crate::map::GameMap;
use bevy_ecs::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::{EmpireId, EntityId, Hex, Visibility};

/// An observing unit: its empire, where it stands and how far it sees and detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observer {
    /// The empire that sees through it.
    pub empire: EmpireId,
    /// Its position.
    pub hex: Hex,
    /// Its vision range in hexes.
    pub range: u32,
    /// Its detection range in hexes: cloaked entities within it are seen (`None`: it detects
    /// nothing; never more than `range`).
    pub detect: Option<u32>,
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
    /// Observers' sight over the cells.
    sight: Cover,
    /// Observers' detection over the cells.
    detection: Cover,
    /// Entities that came into (+1) or went out of (-1) sight since the last finished tick,
    /// in the order it happened; each one flips the entity's membership, so the sum per id
    /// is the net change.
    flips: Vec<(EntityId, i8)>,
    /// Whether the empire is listed in `Vision::dirty`.
    dirty: bool,
}

impl EmpireVision {
    /// Move observer `o`'s discs to `o.hex` from `from` in this empire's covers.
    pub(super) fn shift_discs(&mut self, map: &GameMap, from: Hex, o: Observer) {
        self.sight.shift(map, from, o.hex, o.range);
        if let Some(detect) = o.detect {
            self.detection.shift(map, from, o.hex, detect.min(o.range));
        }
    }
}

/// Vision of every empire, kept incrementally. Between ticks (after
/// [`Vision::finish_tick`]), an empire sees a plain entity exactly when the entity's hex is
/// visible to it, and a cloaked one exactly when the hex is within detection range of one of
/// the observers it sees through.
#[derive(Resource, Debug, Default)]
pub struct Vision {
    /// Plain entities per cell, and the empires each cell is visible to
    /// (`cells[i] == Visible`).
    pub(super) plain: Layer,
    /// Cloaked entities per cell, and the empires that detect on each cell.
    pub(super) hidden: Layer,
    /// The cloaked entities.
    pub(super) cloaked: FxHashSet<EntityId>,
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
        self.plain.fit(map.cell_count());
        self.hidden.fit(map.cell_count());
    }

    /// The vision of `empire`, if it ever had an observer.
    pub fn empire(&self, empire: EmpireId) -> Option<&EmpireVision> {
        self.empires.get(&empire)
    }

    /// Whether `empire` sees entity `id` now.
    pub fn sees(&self, empire: EmpireId, id: EntityId) -> bool {
        self.sees_with(self.empires.get(&empire), id)
    }

    /// [`Vision::sees`] for many ids and one empire: its vision looked up once
    /// ([`Vision::empire`]); `None` sees nothing.
    pub fn sees_with(&self, vision: Option<&EmpireVision>, id: EntityId) -> bool {
        let (Some(v), Some(cell)) = (vision, self.located.get(&id)) else {
            return false;
        };
        let cover = if self.cloaked.contains(&id) {
            &v.detection
        } else {
            &v.sight
        };
        cover.is_on(*cell)
    }

    /// Whether entity `id` is cloaked.
    pub fn is_cloaked(&self, id: EntityId) -> bool {
        self.cloaked.contains(&id)
    }

    /// Set `out` to every entity `empire` sees now, sorted.
    pub fn entities(&self, empire: EmpireId, out: &mut Vec<EntityId>) {
        out.clear();
        if let Some(v) = self.empires.get(&empire) {
            for (cover, layer) in [(&v.sight, &self.plain), (&v.detection, &self.hidden)] {
                for cell in cover.counts.keys() {
                    if let Some(here) = layer.occupants.get(*cell as usize) {
                        out.extend_from_slice(here);
                    }
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
        // Membership follows the cell states of the last finished tick (cells that change
        // state this tick flip their occupants in `finish_tick`): the empires covering one
        // of the two cells and not the other see the entity leave or come.
        let cloaked = self.cloaked.contains(&id);
        let Self {
            plain,
            hidden,
            empires,
            dirty,
            ..
        } = self;
        let layer = if cloaked { hidden } else { plain };
        layer.shift(id, from, to, |empire, sign| {
            flip(empires, dirty, empire, id, sign)
        });
    }

    /// Entity `id` is now cloaked (`true`) or plain; takes effect at the next
    /// [`Vision::finish_tick`], wherever the entity is located then.
    pub fn set_cloak(&mut self, id: EntityId, cloaked: bool) {
        let changed = if cloaked {
            self.cloaked.insert(id)
        } else {
            self.cloaked.remove(&id)
        };
        let Some(cell) = self.located.get(&id).copied().filter(|_| changed) else {
            return;
        };
        let Self {
            plain,
            hidden,
            empires,
            dirty,
            ..
        } = self;
        let (from, to) = if cloaked {
            (plain, hidden)
        } else {
            (hidden, plain)
        };
        let mut f = |empire, sign| flip(empires, dirty, empire, id, sign);
        from.shift(id, Some(cell), None, &mut f);
        to.shift(id, None, Some(cell), &mut f);
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
        if let (Some(a), Some(b)) = (old, observer)
            && (a.empire, a.range, a.detect) == (b.empire, b.range, b.detect)
        {
            self.shift_cover(map, a.hex, b);
            return;
        }
        self.recover(map, old, observer);
    }

    /// Take `old`'s discs out of the covers and put `new`'s in (an observer that appeared,
    /// vanished, or changed more than its hex).
    pub(super) fn recover(&mut self, map: &GameMap, old: Option<Observer>, new: Option<Observer>) {
        if let Some(o) = old {
            self.cover(map, o, uncover_step);
        }
        if let Some(o) = new {
            self.cover(map, o, cover_step);
        }
    }

    /// Apply `step` to the cover counts of `o`'s discs for its empire and every empire its
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

    /// Move `o`'s discs to `o.hex` from `from`, for its empire and every empire its empire
    /// shares its vision with (the observer only moved).
    fn shift_cover(&mut self, map: &GameMap, from: Hex, o: Observer) {
        self.each_viewer(map, o, |_, v| v.shift_discs(map, from, o));
    }

    /// Call `f` with the vision of `o`'s empire and of every empire its empire shares its
    /// vision with (created if new), each marked changed.
    pub(super) fn each_viewer(
        &mut self,
        map: &GameMap,
        o: Observer,
        mut f: impl FnMut(EmpireId, &mut EmpireVision),
    ) {
        let Self {
            empires,
            dirty,
            grants,
            ..
        } = self;
        let viewers =
            std::iter::once(o.empire).chain(grants.get(&o.empire).into_iter().flatten().copied());
        for viewer in viewers {
            let v = vision_of(empires, viewer, map.cell_count());
            f(viewer, v);
            mark_dirty(v, viewer, dirty);
        }
    }

    /// Close the tick: cells whose cover crossed zero become visible or fog (or detected or
    /// not), and every changed empire's `changed`, `entered` and `left` say what changed
    /// since the last call (the other empires' are emptied).
    pub fn finish_tick(&mut self) {
        let Self {
            plain,
            hidden,
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
            let (cells, changed) = (&mut v.cells, &mut v.changed);
            v.sight
                .settle(empire, plain, &mut v.flips, |cell, covered| {
                    if let Some(state) = cells.get_mut(cell as usize) {
                        *state = if covered {
                            Visibility::Visible
                        } else {
                            Visibility::Fog
                        };
                        changed.push(cell);
                    }
                });
            v.detection.settle(empire, hidden, &mut v.flips, |_, _| {});
            settle_flips(v);
            published.push(empire);
        }
    }
}

/// Record in `empire`'s vision (if it has one) that `id` came into (+1) or went out of (-1)
/// its sight.
fn flip(
    empires: &mut FxHashMap<EmpireId, EmpireVision>,
    dirty: &mut Vec<EmpireId>,
    empire: EmpireId,
    id: EntityId,
    sign: i8,
) {
    if let Some(v) = empires.get_mut(&empire) {
        v.flips.push((id, sign));
        mark_dirty(v, empire, dirty);
    }
}

/// Apply `step` to the cover counts, in `viewer`'s vision, of every on-map cell of `o`'s
/// sight disc, and of its detection disc if it detects.
pub(super) fn cover_for(
    map: &GameMap,
    empires: &mut FxHashMap<EmpireId, EmpireVision>,
    dirty: &mut Vec<EmpireId>,
    viewer: EmpireId,
    o: Observer,
    step: fn(&mut u32) -> bool,
) {
    let v = vision_of(empires, viewer, map.cell_count());
    v.sight.apply(map, o.hex, o.range, step);
    if let Some(detect) = o.detect {
        v.detection.apply(map, o.hex, detect.min(o.range), step);
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

fn mark_dirty(v: &mut EmpireVision, empire: EmpireId, dirty: &mut Vec<EmpireId>) {
    if !v.dirty {
        v.dirty = true;
        dirty.push(empire);
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
