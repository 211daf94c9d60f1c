//! Criterion bench of what the Prometheus export adds to every tick: observing one tick's
//! wall times (the whole tick and the four system sets) in `RegionMetrics`, as the tick thread
//! does after each tick. At 20 Hz the tick period is 50 ms; this is the cost per tick.
//!
//! `cargo bench -p starlane-game --bench tick_metrics` (a few seconds).

use criterion::{Criterion, criterion_group, criterion_main};
use starlane_game::TickSample;
use starlane_game::metrics::RegionMetrics;
use std::hint::black_box;
use std::time::Duration;

fn observe_tick(c: &mut Criterion) {
    let metrics = RegionMetrics::new();
    let mut sample = TickSample {
        tick: 1,
        total_ns: 1_200_000,
        commands_ns: 40_000,
        simulation_ns: 300_000,
        vision_ns: 500_000,
        sync_ns: 350_000,
        entities: 1000,
        sessions: 10,
    };
    c.bench_function("observe_tick", |b| {
        b.iter(|| {
            sample.tick = sample.tick.wrapping_add(1);
            sample.total_ns = (sample.total_ns + 7_919) % 60_000_000;
            metrics.observe_tick(black_box(&sample));
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = observe_tick
}
criterion_main!(benches);
