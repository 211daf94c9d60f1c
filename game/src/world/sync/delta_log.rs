//! The delta log: a bounded ring of per-tick component changes (which of an entity's
//! position and health changed in each tick), from which a link that skipped ticks catches up
//! with only the changed fields.

use bevy_ecs::prelude::*;
use starlane_protocol::EntityId;
use std::collections::{HashMap, VecDeque};

/// Flag: the entity's position changed.
pub const POS_CHANGED: u8 = 1;
/// Flag: the entity's health changed.
pub const HEALTH_CHANGED: u8 = 2;

/// Ids below this are flagged in a dense table, others in a map.
const DENSE_IDS: usize = 1 << 24;

/// The changes of one tick.
#[derive(Debug, Default)]
struct TickChanges {
    tick: u32,
    /// Entity id and change flags, one entry per changed entity.
    changes: Vec<(EntityId, u8)>,
}

/// Per-tick component changes of the last `capacity` ticks, contiguous: the ticks held are
/// `oldest..=newest` with no gap (a gap restarts the log).
#[derive(Resource, Debug)]
pub struct DeltaLog {
    capacity: usize,
    ticks: VecDeque<TickChanges>,
}

impl DeltaLog {
    /// An empty log holding at most `capacity` ticks (at least one).
    pub fn new(capacity: u32) -> Self {
        let capacity = (capacity as usize).max(1);
        Self {
            capacity,
            ticks: VecDeque::with_capacity(capacity),
        }
    }

    /// Most ticks held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Ticks held now.
    pub fn len(&self) -> usize {
        self.ticks.len()
    }

    /// Whether no tick is held.
    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }

    /// The newest tick held.
    pub fn newest(&self) -> Option<u32> {
        self.ticks.back().map(|t| t.tick)
    }

    /// Record the changes of `tick`. If `tick` does not directly follow the newest tick held
    /// (a tick went unrecorded), the log restarts from `tick`; the oldest tick is evicted
    /// when the log is full.
    pub fn record(&mut self, tick: u32, changes: impl IntoIterator<Item = (EntityId, u8)>) {
        if self.newest().is_some_and(|n| n.wrapping_add(1) != tick) {
            self.ticks.clear();
        }
        let mut entry = if self.ticks.len() >= self.capacity {
            self.ticks.pop_front().unwrap_or_default()
        } else {
            TickChanges::default()
        };
        entry.tick = tick;
        entry.changes.clear();
        entry
            .changes
            .extend(changes.into_iter().filter(|(_, f)| *f != 0));
        self.ticks.push_back(entry);
    }

    /// How many ticks after `synced` the newest tick is, if the log holds every one of them
    /// (`Some(0)` when `synced` is the newest tick); `None` when some were evicted or never
    /// recorded, so a link synced at `synced` needs a full resync.
    pub fn behind(&self, synced: u32) -> Option<usize> {
        let newest = self.newest()?;
        let behind = newest.wrapping_sub(synced) as usize;
        (behind <= self.ticks.len()).then_some(behind)
    }

    /// The changes recorded for `tick`, if it is the newest tick held.
    pub fn changes_of(&self, tick: u32) -> Option<&[(EntityId, u8)]> {
        self.ticks
            .back()
            .filter(|t| t.tick == tick)
            .map(|t| t.changes.as_slice())
    }

    /// Merge (OR) into `flags` the changes of the newest `behind` ticks, as sized for ids
    /// below `next_id`.
    pub fn collect(&self, behind: usize, next_id: EntityId, flags: &mut ChangeFlags) {
        flags.clear(next_id);
        let skip = self.ticks.len().saturating_sub(behind);
        for tick in self.ticks.iter().skip(skip) {
            for (id, f) in &tick.changes {
                flags.add(*id, *f);
            }
        }
    }
}

/// Change flags by entity id, for fast lookup while diffing: the changes of one or more ticks.
#[derive(Debug, Default)]
pub struct ChangeFlags {
    dense: Vec<u8>,
    sparse: HashMap<EntityId, u8>,
}

impl ChangeFlags {
    /// Forget every flag; ids below `next_id` (up to a bound) go in the dense table.
    pub fn clear(&mut self, next_id: EntityId) {
        self.dense.clear();
        self.dense.resize((next_id as usize).min(DENSE_IDS), 0);
        self.sparse.clear();
    }

    /// Add flags `f` to entity `id`.
    pub fn add(&mut self, id: EntityId, f: u8) {
        match self.dense.get_mut(id as usize) {
            Some(slot) => *slot |= f,
            None => *self.sparse.entry(id).or_default() |= f,
        }
    }

    /// The flags of `id` (0 when unchanged).
    pub fn get(&self, id: EntityId) -> u8 {
        match self.dense.get(id as usize) {
            Some(f) => *f,
            None => self.sparse.get(&id).copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_up_within_capacity_and_not_beyond() {
        let mut log = DeltaLog::new(3);
        assert_eq!(log.behind(0), None, "an empty log covers nothing");
        log.record(1, [(5, POS_CHANGED)]);
        log.record(2, [(6, HEALTH_CHANGED), (7, 0)]);
        log.record(3, [(5, HEALTH_CHANGED)]);
        assert_eq!(log.behind(3), Some(0));
        assert_eq!(log.behind(0), Some(3));
        let mut flags = ChangeFlags::default();
        log.collect(3, 8, &mut flags);
        assert_eq!(flags.get(5), POS_CHANGED | HEALTH_CHANGED);
        assert_eq!((flags.get(6), flags.get(7)), (HEALTH_CHANGED, 0));
        log.collect(1, 8, &mut flags);
        assert_eq!((flags.get(5), flags.get(6)), (HEALTH_CHANGED, 0));
        log.record(4, [(1 << 25, POS_CHANGED)]);
        assert_eq!(log.len(), 3);
        assert_eq!(log.behind(0), None, "tick 1 was evicted");
        assert_eq!(log.behind(1), Some(3));
        log.collect(1, 8, &mut flags);
        assert_eq!(flags.get(1 << 25), POS_CHANGED, "large ids are kept too");
    }

    #[test]
    fn a_gap_restarts_the_log() {
        let mut log = DeltaLog::new(8);
        log.record(1, [(5, POS_CHANGED)]);
        log.record(2, []);
        log.record(4, []);
        assert_eq!(log.len(), 1);
        assert_eq!(log.behind(2), None);
        assert_eq!(log.behind(3), Some(1));
    }
}
