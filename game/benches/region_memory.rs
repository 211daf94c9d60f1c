//! The region's memory per session and per entity (issue 14): the bytes a warmed-up headless
//! region holds (`RegionSim`, no IO: the world, vision, interest and each session's sync
//! state), counted by a counting global allocator, for sessions at a fixed entity count and
//! entities at a fixed session count, with the least-squares slope of each series. A session
//! brings its empire and its starting units, so its figure includes theirs.
//!
//! `cargo bench -p starlane-game --bench region_memory` (about a minute; `REGION_PATTERN=wander`
//! for the wandering load, `front` by default). Heap bytes as requested: the allocator's own
//! overhead and fragmentation are not in them (the ladder's peak RSS shows the process).

mod common;

use cap::Cap;
use common::scene;
use starlane_game::NpcPattern;
use std::alloc::System;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Sessions at `FIXED_NPCS` NPCs.
const SESSIONS: [u32; 5] = [100, 200, 400, 800, 1_600];
/// NPCs at `FIXED_SESSIONS` sessions.
const NPCS: [u32; 5] = [5_000, 10_000, 20_000, 40_000, 80_000];
const FIXED_NPCS: u32 = 10_000;
const FIXED_SESSIONS: u32 = 200;

/// One measured scene.
struct Point {
    sessions: u32,
    npcs: u32,
    entities: u32,
    bytes: usize,
}

/// Build, warm up and measure one scene, then free it.
fn measure(sessions: u32, npcs: u32, pattern: NpcPattern) -> Point {
    let before = ALLOC.allocated();
    let sim = scene(sessions, npcs, pattern, 1);
    let bytes = ALLOC.allocated().saturating_sub(before);
    let point = Point {
        sessions,
        npcs,
        entities: sim.entity_count(),
        bytes,
    };
    drop(sim);
    point
}

/// Least-squares slope of `y` against `x`.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    if den == 0.0 { 0.0 } else { num / den }
}

fn print(p: &Point) {
    println!(
        "  {:>6} sessions {:>7} NPCs {:>8} entities: {:>9.1} MiB",
        p.sessions,
        p.npcs,
        p.entities,
        p.bytes as f64 / (1024.0 * 1024.0)
    );
}

fn main() {
    let pattern = std::env::var("REGION_PATTERN")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(NpcPattern::Front);
    println!("region memory ({pattern:?}), heap bytes held after the warm-up");
    // The first scene allocates what lives for the process (lazily built tables): not counted.
    let _ = measure(10, 100, pattern);
    println!(" sessions at {FIXED_NPCS} NPCs:");
    let by_sessions: Vec<Point> = SESSIONS
        .iter()
        .map(|s| measure(*s, FIXED_NPCS, pattern))
        .inspect(print)
        .collect();
    println!(" NPCs at {FIXED_SESSIONS} sessions:");
    let by_npcs: Vec<Point> = NPCS
        .iter()
        .map(|n| measure(FIXED_SESSIONS, *n, pattern))
        .inspect(print)
        .collect();
    let per_session = slope(
        &by_sessions
            .iter()
            .map(|p| (f64::from(p.sessions), p.bytes as f64))
            .collect::<Vec<_>>(),
    );
    let per_entity = slope(
        &by_npcs
            .iter()
            .map(|p| (f64::from(p.entities), p.bytes as f64))
            .collect::<Vec<_>>(),
    );
    println!(
        " slopes: {:.1} KiB per session (with its empire and starting units), {:.0} bytes per entity",
        per_session / 1024.0,
        per_entity
    );
    let target = measure(10_000, 100_000, pattern);
    println!(" the target:");
    print(&target);
}
