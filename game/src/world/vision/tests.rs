//! The incremental index against its definition, computed from scratch every tick.

use super::index::{Observer, Vision};
use crate::map::{GameMap, disc};
use starlane_protocol::{EmpireId, EntityId, Hex, Visibility};
use std::collections::{BTreeMap, BTreeSet};

/// Deterministic pseudo-random index in `0..n` (a 64-bit LCG step).
fn pick(state: &mut u64, n: usize) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 33) % n as u64) as usize
}

/// What an empire should see, from scratch: cells within range of its observers are visible,
/// cells seen before are fog. Returns the cells whose state changed.
fn full_scan(map: &GameMap, observers: &[Observer], cells: &mut [Visibility]) -> Vec<u32> {
    let visible = discs(map, observers, |o| Some(o.range));
    let mut changed = Vec::new();
    for (i, (cell, now)) in cells.iter_mut().zip(visible).enumerate() {
        let next = match (now, *cell) {
            (true, _) => Visibility::Visible,
            (false, Visibility::Shroud) => Visibility::Shroud,
            (false, _) => Visibility::Fog,
        };
        if next != *cell {
            *cell = next;
            changed.push(i as u32);
        }
    }
    changed
}

/// Per cell, whether some observer's `reach` (`None`: none) covers it.
fn discs(
    map: &GameMap,
    observers: &[Observer],
    reach: impl Fn(&Observer) -> Option<u32>,
) -> Vec<bool> {
    let mut covered = vec![false; map.cell_count()];
    for o in observers {
        for h in reach(o).map(|r| disc(o.hex, r)).into_iter().flatten() {
            if let Some(i) = map.cell_index(h) {
                covered[i] = true;
            }
        }
    }
    covered
}

