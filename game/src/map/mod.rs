//! The region map: a pocket of 7 hex chunks (or more rings of them, `map_rings`) with
//! deterministic asteroid fields, spawn points,
//! a spatial grid of entities and A* pathfinding.

pub mod grid;
pub mod hex;
pub mod path;

pub use grid::SpatialGrid;
pub use hex::{crescent, disc, disc_len, find_from, rim, ring};

use starlane_protocol::{Hex, MapInfo};

/// Hexes around each spawn point kept free of asteroids.
pub const SPAWN_CLEAR_RADIUS: u32 = 2;
/// Hexes around the central pirate den kept free of asteroids.
pub const DEN_CLEAR_RADIUS: u32 = 2;

/// Centers of the 7 chunks of a pocket of chunk radius `r`: the origin, then `(2r+1, -r)` and
/// its five 60-degree rotations. The discs tile the plane without gaps or overlap.
pub fn pocket_centers(radius: u32) -> [Hex; 7] {
    let r = radius as i32;
    let mut out = [Hex::default(); 7];
    let mut cur = Hex::new(2 * r + 1, -r);
    for slot in out.iter_mut().skip(1) {
        *slot = cur;
        cur = cur.rotate60();
    }
    out
}

/// Centers of the chunks of a map of `rings` rings of chunks of radius `radius` around the
/// central one: the 7 of [`pocket_centers`] first (ring 1), then ring after ring, each
/// chunk a point of the lattice the pocket's chunks span (so the discs still tile the plane):
/// `3 rings (rings + 1) + 1` chunks in all. `rings` 0 is the central chunk alone.
pub fn ring_centers(radius: u32, rings: u32) -> Vec<Hex> {
    if rings == 0 {
        return vec![Hex::default()];
    }
    let pocket = pocket_centers(radius);
    let a = pocket[1];
    let b = a.rotate60();
    let mut out = pocket.to_vec();
    for n in 2..=rings {
        out.extend(ring(Hex::default(), n).map(|c| a.scale(c.q).plus(b.scale(c.r))));
    }
    out
}

/// The static map of one region.
#[derive(Debug, Clone)]
pub struct GameMap {
    chunk_radius: u32,
    /// Chunk centers, the central chunk first.
    chunks: Vec<Hex>,
    /// Every on-map hex, in a fixed order (chunk by chunk).
    cells: Vec<Hex>,
    /// Index of each on-map hex in `cells`.
    index: DenseIndex,
    /// `passable[i]` is false for asteroid hexes.
    passable: Vec<bool>,
    spawns: Vec<Hex>,
}

impl GameMap {
    /// Build the pocket of chunk radius `chunk_radius` with `asteroid_percent`% asteroids drawn
    /// deterministically from `seed`. Spawn points are the centers of the 6 outer chunks;
    /// their surroundings and the central den stay clear.
    pub fn generate(chunk_radius: u32, seed: u64, asteroid_percent: u32) -> Self {
        Self::generate_rings(chunk_radius, 1, seed, asteroid_percent)
    }

    /// [`GameMap::generate`] with `rings` rings of chunks around the central one (1: the
    /// pocket): every chunk but the central one is a spawn point, so a region expecting more
    /// players gets more room, and each spawn area fewer empires.
    pub fn generate_rings(chunk_radius: u32, rings: u32, seed: u64, asteroid_percent: u32) -> Self {
        let chunks = ring_centers(chunk_radius, rings);
        let mut cells = Vec::with_capacity(chunks.len() * disc_len(chunk_radius));
        for c in &chunks {
            cells.extend(disc(*c, chunk_radius));
        }
        let index = DenseIndex::new(&cells);
        let spawns: Vec<Hex> = chunks.iter().skip(1).copied().collect();
        let den = chunks.first().copied().unwrap_or_default();
        let passable = cells
            .iter()
            .map(|h| {
                let near_spawn = spawns.iter().any(|s| s.distance(*h) <= SPAWN_CLEAR_RADIUS);
                let near_den = den.distance(*h) <= DEN_CLEAR_RADIUS;
                near_spawn || near_den || !is_asteroid(seed, *h, asteroid_percent)
            })
            .collect();
        Self {
            chunk_radius,
            chunks,
            cells,
            index,
            passable,
            spawns,
        }
    }

    /// Radius of each chunk.
    pub fn chunk_radius(&self) -> u32 {
        self.chunk_radius
    }

    /// Centers of the chunks (the first is the central chunk).
    pub fn chunks(&self) -> &[Hex] {
        &self.chunks
    }

