//! The tick's observers in one call ([`Vision::set_observers`]): most of them only moved, and
//! moving one shifts its discs in its own empire's covers (and those of the empires sharing
//! its vision), touching no other empire's. The shifts are gathered per empire and the
//! empires shifted side by side ([`Parallel`]). Counts only add and subtract, and each
//! observer's cells stay its own, so the order the shifts run in changes nothing; empires are
//! marked changed in the order the observers come, as [`Vision::set_observer`] marks them.

use super::index::{EmpireVision, Observer, Vision};
use crate::map::GameMap;
use crate::world::parallel::Parallel;
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::{EmpireId, EntityId, Hex};

/// Fewest shifts in a tick worth spreading over threads.
const MIN_SHIFTS: usize = 256;

/// A move of one observer in one empire's covers: from its old hex to the observer's.
type Shift = (Hex, Observer);

impl Vision {
    /// [`Vision::set_observer`] for each of `changes`, in order; the discs of observers that
    /// only moved are shifted per empire over `parallel`'s threads.
    pub fn set_observers(
        &mut self,
        map: &GameMap,
        parallel: &Parallel,
        changes: impl IntoIterator<Item = (EntityId, Option<Observer>)>,
    ) {
        let mut shifts: FxHashMap<EmpireId, Vec<Shift>> = FxHashMap::default();
        let mut shifted: FxHashSet<EntityId> = FxHashSet::default();
        for (id, observer) in changes {
            let old = match observer {
                Some(o) => self.observers.insert(id, o),
                None => self.observers.remove(&id),
            };
            match (old, observer) {
                (a, b) if a == b => {}
                (Some(a), Some(b))
                    if (a.empire, a.range, a.detect) == (b.empire, b.range, b.detect) =>
                {
                    shifted.insert(id);
                    self.queue_shift(map, a.hex, b, &mut shifts);
                }
                (a, b) => {
                    // Uncovering saturates at zero: an observer's queued move must land
                    // before its discs are taken out.
                    if shifted.remove(&id) {
                        self.run_shifts(map, parallel, &mut shifts);
                    }
                    self.recover(map, a, b);
                }
            }
        }
        self.run_shifts(map, parallel, &mut shifts);
    }

    /// Apply and clear the queued `shifts`, empires side by side.
    fn run_shifts(
        &mut self,
        map: &GameMap,
        parallel: &Parallel,
        shifts: &mut FxHashMap<EmpireId, Vec<Shift>>,
    ) {
        if shifts.is_empty() {
            return;
        }
        let work: Vec<(&mut EmpireVision, Vec<Shift>)> = self
            .empires
            .iter_mut()
            .filter_map(|(empire, v)| Some((v, shifts.remove(empire)?)))
            .collect();
        parallel.for_each_balanced(
            work,
            MIN_SHIFTS,
            |(_, m)| m.len(),
            |(v, moves)| {
                for (from, o) in moves {
                    v.shift_discs(map, from, o);
                }
            },
        );
    }

    /// Mark every empire that sees through `o` changed and queue the move of `o`'s discs from
    /// `from` in its covers.
    fn queue_shift(
        &mut self,
        map: &GameMap,
        from: Hex,
        o: Observer,
        shifts: &mut FxHashMap<EmpireId, Vec<Shift>>,
    ) {
        self.each_viewer(map, o, |viewer, _| {
            shifts.entry(viewer).or_default().push((from, o));
        });
    }
}
