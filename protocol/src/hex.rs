//! [`Hex`]: the axial hex coordinate of the wire, and the hex math every component shares
//! (region, edge, native client; the web client's `clients/web/src/hex.ts` checks the same
//! golden cases, `protocol/vectors/hex.json`).
//!
//! Coordinates come from the wire as any `i32`, so nothing here may overflow or panic on
//! hostile values: [`Hex::distance`] computes in `i64` and saturates, and the arithmetic
//! methods wrap modulo 2^32 (what release builds did before; debug builds no longer panic).
//! A map keeps its hexes far from the `i32` edges, where wrapping never happens.

use serde::{Deserialize, Serialize};

/// Axial hex coordinate (pointy-top). `s = -q - r` is implied.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
pub struct Hex {
    /// Column (axial `q`).
    pub q: i32,
    /// Row (axial `r`).
    pub r: i32,
}

impl Hex {
    /// The six axial directions (unit offsets), counter-clockwise starting east. The delta
    /// codec's step directions (SPEC.md §16.2) number them in this order.
    pub const DIRECTIONS: [Hex; 6] = [
        Hex::new(1, 0),
        Hex::new(1, -1),
        Hex::new(0, -1),
        Hex::new(-1, 0),
        Hex::new(-1, 1),
        Hex::new(0, 1),
    ];

    /// The hex `(q, r)`.
    #[inline]
    pub const fn new(q: i32, r: i32) -> Self {
        Self { q, r }
    }

    /// Component-wise sum, wrapping modulo 2^32.
    #[inline]
    pub const fn plus(self, other: Hex) -> Hex {
        Hex::new(self.q.wrapping_add(other.q), self.r.wrapping_add(other.r))
    }

    /// Component-wise difference, wrapping modulo 2^32.
    #[inline]
    pub const fn minus(self, other: Hex) -> Hex {
        Hex::new(self.q.wrapping_sub(other.q), self.r.wrapping_sub(other.r))
    }

    /// Both components multiplied by `k`, wrapping modulo 2^32.
    #[inline]
    pub const fn scale(self, k: i32) -> Hex {
        Hex::new(self.q.wrapping_mul(k), self.r.wrapping_mul(k))
    }

    /// The implied third cube coordinate `s = -q - r`, wrapping modulo 2^32 (use
    /// [`Hex::distance`] for distances: it does not wrap).
    #[inline]
    pub const fn s(self) -> i32 {
        self.q.wrapping_neg().wrapping_sub(self.r)
    }

    /// Steps between two hexes: `max(|dq|, |dr|, |dq + dr|)`, computed exactly in `i64`.
    ///
    /// Exact for every pair of hexes whose distance fits a `u32`, which includes every pair
    /// of hexes on a map; a larger distance (only between hexes more than 2^32 - 1 apart,
    /// which hostile wire coordinates can name) saturates to `u32::MAX`. Never panics.
    #[inline]
    pub fn distance(self, other: Hex) -> u32 {
        let dq = i64::from(self.q) - i64::from(other.q);
        let dr = i64::from(self.r) - i64::from(other.r);
        // |dq|, |dr| <= 2^32 - 1 and |dq + dr| <= 2^33 - 2: no i64 overflow.
        let d = dq
            .unsigned_abs()
            .max(dr.unsigned_abs())
            .max((dq + dr).unsigned_abs());
        u32::try_from(d).unwrap_or(u32::MAX)
    }

    /// The six adjacent hexes, in [`Hex::DIRECTIONS`] order (wrapping at the `i32` edges).
    #[inline]
    pub fn neighbors(self) -> [Hex; 6] {
        Self::DIRECTIONS.map(|d| self.plus(d))
    }

    /// Rotated 60 degrees counter-clockwise around the origin (`(q, r) -> (-r, q + r)`),
    /// wrapping modulo 2^32.
    #[inline]
    pub const fn rotate60(self) -> Hex {
        Hex::new(self.r.wrapping_neg(), self.q.wrapping_add(self.r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXTREMES: [i32; 7] = [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX];

    #[test]
    fn distance_and_neighbors() {
        let o = Hex::new(0, 0);
        for n in o.neighbors() {
            assert_eq!(o.distance(n), 1);
        }
        assert_eq!(Hex::new(3, -1).distance(Hex::new(-2, 4)), 5);
        assert_eq!(Hex::new(19, -9).distance(o), 19);
        assert_eq!(Hex::new(0, 0).distance(Hex::new(3, -1)), 3);
        assert_eq!(Hex::new(-2, 2).distance(Hex::new(2, -2)), 4);
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
    fn arithmetic_is_component_wise() {
        let a = Hex::new(3, -7);
        let b = Hex::new(-2, 5);
        assert_eq!(a.plus(b), Hex::new(1, -2));
        assert_eq!(a.minus(b), Hex::new(5, -12));
        assert_eq!(a.scale(3), Hex::new(9, -21));
        assert_eq!(a.s(), 4);
        assert_eq!(a.plus(b).minus(b), a);
    }

    /// Runs in debug builds, where an overflowing `+`, `-`, `*` or `abs` panics.
    #[test]
    fn extreme_coordinates_neither_panic_nor_overflow() {
        let max = u64::from(u32::MAX);
        for &aq in &EXTREMES {
            for &ar in &EXTREMES {
                for &bq in &EXTREMES {
                    for &br in &EXTREMES {
                        let (a, b) = (Hex::new(aq, ar), Hex::new(bq, br));
                        let dq = i128::from(aq) - i128::from(bq);
                        let dr = i128::from(ar) - i128::from(br);
                        let exact = dq.abs().max(dr.abs()).max((dq + dr).abs());
                        let want = u32::try_from(exact).unwrap_or(u32::MAX);
                        assert_eq!(a.distance(b), want, "{a:?} {b:?}");
                        assert_eq!(b.distance(a), want, "{a:?} {b:?}");
                        assert!(u64::from(a.distance(b)) <= max);
                        let _ = (a.plus(b), a.minus(b), a.scale(bq), a.s());
                        let _ = (a.neighbors(), a.rotate60());
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_distances_are_exact_or_saturate() {
        let (min, max) = (i32::MIN, i32::MAX);
        // 2^32 - 1 steps along q: exactly u32::MAX.
        assert_eq!(Hex::new(min, 0).distance(Hex::new(max, 0)), u32::MAX);
        // |dq| = |dr| = 2^32 - 1 in opposite directions: s does not change, u32::MAX.
        assert_eq!(Hex::new(min, max).distance(Hex::new(max, min)), u32::MAX);
        // Same direction: |ds| = 2^33 - 2, saturates.
        assert_eq!(Hex::new(min, min).distance(Hex::new(max, max)), u32::MAX);
        // Within range, exact.
        assert_eq!(Hex::new(max, 0).distance(Hex::new(max - 5, 2)), 5);
        assert_eq!(Hex::new(min, 0).distance(Hex::new(0, 0)), 1 << 31);
        assert_eq!(Hex::new(min, min).distance(Hex::new(0, 0)), u32::MAX);
    }

    #[test]
    fn neighbors_at_the_edge_wrap_instead_of_panicking() {
        let edge = Hex::new(i32::MAX, i32::MIN);
        let n = edge.neighbors();
        assert_eq!(n[0], Hex::new(i32::MIN, i32::MIN));
        assert_eq!(n[2], Hex::new(i32::MAX, i32::MAX));
        assert_eq!(edge.rotate60(), Hex::new(i32::MIN, -1));
    }
}
