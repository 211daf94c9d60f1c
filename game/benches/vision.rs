//! Criterion bench of the vision stage's work per tick: the [`Vision`] index on the default
//! map (`RegionConfig::default()`: 1897 hexes) holding E empires of one scout each and as
//! many neutral units, all on random passable hexes, when nothing moves (`static`) and when
//! one unit in ten (observers among them) steps to a neighbouring hex (`moving`). The index
//! follows changes, so a static tick should cost next to nothing whatever E is, and a moving
//! tick what the moves touch. Reported per tick.
//!
//! `cargo bench -p starlane-game --bench vision` (about 20 s).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use starlane_game::RegionConfig;
use starlane_game::map::GameMap;
use starlane_game::world::vision::{Observer, Vision};
use starlane_protocol::{EntityKind, Hex};
use std::hint::black_box;
use std::time::Duration;

/// Empires (one scout each) in the measured index.
const EMPIRES: [u32; 3] = [100, 1_000, 10_000];

/// Deterministic pseudo-random index in `0..n` (a 64-bit LCG step).
fn pick(state: &mut u64, n: usize) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 33) % n as u64) as usize
}

/// The default map and an index with `empires` scouts (ids 1..=E, empire = id) and as many
/// neutral units (ids E+1..=2E), with their positions.
fn scene(empires: u32) -> (GameMap, Vision, Vec<(u32, Hex)>, u32) {
    let config = RegionConfig::default();
    let map = GameMap::generate(
        config.chunk_radius,
        config.map_seed,
        config.asteroid_percent,
    );
    let passable: Vec<Hex> = map
        .cells()
        .iter()
        .copied()
        .filter(|h| map.is_passable(*h))
        .collect();
    let range = config.vision.get(EntityKind::Scout);
    let mut vision = Vision::new(&map);
    let mut rng = 0x5eed_u64;
    let mut units = Vec::new();
    for id in 1..=2 * empires {
        let hex = passable[pick(&mut rng, passable.len())];
        vision.locate(&map, id, Some(hex));
        if id <= empires {
            let o = Observer {
                empire: id,
                hex,
                range,
            };
            vision.set_observer(&map, id, Some(o));
        }
        units.push((id, hex));
    }
    vision.finish_tick();
    (map, vision, units, range)
}

fn vision_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("vision_tick");
    for empires in EMPIRES {
        let (map, mut vision, mut units, range) = scene(empires);
        group.bench_function(BenchmarkId::new("static", empires), |b| {
            b.iter(|| {
                vision.finish_tick();
                black_box(vision.located())
            })
        });
        let mut rng = 0x0bad_u64;
        group.bench_function(BenchmarkId::new("moving", empires), |b| {
            b.iter(|| {
                for _ in 0..units.len() / 10 {
                    let i = pick(&mut rng, units.len());
                    let (id, at) = units[i];
                    let to = at.neighbors()[pick(&mut rng, 6)];
                    if !map.is_passable(to) {
                        continue;
                    }
                    units[i].1 = to;
                    vision.locate(&map, id, Some(to));
                    if id <= empires {
                        let o = Observer {
                            empire: id,
                            hex: to,
                            range,
                        };
                        vision.set_observer(&map, id, Some(o));
                    }
                }
                vision.finish_tick();
                black_box(vision.located())
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = vision_tick
}
criterion_main!(benches);
