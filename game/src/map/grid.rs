//! Spatial grid: entities bucketed by square blocks of axial coordinates, for range queries
//! (vision, later attack ranges) without scanning every entity.

use rustc_hash::FxHashMap;
use starlane_protocol::{EntityId, Hex};

/// Key of a grid cell.
type CellKey = (i32, i32);

/// Entity positions indexed by grid cell. Buckets hold positions next to ids, so range
/// queries touch no hash map per entity, and moving between cells is O(1) (swap-remove).
#[derive(Debug, Clone)]
pub struct SpatialGrid {
    cell_size: i32,
    cells: FxHashMap<CellKey, Vec<(EntityId, Hex)>>,
    /// Where each entity sits: its cell and index in that cell's bucket.
    slots: FxHashMap<EntityId, (CellKey, usize)>,
}

impl SpatialGrid {
    /// A grid whose cells cover `cell_size x cell_size` axial coordinates (at least 1).
    pub fn new(cell_size: u32) -> Self {
        Self {
            cell_size: i32::try_from(cell_size.max(1)).unwrap_or(i32::MAX),
            cells: FxHashMap::default(),
            slots: FxHashMap::default(),
        }
    }

    fn key(&self, h: Hex) -> CellKey {
        (
            h.q.div_euclid(self.cell_size),
            h.r.div_euclid(self.cell_size),
        )
    }

    /// Insert `id` at `pos`, or move it there.
    pub fn upsert(&mut self, id: EntityId, pos: Hex) {
        let key = self.key(pos);
        if let Some((old_key, idx)) = self.slots.get(&id).copied() {
            if old_key == key {
                if let Some(entry) = self.cells.get_mut(&key).and_then(|b| b.get_mut(idx)) {
                    entry.1 = pos;
                }
                return;
            }
            self.detach(old_key, idx);
        }
        let bucket = self.cells.entry(key).or_default();
        bucket.push((id, pos));
        self.slots.insert(id, (key, bucket.len() - 1));
    }

    /// Remove `id` (no-op if absent).
    pub fn remove(&mut self, id: EntityId) {
        if let Some((key, idx)) = self.slots.remove(&id) {
            self.detach(key, idx);
        }
    }

    /// Take slot `idx` out of bucket `key`, re-pointing the entry swapped into its place.
    fn detach(&mut self, key: CellKey, idx: usize) {
        let Some(bucket) = self.cells.get_mut(&key) else {
            return;
        };
        if idx < bucket.len() {
            bucket.swap_remove(idx);
            if let Some((moved, _)) = bucket.get(idx)
                && let Some(slot) = self.slots.get_mut(moved)
            {
                slot.1 = idx;
            }
        }
        if bucket.is_empty() {
            self.cells.remove(&key);
        }
    }

    /// Position of `id`, if indexed.
    pub fn position(&self, id: EntityId) -> Option<Hex> {
        let (key, idx) = self.slots.get(&id)?;
        self.cells.get(key)?.get(*idx).map(|(_, pos)| *pos)
    }

    /// Number of indexed entities.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no entity is indexed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Call `f` for every entity within `range` hexes of `center`.
    pub fn for_each_in_range(&self, center: Hex, range: u32, mut f: impl FnMut(EntityId, Hex)) {
        let r = i32::try_from(range).unwrap_or(i32::MAX / 4);
        let (q0, r0) = self.key(Hex::new(center.q - r, center.r - r));
        let (q1, r1) = self.key(Hex::new(center.q + r, center.r + r));
        for kq in q0..=q1 {
            for kr in r0..=r1 {
                let Some(bucket) = self.cells.get(&(kq, kr)) else {
                    continue;
                };
                for (id, pos) in bucket {
                    if pos.distance(center) <= range {
                        f(*id, *pos);
                    }
                }
            }
        }
    }

    /// Entities within `range` hexes of `center`, sorted by id.
    pub fn in_range(&self, center: Hex, range: u32) -> Vec<EntityId> {
        let mut out = Vec::new();
        self.for_each_in_range(center, range, |id, _| out.push(id));
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_query_matches_brute_force() {
        let mut grid = SpatialGrid::new(4);
        let mut all = Vec::new();
        let mut id = 0;
        for q in -12..12 {
            for r in -12..12 {
                if (q * 7 + r * 3) % 5 == 0 {
                    id += 1;
                    grid.upsert(id, Hex::new(q, r));
                    all.push((id, Hex::new(q, r)));
                }
            }
        }
        for (c, range) in [
            (Hex::new(0, 0), 3),
            (Hex::new(-5, 7), 5),
            (Hex::new(11, -11), 1),
        ] {
            let mut expect: Vec<EntityId> = all
                .iter()
                .filter(|(_, h)| h.distance(c) <= range)
                .map(|(i, _)| *i)
                .collect();
            expect.sort_unstable();
            assert_eq!(grid.in_range(c, range), expect);
        }
    }

    #[test]
    fn moves_and_removals_update_buckets() {
        let mut grid = SpatialGrid::new(4);
        grid.upsert(1, Hex::new(0, 0));
        grid.upsert(1, Hex::new(20, 0));
        assert!(grid.in_range(Hex::new(0, 0), 2).is_empty());
        assert_eq!(grid.in_range(Hex::new(20, 0), 0), vec![1]);
        grid.upsert(2, Hex::new(21, 1));
        grid.upsert(3, Hex::new(22, 0));
        grid.remove(1);
        assert_eq!(grid.position(3), Some(Hex::new(22, 0)));
        assert_eq!(grid.in_range(Hex::new(20, 0), 2), vec![2, 3]);
        grid.remove(2);
        grid.remove(3);
        assert!(grid.is_empty());
        assert!(grid.in_range(Hex::new(20, 0), 3).is_empty());
    }

    #[test]
    fn many_moves_keep_buckets_consistent() {
        let mut grid = SpatialGrid::new(4);
        let mut truth = std::collections::HashMap::new();
        let mut x: u64 = 9;
        for step in 0..3000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let id = (x >> 40) as u32 % 60;
            let h = Hex::new((x >> 20) as i32 % 17, (x >> 10) as i32 % 13);
            if step % 7 == 0 {
                grid.remove(id);
                truth.remove(&id);
            } else {
                grid.upsert(id, h);
                truth.insert(id, h);
            }
        }
        assert_eq!(grid.len(), truth.len());
        for (id, h) in &truth {
            assert_eq!(grid.position(*id), Some(*h));
        }
        let c = Hex::new(3, 2);
        let mut expect: Vec<EntityId> = truth
            .iter()
            .filter(|(_, h)| h.distance(c) <= 6)
            .map(|(i, _)| *i)
            .collect();
        expect.sort_unstable();
        assert_eq!(grid.in_range(c, 6), expect);
    }
}
