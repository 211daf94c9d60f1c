//! Criterion bench of one vision update: one empire with K units on the default map
//! (`RegionConfig::default()`: 1897 hexes), computed by `world::vision::update_empire_vision`,
//! the function the vision system runs for every empire each tick. A rival holds as many
//! units again, so collecting the entities in sight does real work. Reported per unit.
//!
//! `cargo bench -p starlane-game --bench vision` (about 15 s).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use starlane_game::RegionConfig;
use starlane_game::map::{GameMap, SpatialGrid};
use starlane_game::world::EmpireVision;
use starlane_game::world::vision::{VisionScratch, update_empire_vision};
use starlane_protocol::{EntityKind, Hex};
use std::hint::black_box;
use std::time::Duration;

/// Units of the measured empire.
const UNITS: [usize; 4] = [1, 10, 100, 1000];

/// Spatial grid cell size the region uses.
const GRID_CELL: u32 = 8;

/// Deterministic pseudo-random index in `0..n` (a 64-bit LCG step).
fn pick(state: &mut u64, n: usize) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 33) % n as u64) as usize
}

/// The map, a grid with `2k` units on passable hexes, and the first `k` as observers with the
/// configured vision range of their kind (half scouts, four in ten frigates, one in ten stations).
fn scene(k: usize) -> (GameMap, SpatialGrid, Vec<(Hex, u32)>) {
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
    let mut grid = SpatialGrid::new(GRID_CELL);
    let mut observers = Vec::with_capacity(k);
    let mut rng = 0x5eed_u64;
    for i in 0..2 * k {
        let pos = passable[pick(&mut rng, passable.len())];
        grid.upsert(i as u32 + 1, pos);
        if i < k {
            let kind = match i % 10 {
                0 => EntityKind::Station,
                1..=4 => EntityKind::Frigate,
                _ => EntityKind::Scout,
            };
            observers.push((pos, config.vision.get(kind)));
        }
    }
    (map, grid, observers)
}

fn vision_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("vision_update");
    for k in UNITS {
        let (map, grid, observers) = scene(k);
        let mut state = EmpireVision::default();
        let mut scratch = VisionScratch::default();
        // Steady state: the empire has seen the map before (fog where it no longer looks).
        update_empire_vision(&map, &grid, &observers, &mut state, &mut scratch);
        group.throughput(Throughput::Elements(k as u64));
        group.bench_function(BenchmarkId::from_parameter(k), |b| {
            b.iter(|| {
                // A new tick each time: the spatial queries are made, not shared.
                scratch.new_tick();
                update_empire_vision(&map, &grid, black_box(&observers), &mut state, &mut scratch);
                state.entities.len()
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = vision_update
}
criterion_main!(benches);