    /// Number of on-map hexes (`chunks * (3r(r+1)+1)`).
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Every on-map hex, in the order used by [`GameMap::cell_index`].
    pub fn cells(&self) -> &[Hex] {
        &self.cells
    }

    /// Every passable hex (on the map, not an asteroid), in the order of [`GameMap::cells`].
    pub fn passable_cells(&self) -> Vec<Hex> {
        self.cells
            .iter()
            .copied()
            .filter(|h| self.is_passable(*h))
            .collect()
    }

    /// Index of `h` in [`GameMap::cells`], or `None` off the map.
    pub fn cell_index(&self, h: Hex) -> Option<usize> {
        self.index.get(h)
    }

    /// Whether `h` lies on the map.
    pub fn contains(&self, h: Hex) -> bool {
        self.index.get(h).is_some()
    }

    /// Whether `h` is on the map and not an asteroid.
    pub fn is_passable(&self, h: Hex) -> bool {
        self.cell_index(h)
            .and_then(|i| self.passable.get(i).copied())
            .unwrap_or(false)
    }

    /// Make `h` passable or an asteroid (no-op off the map). Used by tests and map events.
    pub fn set_passable(&mut self, h: Hex, passable: bool) {
        if let Some(slot) = self.cell_index(h).and_then(|i| self.passable.get_mut(i)) {
            *slot = passable;
        }
    }

    /// Spawn points of new empires.
    pub fn spawns(&self) -> &[Hex] {
        &self.spawns
    }

    /// Center of the central chunk, where neutral pirates lurk.
    pub fn pirate_den(&self) -> Hex {
        self.chunks.first().copied().unwrap_or_default()
    }

    /// The passable hex nearest to `h` (itself if passable), searching outward ring by ring.
    pub fn nearest_passable(&self, h: Hex) -> Option<Hex> {
        let max = 8 * self.chunk_radius;
        (0..=max).find_map(|r| ring(h, r).find(|c| self.is_passable(*c)))
    }

    /// Passable hexes within `chunk_radius` of `center`, nearest first (ring by ring): the
    /// area a spawn point hands out to new empires.
    pub fn spawn_area(&self, center: Hex) -> Vec<Hex> {
        (0..=self.chunk_radius)
            .flat_map(|r| ring(center, r))
            .filter(|h| self.is_passable(*h))
            .collect()
    }

    /// `count` distinct passable hexes closest to `center` (for placing a group of units).
    pub fn placements(&self, center: Hex, count: usize) -> Vec<Hex> {
        let max = 8 * self.chunk_radius;
        (0..=max)
            .flat_map(|r| ring(center, r))
            .filter(|h| self.is_passable(*h))
            .take(count)
            .collect()
    }

    /// The map as sent to clients.
    pub fn info(&self) -> MapInfo {
        let mut blocked: Vec<Hex> = self
            .cells
            .iter()
            .zip(&self.passable)
            .filter(|(_, p)| !**p)
            .map(|(h, _)| *h)
            .collect();
        blocked.sort();
        MapInfo {
            chunk_radius: u8::try_from(self.chunk_radius).unwrap_or(u8::MAX),
            chunks: self.chunks.clone(),
            blocked,
        }
    }
}

/// Cell index by axial coordinates: a dense table over the map's bounding box, so lookups
/// on the hot paths (vision, movement) are an array access instead of a hash.
#[derive(Debug, Clone)]
struct DenseIndex {
    min_q: i32,
    min_r: i32,
    width: usize,
    height: usize,
    slots: Vec<u32>,
}

impl DenseIndex {
    const NONE: u32 = u32::MAX;

    fn new(cells: &[Hex]) -> Self {
        let min_q = cells.iter().map(|h| h.q).min().unwrap_or(0);
        let max_q = cells.iter().map(|h| h.q).max().unwrap_or(0);
        let min_r = cells.iter().map(|h| h.r).min().unwrap_or(0);
        let max_r = cells.iter().map(|h| h.r).max().unwrap_or(0);
        let width = usize::try_from(max_q - min_q + 1).unwrap_or(0);
        let height = usize::try_from(max_r - min_r + 1).unwrap_or(0);
        let mut index = Self {
            min_q,
            min_r,
            width,
            height,
            slots: vec![Self::NONE; width * height],
        };
        for (i, h) in cells.iter().enumerate() {
            if let Some(slot) = index.slot(*h) {
                index.slots[slot] = u32::try_from(i).unwrap_or(Self::NONE);
            }
        }
        index
    }

    fn slot(&self, h: Hex) -> Option<usize> {
        let q = usize::try_from(h.q.checked_sub(self.min_q)?).ok()?;
        let r = usize::try_from(h.r.checked_sub(self.min_r)?).ok()?;
        (q < self.width && r < self.height).then_some(r * self.width + q)
    }

