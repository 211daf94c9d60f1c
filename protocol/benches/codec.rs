//! Criterion benches of the client-protocol codec: encode and decode of a `ServerMsg::Update`
//! carrying N entity records (reported per entity), and of the tiny `Welcome` and `Ping`.
//!
//! `cargo bench -p starlane-protocol --bench codec` (about 50 s; add `-- --quick` for a glance).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex, Update};
use std::hint::black_box;
use std::time::Duration;

/// Entity records per update.
const SIZES: [usize; 4] = [1, 10, 100, 500];

/// An update of `n` entity records in a steady-state mix: one in ten appears (full state),
/// one in ten disappears, the rest move one hex (and one in four of those also lose health).
/// Ids and positions are spread like a busy region's (multi-byte ids, negative coordinates).
fn update_of(n: usize) -> Update {
    let mut u = Update {
        tick: 73_421,
        ..Update::default()
    };
    for i in 0..n {
        let id = 1_000 + 7 * i as u32;
        let q = (i as i32 * 13) % 41 - 20;
        let r = (i as i32 * 29) % 37 - 18;
        match i % 10 {
            0 => u.appeared.push(EntityState {
                id,
                kind: EntityKind::ALL[i % EntityKind::ALL.len()],
                owner: 1 + (i % 5) as u32,
                pos: Hex::new(q, r),
                health: 120,
            }),
            9 => u.disappeared.push(id),
            _ => u.changed.push(EntityChange {
                id,
                pos: Some(Hex::new(q, r)),
                health: (i % 4 == 0).then_some(100 - (i % 50) as u16),
            }),
        }
    }
    u
}

fn update_codec(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    for n in SIZES {
        let msg = ServerMsg::Update(update_of(n));
        let bytes = msg.encode();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("encode", n), &msg, |b, msg| {
            b.iter(|| black_box(msg).encode())
        });
        group.bench_with_input(BenchmarkId::new("decode", n), &bytes, |b, bytes| {
            b.iter(|| ServerMsg::decode(black_box(bytes)))
        });
    }
    group.finish();
}

fn tiny_messages(c: &mut Criterion) {
    let mut group = c.benchmark_group("tiny");
    let welcome = ServerMsg::Welcome {
        user_id: 123_456_789,
        empire: 42,
        tick_rate_hz: 20,
    };
    let welcome_bytes = welcome.encode();
    let ping = ClientMsg::Ping { nonce: 0xdead_beef };
    let ping_bytes = ping.encode();
    group.bench_function("welcome/encode", |b| {
        b.iter(|| black_box(&welcome).encode())
    });
    group.bench_function("welcome/decode", |b| {
        b.iter(|| ServerMsg::decode(black_box(&welcome_bytes)))
    });
    group.bench_function("ping/encode", |b| b.iter(|| black_box(&ping).encode()));
    group.bench_function("ping/decode", |b| {
        b.iter(|| ClientMsg::decode(black_box(&ping_bytes)))
    });
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
    targets = update_codec, tiny_messages
}
criterion_main!(benches);
