//! Criterion bench of the vision stage's work per tick: the [`Vision`] index on the default
//! map (`RegionConfig::default()`: 1897 hexes) holding E empires of one scout each and as
//! many neutral units, all on random passable hexes, when nothing moves (`static`) and when
//! one unit in ten (observers among them) steps to a neighbouring hex (`moving`). The index
//! follows changes, so a static tick should cost next to nothing whatever E is, and a moving
//! tick what the moves touch. Reported per tick. `moving_stealth` is `moving` with vision
//! types on (SPEC.md §20.7): every scout detects within 2 hexes and the neutral units are
//! cloaked, so each observer's move also moves its detection disc.
//!
//! `cargo bench -p starlane-game --bench vision` (about 30 s). For instruction counts, which
//! hold on a noisy machine: `VISION_TICKS=200 valgrind --tool=callgrind <bench binary>` runs
//! 200 `moving` ticks of 1,000 empires, then the same with stealth, without criterion
//! (`VISION_STEALTH=0` or `1`: only the one).

use criterion::{BenchmarkId, Criterion, criterion_group};
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

/// The observer of scout `id` at `hex`, detecting within 2 hexes when `stealth`.
fn scout(id: u32, hex: Hex, range: u32, stealth: bool) -> Observer {
    Observer {
        empire: id,
        hex,
        range,
        detect: stealth.then_some(2),
    }
}

/// The default map and an index with `empires` scouts (ids 1..=E, empire = id) and as many
/// neutral units (ids E+1..=2E, cloaked when `stealth`), with their positions.
fn scene(empires: u32, stealth: bool) -> (GameMap, Vision, Vec<(u32, Hex)>, u32) {
    let config = RegionConfig::default();
    let map = GameMap::generate(
        config.chunk_radius,
        config.map_seed,
        config.asteroid_percent,
    );
    let passable = map.passable_cells();
    let range = config.vision.get(EntityKind::Scout);
    let mut vision = Vision::new(&map);
    let mut rng = 0x5eed_u64;
    let mut units = Vec::new();
    for id in 1..=2 * empires {
        let hex = passable[pick(&mut rng, passable.len())];
        vision.locate(&map, id, Some(hex));
        if id <= empires {
            vision.set_observer(&map, id, Some(scout(id, hex, range, stealth)));
        } else if stealth {
            vision.set_cloak(id, true);
        }
        units.push((id, hex));
    }
    vision.finish_tick();
    (map, vision, units, range)
}

fn vision_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("vision_tick");
    for (empires, stealth) in EMPIRES.iter().flat_map(|e| [(*e, false), (*e, true)]) {
        let (map, mut vision, mut units, range) = scene(empires, stealth);
        if !stealth {
            group.bench_function(BenchmarkId::new("static", empires), |b| {
                b.iter(|| {
                    vision.finish_tick();
                    black_box(vision.located())
                })
            });
        }
        let mut rng = 0x0bad_u64;
        let name = if stealth { "moving_stealth" } else { "moving" };
        let mut walk = Walk {
            map: &map,
            vision: &mut vision,
            units: &mut units,
            empires,
            range,
            stealth,
        };
        group.bench_function(BenchmarkId::new(name, empires), |b| {
            b.iter(|| black_box(walk.tick(&mut rng)))
        });
    }
    group.finish();
}

/// One `moving` scene.
struct Walk<'a> {
    map: &'a GameMap,
    vision: &'a mut Vision,
    units: &'a mut Vec<(u32, Hex)>,
    empires: u32,
    range: u32,
    stealth: bool,
}

impl Walk<'_> {
    /// One unit in ten steps to a neighbouring passable hex; then the tick closes.
    fn tick(&mut self, rng: &mut u64) -> usize {
        for _ in 0..self.units.len() / 10 {
            let i = pick(rng, self.units.len());
            let (id, at) = self.units[i];
            let to = at.neighbors()[pick(rng, 6)];
            if !self.map.is_passable(to) {
                continue;
            }
            self.units[i].1 = to;
            self.vision.locate(self.map, id, Some(to));
            if id <= self.empires {
                let o = scout(id, to, self.range, self.stealth);
                self.vision.set_observer(self.map, id, Some(o));
            }
        }
        self.vision.finish_tick();
        self.vision.located()
    }
}

/// `VISION_TICKS` mode: a fixed number of `moving` ticks of 1,000 empires, without and with
/// stealth, for instruction counts.
fn fixed(ticks: u32) {
    let only = std::env::var("VISION_STEALTH").ok();
    for stealth in [false, true] {
        if only
            .as_deref()
            .is_some_and(|o| o != if stealth { "1" } else { "0" })
        {
            continue;
        }
        let (map, mut vision, mut units, range) = scene(1_000, stealth);
        let mut walk = Walk {
            map: &map,
            vision: &mut vision,
            units: &mut units,
            empires: 1_000,
            range,
            stealth,
        };
        let mut rng = 0x0bad_u64;
        let located: usize = (0..ticks).map(|_| walk.tick(&mut rng)).sum();
        println!("stealth {stealth}: {ticks} ticks, {located} located in all");
    }
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
fn main() {
    if let Some(ticks) = std::env::var("VISION_TICKS")
        .ok()
        .and_then(|t| t.parse().ok())
    {
        fixed(ticks);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
