//! The memory's tables: per empire, its remembered entities by id, with two indexes so that a
//! tick's work is what changed: the entities remembered on each (empire, cell), for the
//! cells an empire sees again, and the timed entries by expiry tick.

use super::{MemoryEvent, Remembered};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityId};
use std::collections::{BTreeMap, BTreeSet};

/// Every empire's remembered entities, and the tick's changes for the sessions.
#[derive(Resource, Debug, Default)]
pub struct Memory {
    /// Per empire, what it remembers, by entity id.
    by_empire: FxHashMap<EmpireId, BTreeMap<EntityId, Remembered>>,
    /// The entities each empire remembers on each cell.
    at: FxHashMap<(EmpireId, u32), Vec<EntityId>>,
    /// Timed entries by the tick they expire at.
    expiry: BTreeSet<(i64, EmpireId, EntityId)>,
    /// Changes the sessions have not been told yet.
    pub(crate) events: Vec<(EmpireId, MemoryEvent)>,
}

impl Memory {
    /// What `empire` remembers, by entity id.
    pub fn of(&self, empire: EmpireId) -> Option<&BTreeMap<EntityId, Remembered>> {
        self.by_empire.get(&empire)
    }

    /// Every empire's memory, by empire.
    pub fn all(&self) -> impl Iterator<Item = (EmpireId, &BTreeMap<EntityId, Remembered>)> {
        self.by_empire.iter().map(|(e, m)| (*e, m))
    }

    /// Number of remembered entities over every empire.
    pub fn len(&self) -> usize {
        self.by_empire.values().map(BTreeMap::len).sum()
    }

    /// Whether no empire remembers anything.
    pub fn is_empty(&self) -> bool {
        self.by_empire.is_empty()
    }

    /// `empire` remembers `id` as `r` (replacing what it remembered of it).
    pub(crate) fn insert(&mut self, empire: EmpireId, id: EntityId, r: Remembered) {
        self.remove(empire, id);
        self.by_empire.entry(empire).or_default().insert(id, r);
        self.at.entry((empire, r.cell)).or_default().push(id);
        if let Some(at) = r.expires {
            self.expiry.insert((at, empire, id));
        }
    }

    /// `empire` forgets `id`; what it remembered, if anything.
    pub(crate) fn remove(&mut self, empire: EmpireId, id: EntityId) -> Option<Remembered> {
        let mem = self.by_empire.get_mut(&empire)?;
        let r = mem.remove(&id)?;
        if mem.is_empty() {
            self.by_empire.remove(&empire);
        }
        if let Some(ids) = self.at.get_mut(&(empire, r.cell)) {
            ids.retain(|i| *i != id);
            if ids.is_empty() {
                self.at.remove(&(empire, r.cell));
            }
        }
        if let Some(at) = r.expires {
            self.expiry.remove(&(at, empire, id));
        }
        Some(r)
    }

    /// The entities `empire` remembers on `cell`.
    pub(crate) fn at(&self, empire: EmpireId, cell: u32) -> &[EntityId] {
        self.at.get(&(empire, cell)).map_or(&[], Vec::as_slice)
    }

    /// Take out every timed entry expired at `now`, as `(empire, id)`.
    pub(crate) fn expire(&mut self, now: i64) -> Vec<(EmpireId, EntityId)> {
        let due: Vec<(EmpireId, EntityId)> = self
            .expiry
            .range(..=(now, EmpireId::MAX, EntityId::MAX))
            .map(|(_, e, id)| (*e, *id))
            .collect();
        for (empire, id) in &due {
            self.remove(*empire, *id);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starlane_protocol::{EntityKind, Hex};

    fn seen(cell: u32, expires: Option<i64>) -> Remembered {
        Remembered {
            kind: EntityKind::Station,
            owner: 2,
            pos: Hex::new(0, 0),
            cell,
            seen_tick: 0,
            expires,
        }
    }

    #[test]
    fn indexes_follow_inserts_removals_and_expiry() {
        let mut m = Memory::default();
        m.insert(1, 10, seen(5, Some(100)));
        m.insert(1, 11, seen(5, None));
        m.insert(2, 10, seen(6, Some(50)));
        assert_eq!(m.at(1, 5), [10, 11]);
        assert_eq!(m.len(), 3);
        // Remembered again elsewhere: the old cell and expiry go.
        m.insert(1, 10, seen(7, Some(200)));
        assert_eq!(m.at(1, 5), [11]);
        assert_eq!(m.at(1, 7), [10]);
        assert_eq!(m.expire(100), vec![(2, 10)]);
        assert_eq!(m.expire(199), vec![]);
        assert_eq!(m.expire(200), vec![(1, 10)]);
        assert_eq!(m.remove(1, 11).map(|r| r.cell), Some(5));
        assert!(m.is_empty());
        assert!(m.at(1, 5).is_empty());
    }
}
