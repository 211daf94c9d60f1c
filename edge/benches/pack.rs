//! Criterion bench of the edge's work per client per update: turning the region's
//! `LinkServerMsg::Update` into the client's bytes (`ServerMsg::from(..).encode()`, what
//! `SessionCore` does for every message of a `ToClient` frame), for updates of 10, 100 and
//! 500 entity records; and the same preceded by decoding the bitcode link frame that carried it.
//! Reported per entity. The JSON and MessagePack baselines of an update are benched beside
//! the platform's encoding in `bench/benches/encodings.rs`.
//!
//! `cargo bench -p starlane-edge --bench pack` (about 25 s).

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, decode_frame, encode_frame};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex, Update};
use std::hint::black_box;
use std::time::Duration;

/// Entity records per update.
const SIZES: [usize; 3] = [10, 100, 500];

/// An update of `n` entity records in a steady-state mix: one in ten appears (full state),
/// one in ten disappears, the rest move one hex (one in four of those also lose health).
fn update_of(n: usize) -> Update {
    let mut u = Update {
        tick: 73_421,
        ..Update::default()
    };
    for i in 0..n {
        let id = 1_000 + 7 * i as u32;
        let pos = Hex::new((i as i32 * 13) % 41 - 20, (i as i32 * 29) % 37 - 18);
        match i % 10 {
            0 => u.appeared.push(EntityState {
                id,
                kind: EntityKind::ALL[i % EntityKind::ALL.len()],
                owner: 1 + (i % 5) as u32,
                pos,
                health: 120,
            }),
            9 => u.disappeared.push(id),
            _ => u.changed.push(EntityChange {
                id,
                pos: Some(pos),
                health: (i % 4 == 0).then_some(100 - (i % 50) as u16),
            }),
        }
    }
    u
}

/// The client's bytes of one region message, as the edge's session produces them.
fn pack(msg: LinkServerMsg) -> Vec<u8> {
    ServerMsg::from(msg).encode()
}

fn pack_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("pack");
    for n in SIZES {
        let msg = LinkServerMsg::Update(update_of(n));
        let frame = encode_frame(&RegionToEdge::ToClient {
            session: 17,
            msgs: vec![msg.clone()],
        });
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("update", n), &msg, |b, msg| {
            // One fresh copy per iteration, still in cache as the edge's just-decoded frame
            // is: batched copies would measure cold memory instead.
            b.iter_batched(|| msg.clone(), pack, BatchSize::PerIteration)
        });
        group.bench_with_input(BenchmarkId::new("frame_to_bytes", n), &frame, |b, frame| {
            b.iter(|| {
                let Ok(RegionToEdge::ToClient { msgs, .. }) =
                    decode_frame::<RegionToEdge>(black_box(&frame[4..]))
                else {
                    return Vec::new();
                };
                msgs.into_iter().map(pack).collect::<Vec<_>>()
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
    targets = pack_update
}
criterion_main!(benches);
