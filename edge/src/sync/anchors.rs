//! [`Anchors`]: the positions of a session's own units, for the distance priority tiers.
//!
//! Every visible entity's distance to the nearest own unit is recomputed when an own unit
//! moves, which is `visible × own units` hex distances. The positions are kept as two
//! columns of `i32` so that loop vectorizes; coordinates too large for `i32` arithmetic (only
//! hostile or broken input names them: maps are a few hundred hexes across) take the exact
//! `i64` path of [`Hex::distance`].

use starlane_protocol::Hex;

/// Largest coordinate magnitude of the `i32` path: differences of two such coordinates and
/// their sum stay within `i32`.
const SMALL: i32 = 1 << 28;

/// Own-unit positions (see the [module docs](self)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Anchors {
    q: Vec<i32>,
    r: Vec<i32>,
    /// Every anchor is within [`SMALL`] on both axes.
    small: bool,
}

impl Anchors {
    /// Anchors at `hexes`.
    pub(super) fn new(hexes: &[Hex]) -> Self {
        Self {
            q: hexes.iter().map(|h| h.q).collect(),
            r: hexes.iter().map(|h| h.r).collect(),
            small: hexes.iter().all(|h| is_small(*h)),
        }
    }

    /// The anchors' hexes, in order.
    fn hexes(&self) -> impl Iterator<Item = Hex> + '_ {
        self.q.iter().zip(&self.r).map(|(&q, &r)| Hex::new(q, r))
    }

    /// Whether these are the anchors at `hexes`.
    pub(super) fn same_as(&self, hexes: &[Hex]) -> bool {
        self.q.len() == hexes.len() && self.hexes().eq(hexes.iter().copied())
    }

    /// Distance in hexes from `pos` to the nearest anchor (`u32::MAX` if none).
    pub(super) fn nearest(&self, pos: Hex) -> u32 {
        if self.q.is_empty() {
            return u32::MAX;
        }
        if !(self.small && is_small(pos)) {
            return self
                .hexes()
                .map(|a| pos.distance(a))
                .min()
                .unwrap_or(u32::MAX);
        }
        let mut best = i32::MAX;
        for (&q, &r) in self.q.iter().zip(&self.r) {
            // Within SMALL: |dq|, |dr| < 2^29 and |dq + dr| < 2^30, no overflow.
            let dq = pos.q - q;
            let dr = pos.r - r;
            best = best.min(dq.abs().max(dr.abs()).max((dq + dr).abs()));
        }
        best.unsigned_abs()
    }
}

fn is_small(h: Hex) -> bool {
    (-SMALL..=SMALL).contains(&h.q) && (-SMALL..=SMALL).contains(&h.r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_matches_hex_distance_on_both_paths() {
        let hexes = vec![Hex::new(0, 0), Hex::new(5, -3), Hex::new(-7, 2)];
        let small = Anchors::new(&hexes);
        let far = Hex::new(i32::MAX, i32::MIN);
        let mut with_far = hexes.clone();
        with_far.push(far);
        let large = Anchors::new(&with_far);
        assert!(small.small && !large.small);
        for pos in [
            Hex::new(1, 1),
            Hex::new(-3, 9),
            Hex::new(4, -3),
            Hex::new(i32::MIN, i32::MAX),
            far,
        ] {
            let exact = |anchors: &[Hex]| anchors.iter().map(|a| pos.distance(*a)).min();
            assert_eq!(Some(small.nearest(pos)), exact(&hexes), "{pos:?}");
            assert_eq!(Some(large.nearest(pos)), exact(&with_far), "{pos:?}");
        }
        assert_eq!(Anchors::default().nearest(Hex::new(0, 0)), u32::MAX);
        assert!(small.same_as(&hexes) && !small.same_as(&with_far));
    }
}
