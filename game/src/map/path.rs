//! A* shortest paths over the passable hexes of a [`GameMap`].

use super::GameMap;
use starlane_protocol::Hex;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Shortest path from `from` to `to` over passable hexes, excluding `from` and ending with `to`.
/// `Some(vec![])` when `from == to`; `None` when `to` is unreachable, off the map or
/// impassable. Ties are broken deterministically.
pub fn find_path(map: &GameMap, from: Hex, to: Hex) -> Option<Vec<Hex>> {
    if from == to {
        return Some(Vec::new());
    }
    let start = map.cell_index(from)?;
    let goal = map.cell_index(to)?;
    if !map.is_passable(to) {
        return None;
    }
    let n = map.cell_count();
    let mut g = vec![u32::MAX; n];
    let mut came_from = vec![usize::MAX; n];
    let mut open = BinaryHeap::new();
    *g.get_mut(start)? = 0;
    // (f, h, cell index): lower f first, then closer to the goal.
    open.push(Reverse((from.distance(to), from.distance(to), start)));
    while let Some(Reverse((_, _, cur))) = open.pop() {
        if cur == goal {
            return Some(rebuild(map, &came_from, start, goal));
        }
        let cur_hex = *map.cells().get(cur)?;
        let cur_g = *g.get(cur)?;
        for next_hex in cur_hex.neighbors() {
            if !map.is_passable(next_hex) {
                continue;
            }
            let Some(next) = map.cell_index(next_hex) else {
                continue;
            };
            let tentative = cur_g + 1;
            if g.get(next).is_some_and(|old| tentative < *old) {
                g[next] = tentative;
                came_from[next] = cur;
                let h = next_hex.distance(to);
                open.push(Reverse((tentative + h, h, next)));
            }
        }
    }
    None
}

fn rebuild(map: &GameMap, came_from: &[usize], start: usize, goal: usize) -> Vec<Hex> {
    let mut out = Vec::new();
    let mut cur = goal;
    while cur != start {
        match (map.cells().get(cur), came_from.get(cur)) {
            (Some(h), Some(prev)) => {
                out.push(*h);
                cur = *prev;
            }
            _ => break,
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::{disc, ring};

    #[test]
    fn straight_path_on_open_map() {
        let map = GameMap::generate(5, 0, 0);
        let from = Hex::new(0, 0);
        let to = Hex::new(4, -2);
        let path = find_path(&map, from, to).expect("open map");
        assert_eq!(path.len() as u32, from.distance(to));
        assert_eq!(path.last(), Some(&to));
        let mut prev = from;
        for h in &path {
            assert_eq!(prev.distance(*h), 1);
            prev = *h;
        }
        assert_eq!(find_path(&map, from, from), Some(vec![]));
    }

    #[test]
    fn path_goes_around_asteroids_and_stays_shortest() {
        for seed in 0..5 {
            let map = GameMap::generate(9, seed, 20);
            let s = map.spawns().to_vec();
            for (a, b) in [(0, 3), (1, 2), (4, 0)] {
                let path = find_path(&map, s[a], s[b]);
                assert_eq!(path.as_ref().map(Vec::len), bfs_len(&map, s[a], s[b]));
                if let Some(path) = path {
                    assert!(path.iter().all(|h| map.is_passable(*h)));
                }
            }
        }
    }

    #[test]
    fn unreachable_offmap_and_blocked_targets() {
        let mut map = GameMap::generate(9, 5, 0);
        let from = map.spawns()[0];
        assert_eq!(find_path(&map, from, Hex::new(500, 0)), None);
        let target = map.spawns()[3];
        for h in ring(target, 1) {
            map.set_passable(h, false);
        }
        assert!(!map.is_passable(target.neighbors()[0]));
        assert_eq!(find_path(&map, from, target.neighbors()[0]), None);
        assert_eq!(find_path(&map, from, target), None);
        // Opening one hex of the wall makes it reachable again, around the wall.
        map.set_passable(target.neighbors()[0], true);
        let path = find_path(&map, from, target).expect("reachable through the gap");
        assert_eq!(path.len(), bfs_len(&map, from, target).expect("bfs agrees"));
        assert_eq!(disc(target, 1).filter(|h| map.is_passable(*h)).count(), 2);
    }

    fn bfs_len(map: &GameMap, from: Hex, to: Hex) -> Option<usize> {
        let mut dist = std::collections::HashMap::new();
        let mut q = std::collections::VecDeque::from([from]);
        dist.insert(from, 0usize);
        while let Some(h) = q.pop_front() {
            let d = dist[&h];
            if h == to {
                return Some(d);
            }
            for n in h.neighbors() {
                if map.is_passable(n) && !dist.contains_key(&n) {
                    dist.insert(n, d + 1);
                    q.push_back(n);
                }
            }
        }
        None
    }
}
