//! Criterion bench of one whole region tick, headless (`RegionSim::step`, no IO): S sessions
//! on one link, each its own empire with its starting units, and N NPCs on the default map
//! (`wander`, or `front`: a quarter of them fighting), combat and production on. Each sample is one tick after a warm-up of 40, so
//! the sessions' views are synced and the NPCs spread. Reported per tick: the figure issue
//! 14's ladder is made of, without the fake edge or the link.
//!
//! `cargo bench -p starlane-game --bench region_tick` (about two minutes). For instruction
//! counts: `REGION_TICKS=20 REGION_SCENE=400x20000 valgrind --tool=callgrind <bench binary>`
//! steps 20 ticks of that scene after the warm-up, without criterion (run it with
//! `REGION_TICKS=0` too, and subtract, to leave the ticks alone); `REGION_PATTERN=front`
//! for the fighting load.

use criterion::{BenchmarkId, Criterion, criterion_group};
use starlane_game::map::GameMap;
use starlane_game::records::EmpireRecord;
use starlane_game::world::{LinkId, RegionSim, TickInput};
use starlane_game::{EconomyConfig, LoadConfig, NpcPattern, RegionConfig};
use starlane_protocol::link::PlayerIdentity;
use std::hint::black_box;
use std::time::Duration;

/// Sessions and NPCs of the measured scenes (the first steps of `capacity-region`).
const SCENES: [(u32, u32); 3] = [(50, 1_000), (200, 10_000), (400, 20_000)];

/// Ticks stepped before measuring.
const WARMUP_TICKS: u32 = 40;

const LINK: LinkId = 1;

/// A region with `sessions` sessions and `npcs` NPCs moving by `pattern`, warmed up.
fn scene(sessions: u32, npcs: u32, pattern: NpcPattern) -> RegionSim {
    let config = RegionConfig {
        pirates: 0,
        economy: EconomyConfig {
            start_station: false,
            fields_per_chunk: 0,
            ..EconomyConfig::default()
        },
        ..RegionConfig::default()
    };
    let map = GameMap::generate(
        config.chunk_radius,
        config.map_seed,
        config.asteroid_percent,
    );
    let spawns = u32::try_from(map.spawns().len()).unwrap_or(1).max(1);
    let mut sim = RegionSim::new(config, map);
    sim.load_units(&[]);
    let load = LoadConfig {
        npc_count: npcs,
        pattern,
        npc_seed: 7,
    };
    sim.spawn_load(&load);
    sim.push(TickInput::LinkOpened { link: LINK });
    for i in 0..sessions {
        let empire = 1_000 + i;
        sim.push(TickInput::Join {
            link: LINK,
            session: u64::from(i) + 1,
            player: PlayerIdentity {
                user_id: i64::from(empire),
                username: format!("u{empire}"),
                command_stream: 0,
            },
            empire: Ok(EmpireRecord {
                empire,
                spawn_index: i % spawns,
            }),
        });
    }
    for _ in 0..WARMUP_TICKS {
        sim.step();
    }
    sim
}

fn region_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("region_tick");
    for (name, pattern) in [("wander", NpcPattern::Wander), ("front", NpcPattern::Front)] {
        for (sessions, npcs) in SCENES {
            let mut sim = scene(sessions, npcs, pattern);
            let id = BenchmarkId::new(name, format!("{sessions}x{npcs}"));
            group.bench_function(id, |b| b.iter(|| black_box(sim.step().len())));
        }
    }
    group.finish();
}

/// `REGION_TICKS` mode: step a fixed number of ticks of one scene, for instruction counts.
fn fixed(ticks: u32, scene_name: &str, pattern: NpcPattern) {
    let (sessions, npcs) = scene_name
        .split_once('x')
        .and_then(|(s, n)| Some((s.parse().ok()?, n.parse().ok()?)))
        .unwrap_or((400, 20_000));
    let mut sim = scene(sessions, npcs, pattern);
    let frames: usize = (0..ticks).map(|_| sim.step().len()).sum();
    let (shots, destroyed) = sim.combat_totals();
    println!(
        "{sessions} sessions, {npcs} NPCs ({pattern:?}): {ticks} ticks, {frames} frames, \
         {shots} shots, {destroyed} destroyed"
    );
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = region_tick
}

fn main() {
    if let Some(ticks) = std::env::var("REGION_TICKS")
        .ok()
        .and_then(|t| t.parse().ok())
    {
        let scene = std::env::var("REGION_SCENE").unwrap_or_default();
        let pattern = std::env::var("REGION_PATTERN")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(NpcPattern::Wander);
        fixed(ticks, &scene, pattern);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
