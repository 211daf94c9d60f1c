//! Criterion bench of the platform's update encoding beside the baselines (seed 004's JSON,
//! MessagePack named and positional), on the same updates, in one group per size so the
//! ratios show in one run. Before measuring it prints the size comparison
//! (`baseline::compare`) of a synthetic stream per size.
//!
//! `cargo bench -p starlane-bench --bench encodings` (about 50 s).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use starlane_bench::baseline::{Encoding, compare, synthetic_stream};
use starlane_protocol::Update;
use starlane_protocol::client::ServerMsg;
use std::hint::black_box;
use std::time::Duration;

/// Entities in view of the client.
const SIZES: [usize; 3] = [10, 100, 500];

/// Seed of the synthetic streams.
const SEED: u64 = 7;

/// Ticks of the streams whose sizes are printed (10 s at 20 Hz).
const TICKS: u32 = 200;

/// The first update of a client seeing `n` entities: every entity appears, with the visible
/// hexes and the resources. Steady-state updates are much smaller; their sizes are printed.
fn join_update(n: usize) -> Update {
    synthetic_stream(SEED, n, 0)
        .pop()
        .expect("a stream of 0 ticks holds the first update")
}

fn print_sizes() {
    for n in SIZES {
        let cmp = compare(&synthetic_stream(SEED, n, TICKS));
        println!("stream of {n} entities, seed {SEED}:\n{}", cmp.table());
    }
}

fn encode_update(c: &mut Criterion) {
    print_sizes();
    for n in SIZES {
        let update = join_update(n);
        let mut group = c.benchmark_group(format!("encode_join_update/{n}"));
        group.throughput(Throughput::Elements(n as u64));
        let msg = ServerMsg::Update(update.clone());
        group.bench_function(BenchmarkId::from_parameter("platform"), |b| {
            b.iter(|| black_box(&msg).encode())
        });
        for encoding in [
            Encoding::Json,
            Encoding::MsgPackNamed,
            Encoding::MsgPackCompact,
        ] {
            let name = format!("{encoding:?}").to_lowercase();
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter(|| encoding.encode(black_box(&update)))
            });
        }
        group.finish();
    }
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
    targets = encode_update
}
criterion_main!(benches);