/// Entities seen, by `positions`: plain ones on visible cells, cloaked ones on cells within
/// detection range of an observer.
fn seen(
    map: &GameMap,
    positions: &BTreeMap<EntityId, Hex>,
    cloaked: &BTreeSet<EntityId>,
    cells: &[Visibility],
    observers: &[Observer],
) -> BTreeSet<EntityId> {
    let detected = discs(map, observers, |o| o.detect.map(|d| d.min(o.range)));
    positions
        .iter()
        .filter(|(id, h)| {
            map.cell_index(**h).is_some_and(|i| {
                if cloaked.contains(id) {
                    detected[i]
                } else {
                    cells[i] == Visibility::Visible
                }
            })
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Entities and observers wander, appear, vanish, change hands and cloak or uncloak over many
/// ticks (observers are entities too, sometimes several on one hex, some detecting): after
/// every tick each empire's cells, changed cells, seen entities and what entered and left
/// match the definition.
#[test]
fn incremental_index_matches_a_full_scan() {
    walk_against_a_full_scan(false);
}

/// The same walk with each tick's observer changes handed over in one
/// [`Vision::set_observers`] before the tick closes (as the vision system does), after the
/// entities moved: the order of the two does not change what the tick settles.
#[test]
fn batched_observer_changes_match_a_full_scan() {
    walk_against_a_full_scan(true);
}

fn walk_against_a_full_scan(batched: bool) {
    let parallel = crate::world::parallel::Parallel::new(4);
    let mut batch: Vec<(EntityId, Option<Observer>)> = Vec::new();
    let map = GameMap::generate(4, 7, 10);
    let hexes = map.cells().to_vec();
    let mut rng = 0x5eed_u64;
    let mut vision = Vision::new(&map);
    let empires: [EmpireId; 3] = [3, 5, 9];
    let mut positions: BTreeMap<EntityId, Hex> = BTreeMap::new();
    let mut observers: BTreeMap<EntityId, Observer> = BTreeMap::new();
    let mut cloaked: BTreeSet<EntityId> = BTreeSet::new();
    let mut expected: BTreeMap<EmpireId, (Vec<Visibility>, BTreeSet<EntityId>)> = empires
        .iter()
        .map(|e| (*e, (vec![Visibility::Shroud; hexes.len()], BTreeSet::new())))
        .collect();
    let (mut entered, mut left, mut fogged, mut spotted) = (0, 0, 0, 0);
    for _ in 0..400 {
        for _ in 0..12 {
            let id = 1 + pick(&mut rng, 60) as EntityId;
            match pick(&mut rng, 7) {
                0 => {
                    positions.remove(&id);
                    observers.remove(&id);
                    cloaked.remove(&id);
                    vision.locate(&map, id, None);
                    if batched {
                        batch.push((id, None));
                    } else {
                        vision.set_observer(&map, id, None);
                    }
                    vision.set_cloak(id, false);
                }
                1 => {
                    if let Some(pos) = positions.get(&id) {
                        let range = pick(&mut rng, 4) as u32;
                        let o = Observer {
                            empire: empires[pick(&mut rng, 3)],
                            hex: *pos,
                            range,
                            // Some beyond their sight: the index clamps.
                            detect: [None, Some(0), Some(range / 2), Some(range + 1)]
                                [pick(&mut rng, 4)],
                        };
                        observers.insert(id, o);
                        if batched {
                            batch.push((id, Some(o)));
                        } else {
                            vision.set_observer(&map, id, Some(o));
                        }
                    }
                }
                2 => {
                    let on = !cloaked.remove(&id);
                    if on {
                        cloaked.insert(id);
                    }
                    vision.set_cloak(id, on);
                }
                3 => {
                    // Onto another entity's hex, if any.
                    let to = positions.values().next().copied().unwrap_or(hexes[0]);
                    positions.insert(id, to);
                    vision.locate(&map, id, Some(to));
                }
                5 => {
                    // A step to a neighbour, as units move (observers shift their discs).
                    let Some(pos) = positions.get(&id).copied() else {
                        continue;
                    };
                    let dirs = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)];
                    let (dq, dr) = dirs[pick(&mut rng, dirs.len())];
                    let to = Hex::new(pos.q + dq, pos.r + dr);
                    if map.cell_index(to).is_some() {
                        positions.insert(id, to);
                        vision.locate(&map, id, Some(to));
                    }
                }
                _ => {
                    let to = hexes[pick(&mut rng, hexes.len())];
                    positions.insert(id, to);
                    vision.locate(&map, id, Some(to));
                }
            }
            if let (Some(o), Some(pos)) = (observers.get_mut(&id), positions.get(&id))
                && o.hex != *pos
            {
                o.hex = *pos;
                if batched {
                    batch.push((id, Some(*o)));
                } else {
                    vision.set_observer(&map, id, Some(*o));
                }
            }
        }
        vision.set_observers(&map, &parallel, batch.drain(..));
        vision.finish_tick();
        for empire in empires {
            let (cells, before) = expected.get_mut(&empire).expect("listed");
            let mine: Vec<Observer> = observers
                .values()
                .filter(|o| o.empire == empire)
                .copied()
                .collect();
            let changed = full_scan(&map, &mine, cells);
            let now = seen(&map, &positions, &cloaked, cells, &mine);
            let came: Vec<EntityId> = now.difference(before).copied().collect();
            let went: Vec<EntityId> = before.difference(&now).copied().collect();
            let Some(v) = vision.empire(empire) else {
                assert!(now.is_empty() && changed.is_empty(), "empire {empire}");
                continue;
            };
            assert_eq!(&v.cells, cells, "cells of {empire}");
            assert_eq!(v.changed, changed, "changed cells of {empire}");
            assert_eq!(v.entered, came, "entered for {empire}");
            assert_eq!(v.left, went, "left for {empire}");
            let mut all = Vec::new();
            vision.entities(empire, &mut all);
            assert_eq!(all, now.iter().copied().collect::<Vec<_>>());
            for id in 1..=60 {
                assert_eq!(vision.sees(empire, id), now.contains(&id), "sees {id}");
                assert_eq!(vision.is_cloaked(id), cloaked.contains(&id));
            }
            spotted += now.intersection(&cloaked).count();
            entered += came.len();
            left += went.len();
            fogged += cells.iter().filter(|c| **c == Visibility::Fog).count();
            *before = now;
        }
    }
    assert!(
        entered > 100 && left > 100,
        "{entered} entered, {left} left"
    );
    assert!(fogged > 0, "the walk left fog behind");
    assert!(
        spotted > 100,
        "cloaked entities were detected {spotted} times"
    );
}

/// A tick without changes publishes nothing, and the next tick's changes replace the last.
#[test]
fn a_quiet_tick_publishes_nothing() {
    let map = GameMap::generate(4, 7, 10);
    let hex = map.cells()[40];
    let mut vision = Vision::new(&map);
    vision.locate(&map, 1, Some(hex));
    vision.locate(&map, 2, Some(hex));
    let o = Observer {
        empire: 4,
        hex,
        range: 2,
        detect: None,
    };
    vision.set_observer(&map, 1, Some(o));
    vision.finish_tick();
    let v = vision.empire(4).expect("has an observer");
    assert_eq!(v.entered, [1, 2]);
    assert_eq!(v.changed.len(), 19, "a disc of range 2 inside the map");
    vision.finish_tick();
    let v = vision.empire(4).expect("has an observer");
    assert!(v.entered.is_empty() && v.left.is_empty() && v.changed.is_empty());
    vision.locate(&map, 2, None);
    vision.finish_tick();
    assert_eq!(vision.empire(4).map(|v| v.left.clone()), Some(vec![2]));
}
