//! Areas of the map: disc and ring iteration around a [`Hex`]. The coordinate math itself
//! (directions, neighbours, the overflow-safe distance, rotation) is on [`Hex`] in the
//! protocol crate, shared with the edge and the clients.

use starlane_protocol::Hex;

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

/// The first of `hexes` for which `pred` holds, looking from index `start` (taken modulo the
/// length) round to the one before it; `None` for no such hex or an empty slice.
pub fn find_from(hexes: &[Hex], start: usize, mut pred: impl FnMut(Hex) -> bool) -> Option<Hex> {
    let start = start.checked_rem(hexes.len())?;
    hexes[start..]
        .iter()
        .chain(&hexes[..start])
        .copied()
        .find(|h| pred(*h))
}

/// All hexes at distance exactly `radius` from `center` (just `center` for radius 0).
pub fn ring(center: Hex, radius: u32) -> impl Iterator<Item = Hex> {
    let n = radius as i32;
    let start = center.plus(Hex::DIRECTIONS[4].scale(n));
    let count = if radius == 0 { 1 } else { 6 * radius as usize };
    let mut cur = start;
    (0..count).map(move |i| {
        let out = cur;
        if radius > 0 {
            cur = cur.plus(Hex::DIRECTIONS[i / radius as usize % 6]);
        }
        out
    })
}

/// The hexes of `center`'s disc of `radius` that a disc of the same radius `depth` steps away
/// can leave out: those at a distance from `radius - depth + 1` to `radius` (all of the disc
/// when `depth > radius`, none when `depth` is 0), ring by ring.
pub fn rim(center: Hex, radius: u32, depth: u32) -> impl Iterator<Item = Hex> {
    let inner = (radius + 1).saturating_sub(depth);
    (inner..=radius).flat_map(move |r| ring(center, r))
}

/// The hexes of `center`'s disc of `radius` farther than `radius` from its neighbour in
/// direction `dir` (an index into [`Hex::DIRECTIONS`], taken modulo 6): what a disc leaves
/// behind when it steps that way. They are the `2r + 1` hexes of the ring's far side, from
/// the corner two directions round from `dir` to the one four round, walked along the two
/// edges between (the edge after corner `k` runs along direction `k + 2`).
pub fn crescent(center: Hex, radius: u32, dir: usize) -> impl Iterator<Item = Hex> {
    let d = |k: usize| Hex::DIRECTIONS[k % 6];
    let n = i32::try_from(radius).unwrap_or(i32::MAX);
    let (a, b) = (dir + 2, dir + 3);
    let first = (0..n).map(move |t| center.plus(d(a).scale(n)).plus(d(a + 2).scale(t)));
    let second = (0..=n).map(move |t| center.plus(d(b).scale(n)).plus(d(b + 2).scale(t)));
    first.chain(second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A disc moved to `to` leaves out exactly the hexes of `rim(from, ..)` farther than the
    /// radius from `to`: the rim filtered equals the disc filtered.
    #[test]
    fn a_moved_disc_leaves_only_rim_hexes() {
        let from = Hex::new(3, -5);
        for radius in 0..7 {
            for (dq, dr) in [(0, 0), (1, 0), (-1, 1), (2, -1), (0, 3), (5, 4), (-9, 2)] {
                let to = Hex::new(from.q + dq, from.r + dr);
                let depth = from.distance(to);
                let far = |h: &Hex| h.distance(to) > radius;
                let mut by_disc: Vec<Hex> = disc(from, radius).filter(far).collect();
                let mut by_rim: Vec<Hex> = rim(from, radius, depth).filter(far).collect();
                by_disc.sort_by_key(|h| (h.q, h.r));
                by_rim.sort_by_key(|h| (h.q, h.r));
                assert_eq!(by_disc, by_rim, "radius {radius}, to {to:?}");
                assert!(rim(from, radius, depth).count() <= disc_len(radius));
            }
        }
    }

    #[test]
    fn a_step_leaves_the_crescent_behind() {
        let from = Hex::new(-2, 6);
        for radius in 0..9 {
            for (dir, step) in Hex::DIRECTIONS.iter().enumerate() {
                let to = from.plus(*step);
                let mut want: Vec<Hex> = disc(from, radius)
                    .filter(|h| h.distance(to) > radius)
                    .collect();
                let mut got: Vec<Hex> = crescent(from, radius, dir).collect();
                assert_eq!(got.len(), 2 * radius as usize + 1);
                want.sort_by_key(|h| (h.q, h.r));
                got.sort_by_key(|h| (h.q, h.r));
                assert_eq!(got, want, "radius {radius}, direction {dir}");
            }
        }
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