    fn get(&self, h: Hex) -> Option<usize> {
        let v = *self.slots.get(self.slot(h)?)?;
        (v != Self::NONE).then_some(v as usize)
    }
}

/// Deterministic asteroid draw for one hex (splitmix64 of the seed and the coordinates).
fn is_asteroid(seed: u64, h: Hex, percent: u32) -> bool {
    let mut x = seed
        ^ (h.q as u32 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (h.r as u32 as u64)
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            .rotate_left(31);
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x % 100) < u64::from(percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rings_of_chunks_tile_without_overlap() {
        for (r, rings) in [(2u32, 3u32), (9, 2), (5, 4)] {
            let centers = ring_centers(r, rings);
            let n = 3 * rings * (rings + 1) + 1;
            assert_eq!(centers.len(), n as usize);
            assert_eq!(centers[..7], pocket_centers(r), "the pocket comes first");
            let mut all = HashSet::new();
            for c in &centers {
                for h in disc(*c, r) {
                    assert!(all.insert(h), "{h:?} in two chunks (r={r}, rings={rings})");
                }
            }
            // No gaps near the middle: a step leaves the central chunk only after r steps,
            // and reaches at most the next ring of chunks, so the hexes within r + rings of
            // the middle are all in some chunk.
            let inner = r + rings;
            assert!(disc(Hex::default(), inner).all(|h| all.contains(&h)));
            let map = GameMap::generate_rings(r, rings, 7, 10);
            assert_eq!(map.cell_count(), n as usize * disc_len(r));
            assert_eq!(map.spawns().len(), n as usize - 1);
            assert!(map.spawns().iter().all(|s| map.is_passable(*s)));
        }
        let one = GameMap::generate_rings(9, 1, 7, 10);
        assert_eq!(one.cells(), GameMap::generate(9, 7, 10).cells());
    }

    #[test]
    fn pocket_has_7_disjoint_adjacent_chunks() {
        for r in [2u32, 5, 9] {
            let centers = pocket_centers(r);
            let discs: Vec<HashSet<Hex>> = centers.iter().map(|c| disc(*c, r).collect()).collect();
            for i in 0..7 {
                for j in (i + 1)..7 {
                    assert!(
                        discs[i].is_disjoint(&discs[j]),
                        "chunks {i} and {j} overlap (r={r})"
                    );
                }
            }
            // The center chunk touches every outer chunk, and each outer chunk its two
            // ring neighbours: no gaps between them.
            let touches = |a: &HashSet<Hex>, b: &HashSet<Hex>| {
                a.iter()
                    .any(|h| h.neighbors().iter().any(|n| b.contains(n)))
            };
            for i in 1..7 {
                assert!(
                    touches(&discs[0], &discs[i]),
                    "center not adjacent to {i} (r={r})"
                );
                let next = if i == 6 { 1 } else { i + 1 };
                assert!(
                    touches(&discs[i], &discs[next]),
                    "{i} not adjacent to {next}"
                );
            }
            // Gap check: every hex within r+1 of the center is on the map.
            let map = GameMap::generate(r, 1, 0);
            for h in disc(Hex::default(), r + 1) {
                assert!(map.contains(h), "gap at {h:?} (r={r})");
            }
        }
    }

    #[test]
    fn cell_count_is_7_discs() {
        let map = GameMap::generate(9, 7, 10);
        assert_eq!(disc_len(9), 271);
        assert_eq!(map.cell_count(), 1897);
        assert_eq!(map.cells().iter().collect::<HashSet<_>>().len(), 1897);
        assert_eq!(GameMap::generate(4, 7, 10).cell_count(), 7 * 61);
    }

    #[test]
    fn asteroids_are_deterministic_and_spare_spawns() {
        let a = GameMap::generate(9, 42, 20);
        let b = GameMap::generate(9, 42, 20);
        let c = GameMap::generate(9, 43, 20);
        assert_eq!(a.info(), b.info());
        assert_ne!(a.info().blocked, c.info().blocked);
        let blocked = a.info().blocked.len();
        assert!(
            (200..=560).contains(&blocked),
            "about 20% blocked, got {blocked}"
        );
        assert_eq!(a.spawns().len(), 6);
        for s in a.spawns() {
            for h in disc(*s, SPAWN_CLEAR_RADIUS) {
                assert!(a.is_passable(h));
            }
        }
        assert!(!a.is_passable(Hex::new(1000, 0)));
        assert_eq!(a.placements(a.spawns()[0], 3).len(), 3);
    }
}
