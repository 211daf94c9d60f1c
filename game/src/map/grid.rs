//! Spatial grid: entities bucketed by square blocks of axial coordinates, for range queries
//! (vision, later attack ranges) without scanning every entity.

use super::hex::HexMath;
use starlane_protocol::{EntityId, Hex};
use std::collections::HashMap;

/// Entity positions indexed by grid cell.
#[derive(Debug, Clone)]
pub struct SpatialGrid {
    cell_size: i32,
    cells: HashMap<(i32, i32), Vec<EntityId>>,
    positions: HashMap<EntityId, Hex>,
}

impl SpatialGrid {
    /// A grid whose cells cover `cell_size x cell_size` axial coordinates (at least 1).
    pub fn new(cell_size: u32) -> Self {
        Self {
            cell_size: i32::try_from(cell_size.max(1)).unwrap_or(i32::MAX),
            cells: HashMap::new(),
            positions: HashMap::new(),
        }
    }

    fn key(&self, h: Hex) -> (i32, i32) {
        (
            h.q.div_euclid(self.cell_size),
            h.r.div_euclid(self.cell_size),
        )
    }

    /// Insert `id` at `pos`, or move it there.
    pub fn upsert(&mut self, id: EntityId, pos: Hex) {
        if let Some(old) = self.positions.insert(id, pos) {
            if old == pos {
                return;
            }
            let old_key = self.key(old);
            if old_key == self.key(pos) {
                return;
            }
            self.detach(id, old_key);
        }
        let key = self.key(pos);
        self.cells.entry(key).or_default().push(id);
    }

    /// Remove `id` (no-op if absent).
    pub fn remove(&mut self, id: EntityId) {
        if let Some(old) = self.positions.remove(&id) {
            let key = self.key(old);
            self.detach(id, key);
        }
    }

    fn detach(&mut self, id: EntityId, key: (i32, i32)) {
        if let Some(bucket) = self.cells.get_mut(&key) {
            bucket.retain(|e| *e != id);
            if bucket.is_empty() {
                self.cells.remove(&key);
            }
        }
    }

    /// Position of `id`, if indexed.
    pub fn position(&self, id: EntityId) -> Option<Hex> {
        self.positions.get(&id).copied()
    }

    /// Number of indexed entities.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether no entity is indexed.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
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
                for id in bucket {
                    if let Some(pos) = self.positions.get(id)
                        && pos.distance(center) <= range
                    {
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
        grid.remove(1);
        assert!(grid.is_empty());
        assert!(grid.in_range(Hex::new(20, 0), 3).is_empty());
    }
}
