//! Criterion bench of one whole region tick, headless (`RegionSim::step`, no IO): S sessions
//! on one link, each its own empire with its starting units, and N NPCs on the default map
//! (`wander`, or `front`: a quarter of them fighting), combat on (no stations or resource
//! fields, so no production). Each sample is one tick after a warm-up of 40, so the sessions'
//! views are synced and the NPCs spread. Reported per tick: the region's part of issue 14's
//! ladder, without the fake edge or the link.
//!
//! Each scene is measured with `tick_threads` 1 and 2, side by side.
//!
//! `cargo bench -p starlane-game --bench region_tick` (about four minutes). For instruction
//! counts: `REGION_TICKS=20 REGION_SCENE=400x20000 valgrind --tool=callgrind <bench binary>`
//! steps 20 ticks of that scene after the warm-up, without criterion (run it with
//! `REGION_TICKS=0` too, and subtract, to leave the ticks alone); `REGION_PATTERN=front`
//! for the fighting load; `REGION_RINGS=3` for a map of 3 rings of chunks; `REGION_THREADS=2`
//! to spread the tick over two threads (1 by
//! default, for instruction counts). That mode prints the frames sent, a digest of their bytes, and
//! the shots and destroyed units, so two builds can be checked to send the same, and the
//! ticks' median, p90 and p99 times with the median of each set (simulation, vision, sync).
//! `REGION_PAIRED=1` (with `REGION_TICKS`, `REGION_SCENE`, `REGION_PATTERN`) steps the scene
//! with one thread and with two in turn, checks they send the same frames each tick, and
//! prints both medians and the median per-tick ratio.

mod common;

use common::scene;
use criterion::{BenchmarkId, Criterion, criterion_group};
use starlane_game::NpcPattern;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sessions and NPCs of the measured scenes (the first steps of `capacity-region`).
const SCENES: [(u32, u32); 3] = [(50, 1_000), (200, 10_000), (400, 20_000)];

/// `tick_threads` of each measurement: the tick thread alone, then two threads (this
/// machine's cores), side by side in one run.
const THREADS: [u32; 2] = [1, 2];

fn region_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("region_tick");
    for (name, pattern) in [("wander", NpcPattern::Wander), ("front", NpcPattern::Front)] {
        for (sessions, npcs) in SCENES {
            for threads in THREADS {
                let mut sim = scene(sessions, npcs, pattern, threads);
                let id = BenchmarkId::new(name, format!("{sessions}x{npcs}/t{threads}"));
                group.bench_function(id, |b| b.iter(|| black_box(sim.step().len())));
            }
        }
    }
    group.finish();
}

/// `REGION_TICKS` mode: step a fixed number of ticks of one scene, for instruction counts,
/// and print what it sent (frames, a digest of their bytes, shots, destroyed) so that two
/// builds can be checked to send the same.
fn fixed(ticks: u32, scene_name: &str, pattern: NpcPattern, threads: u32) {
    let (sessions, npcs) = parse_scene(scene_name);
    let mut sim = scene(sessions, npcs, pattern, threads);
    // FNV-1a over every frame's encoding, in order: two builds that send the same bytes
    // print the same digest.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    let mut frames = 0usize;
    let mut bytes = Vec::new();
    let mut took = Vec::new();
    // Per set: simulation, vision, sync (ms).
    let mut sets: [Vec<f64>; 3] = Default::default();
    for _ in 0..ticks {
        let sent = sim.step();
        let sample = sim.last_sample();
        took.push(sample.total_ns as f64 / 1e6);
        for (set, ns) in
            sets.iter_mut()
                .zip([sample.simulation_ns, sample.vision_ns, sample.sync_ns])
        {
            set.push(ns as f64 / 1e6);
        }
        for (_, frame) in sent {
            frames += 1;
            bytes.clear();
            frame.encode_into(&mut bytes);
            for b in &bytes {
                digest = (digest ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let (shots, destroyed) = sim.combat_totals();
    println!(
        "{sessions} sessions, {npcs} NPCs ({pattern:?}): {ticks} ticks, {frames} frames \
         (digest {digest:016x}), {shots} shots, {destroyed} destroyed; tick median {:.2} ms, \
         p90 {:.2}, p99 {:.2}; set medians simulation {:.2}, vision {:.2}, sync {:.2} ms",
        quantile(&mut took, 0.5),
        quantile(&mut took, 0.9),
        quantile(&mut took, 0.99),
        quantile(&mut sets[0], 0.5),
        quantile(&mut sets[1], 0.5),
        quantile(&mut sets[2], 0.5),
    );
}

/// `REGION_PAIRED` mode: the scene twice, with `tick_threads` 1 and 2, stepped in turn (the
/// first to step alternates) for `ticks` ticks; prints each one's median and p90 tick time
/// and the median of the per-tick ratios, which hold when the machine's speed drifts. Both
/// must send the same frames each tick.
fn paired(ticks: u32, scene_name: &str, pattern: NpcPattern) {
    let (sessions, npcs) = parse_scene(scene_name);
    let mut sims = [
        scene(sessions, npcs, pattern, 1),
        scene(sessions, npcs, pattern, 2),
    ];
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    for tick in 0..ticks {
        let order = if tick % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut sent: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let mut took = [0.0; 2];
        for i in order {
            let start = Instant::now();
            let frames = sims[i].step();
            took[i] = start.elapsed().as_secs_f64() * 1e3;
            for (_, frame) in frames {
                frame.encode_into(&mut sent[i]);
            }
        }
        assert!(
            sent[0] == sent[1],
            "tick {tick}: the two sent different frames"
        );
        times[0].push(took[0]);
        times[1].push(took[1]);
        ratios.push(took[1] / took[0]);
    }
    let [one, two] = &mut times;
    println!(
        "{sessions} sessions, {npcs} NPCs ({pattern:?}), {ticks} ticks paired: \
         1 thread median {:.2} ms p90 {:.2}; 2 threads median {:.2} ms p90 {:.2}; \
         median ratio 2/1 {:.3}",
        quantile(one, 0.5),
        quantile(one, 0.9),
        quantile(two, 0.5),
        quantile(two, 0.9),
        quantile(&mut ratios, 0.5),
    );
}

/// The `q` quantile of `xs` (sorted in place).
fn quantile(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_unstable_by(f64::total_cmp);
    let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
    xs.get(i).copied().unwrap_or(f64::NAN)
}

/// `SxN` as sessions and NPCs (400 × 20,000 if unreadable).
fn parse_scene(name: &str) -> (u32, u32) {
    name.split_once('x')
        .and_then(|(s, n)| Some((s.parse().ok()?, n.parse().ok()?)))
        .unwrap_or((400, 20_000))
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
        if std::env::var_os("REGION_PAIRED").is_some() {
            paired(ticks, &scene, pattern);
            return;
        }
        let threads = std::env::var("REGION_THREADS")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(1);
        fixed(ticks, &scene, pattern, threads);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
