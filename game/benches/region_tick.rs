//! Criterion bench of one whole region tick, headless (`RegionSim::step`, no IO): S sessions
//! on one link, each its own empire with its starting units, and N NPCs on the default map
//! (`wander`, or `front`: a quarter of them fighting), combat on (no stations or resource
//! fields, so no production). Each sample is one tick after a warm-up of 40, so the sessions'
//! views are synced and the NPCs spread. Reported per tick: the region's part of issue 14's
//! ladder, without the fake edge or the link.
//!
//! `cargo bench -p starlane-game --bench region_tick` (about two minutes). For instruction
//! counts: `REGION_TICKS=20 REGION_SCENE=400x20000 valgrind --tool=callgrind <bench binary>`
//! steps 20 ticks of that scene after the warm-up, without criterion (run it with
//! `REGION_TICKS=0` too, and subtract, to leave the ticks alone); `REGION_PATTERN=front`
//! for the fighting load. That mode prints the frames sent, a digest of their bytes, and
//! the shots and destroyed units, so two builds can be checked to send the same.

mod common;

use common::scene;
use criterion::{BenchmarkId, Criterion, criterion_group};
use starlane_game::NpcPattern;
use std::hint::black_box;
use std::time::Duration;

/// Sessions and NPCs of the measured scenes (the first steps of `capacity-region`).
const SCENES: [(u32, u32); 3] = [(50, 1_000), (200, 10_000), (400, 20_000)];

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

/// `REGION_TICKS` mode: step a fixed number of ticks of one scene, for instruction counts,
/// and print what it sent (frames, a digest of their bytes, shots, destroyed) so that two
/// builds can be checked to send the same.
fn fixed(ticks: u32, scene_name: &str, pattern: NpcPattern) {
    let (sessions, npcs) = scene_name
        .split_once('x')
        .and_then(|(s, n)| Some((s.parse().ok()?, n.parse().ok()?)))
        .unwrap_or((400, 20_000));
    let mut sim = scene(sessions, npcs, pattern);
    // FNV-1a over every frame's encoding, in order: two builds that send the same bytes
    // print the same digest.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    let mut frames = 0usize;
    let mut bytes = Vec::new();
    for _ in 0..ticks {
        for (_, frame) in sim.step() {
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
         (digest {digest:016x}), {shots} shots, {destroyed} destroyed"
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
