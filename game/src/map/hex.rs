//! Axial hex math (pointy-top) on [`Hex`]: directions, neighbours, distance, rotation,
//! disc and ring iteration.

use starlane_protocol::Hex;

/// The six axial directions, counter-clockwise starting east.
pub const DIRECTIONS: [Hex; 6] = [
    Hex::new(1, 0),
    Hex::new(1, -1),
    Hex::new(0, -1),
    Hex::new(-1, 0),
    Hex::new(-1, 1),
    Hex::new(0, 1),
];

/// Hex arithmetic and geometry.
pub trait HexMath: Sized + Copy {
    /// Component-wise sum.
    fn plus(self, other: Self) -> Self;
    /// Component-wise difference.
    fn minus(self, other: Self) -> Self;
    /// Multiply both components by `k`.
    fn scale(self, k: i32) -> Self;
    /// The implied third cube coordinate `s = -q - r`.
    fn s(self) -> i32;
    /// Steps between two hexes.
    fn distance(self, other: Self) -> u32;
    /// The six adjacent hexes.
    fn neighbors(self) -> [Self; 6];
    /// Rotate 60 degrees around the origin (`(q, r) -> (-r, q + r)`).
    fn rotate60(self) -> Self;
}

impl HexMath for Hex {
    fn plus(self, o: Hex) -> Hex {
        Hex::new(self.q + o.q, self.r + o.r)
    }
    fn minus(self, o: Hex) -> Hex {
        Hex::new(self.q - o.q, self.r - o.r)
    }
    fn scale(self, k: i32) -> Hex {
        Hex::new(self.q * k, self.r * k)
    }
    fn s(self) -> i32 {
        -self.q - self.r
    }
    fn distance(self, o: Hex) -> u32 {
        let d = self.minus(o);
        d.q.unsigned_abs()
            .max(d.r.unsigned_abs())
            .max(d.s().unsigned_abs())
    }
    fn neighbors(self) -> [Hex; 6] {
        DIRECTIONS.map(|d| self.plus(d))
    }
    fn rotate60(self) -> Hex {
        Hex::new(-self.r, self.q + self.r)
    }
}

/// Number of hexes within `radius` of a center: `3r(r+1)+1`.
pub const fn disc_len(radius: u32) -> usize {
    let r = radius as usize;
    3 * r * (r + 1) + 1
}

/// All hexes at distance `<= radius` from `center`, row by row.
pub fn disc(center: Hex, radius: u32) -> impl Iterator<Item = Hex> {
    let n = radius as i32;
    (-n..=n).flat_map(move |dq| {
        let lo = (-n).max(-dq - n);
        let hi = n.min(-dq + n);
        (lo..=hi).map(move |dr| Hex::new(center.q + dq, center.r + dr))
    })
}

/// All hexes at distance exactly `radius` from `center` (just `center` for radius 0).
pub fn ring(center: Hex, radius: u32) -> impl Iterator<Item = Hex> {
    let n = radius as i32;
    let start = center.plus(DIRECTIONS[4].scale(n));
    let count = if radius == 0 { 1 } else { 6 * radius as usize };
    let mut cur = start;
    (0..count).map(move |i| {
        let out = cur;
        if radius > 0 {
            cur = cur.plus(DIRECTIONS[i / radius as usize % 6]);
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn distance_and_neighbors() {
        let o = Hex::new(0, 0);
        for n in o.neighbors() {
            assert_eq!(o.distance(n), 1);
        }
        assert_eq!(Hex::new(3, -1).distance(Hex::new(-2, 4)), 5);
        assert_eq!(Hex::new(19, -9).distance(o), 19);
    }

    #[test]
    fn rotation_preserves_distance_and_cycles() {
        let h = Hex::new(19, -9);
        let mut cur = h;
        for _ in 0..6 {
            assert_eq!(cur.distance(Hex::default()), 19);
            cur = cur.rotate60();
        }
        assert_eq!(cur, h);
    }

    #[test]
    fn disc_and_ring_sizes() {
        let c = Hex::new(4, -7);
        for r in 0..12 {
            let d: HashSet<Hex> = disc(c, r).collect();
            assert_eq!(d.len(), disc_len(r));
            assert!(d.iter().all(|h| h.distance(c) <= r));
            let ring_hexes: Vec<Hex> = ring(c, r).collect();
            let ring_set: HashSet<Hex> = ring_hexes.iter().copied().collect();
            assert_eq!(ring_set.len(), ring_hexes.len());
            assert_eq!(ring_hexes.len(), if r == 0 { 1 } else { 6 * r as usize });
            assert!(ring_hexes.iter().all(|h| h.distance(c) == r));
        }
        assert_eq!(disc_len(9), 271);
    }
}
