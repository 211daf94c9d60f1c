//! Criterion bench of the edge's work per client per update: applying the region's entity
//! frame to the mirror (once per edge per tick), and one session's send tick
//! (`SessionSync::poll_transmit`: priority, budget, delta encoding against acknowledged
//! baselines, packet encoding) for views of 10, 100 and 500 entities that all moved since the
//! previous tick, the client acknowledging every packet. Reported per entity. The JSON and
//! MessagePack baselines of an update are benched beside the platform's encoding in
//! `bench/benches/encodings.rs`.
//!
//! `cargo bench -p starlane-edge --bench pack` (about 25 s).
//!
//! With `PACK_TICKS=N` (and optionally `PACK_SIZE`, default 500) the binary skips criterion
//! and runs `N` send ticks of that view once, printing the datagrams, their bytes and an
//! FNV-1a digest of every byte sent: for instruction counts under callgrind (`N` ticks less
//! `PACK_TICKS=0`) and to check that two builds send the same bytes.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{Mirror, SessionSync};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Entities in view.
const SIZES: [usize; 3] = [10, 100, 500];

/// The empire of the benched session.
const EMPIRE: u32 = 1;

fn state(i: usize) -> EntityState {
    EntityState {
        id: 1_000 + 7 * i as u32,
        kind: EntityKind::ALL[i % EntityKind::ALL.len()],
        owner: if i.is_multiple_of(10) {
            EMPIRE
        } else {
            2 + (i % 5) as u32
        },
        pos: Hex::new((i as i32 * 13) % 41 - 20, (i as i32 * 29) % 37 - 18),
        health: 120,
    }
}

/// Tick `t`'s frame: every entity moves one hex, one in four also loses health.
fn moved(n: usize, t: u32) -> EntityFrame {
    let step = if t.is_multiple_of(2) { 1 } else { -1 };
    EntityFrame {
        tick: t,
        changed: (0..n)
            .map(|i| {
                let s = state(i);
                EntityChange {
                    id: s.id,
                    pos: Some(Hex::new(s.pos.q + step * (t as i32 % 2), s.pos.r)),
                    health: (i % 4 == 0).then_some(100 - (t % 50) as u16),
                }
            })
            .collect(),
        ..EntityFrame::default()
    }
}

/// A mirror and a session that already sent and had acknowledged the initial view.
fn steady(n: usize, profile: &BandwidthProfile, now: Instant) -> (Mirror, SessionSync) {
    let mut mirror = Mirror::new();
    mirror.apply(&EntityFrame {
        tick: 1,
        appeared: (0..n).map(state).collect(),
        ..EntityFrame::default()
    });
    let mut sync = SessionSync::new(profile, EMPIRE, now);
    let view = ViewChange {
        tick: 1,
        entered: (0..n).map(|i| state(i).id).collect(),
        ..ViewChange::default()
    };
    sync.handle_view(now, &view, &mirror);
    for d in sync.poll_transmit(now, &mirror) {
        ack(&mut sync, now, &d);
    }
    (mirror, sync)
}

fn ack(sync: &mut SessionSync, now: Instant, datagram: &[u8]) {
    if let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(datagram) {
        sync.handle_ack(now, p.seq, 0);
    }
}

fn lan() -> BandwidthProfile {
    let text = include_str!("../../configs/bandwidth/lan.toml");
    BandwidthProfile::from_toml_str("lan", text, std::path::Path::new("lan.toml"))
        .expect("the shipped lan profile is valid")
}

fn pack(c: &mut Criterion) {
    let profile = lan();
    let interval = Duration::from_secs(1) / profile.send_rate_hz.max(1);
    let mut group = c.benchmark_group("pack");
    for n in SIZES {
        group.throughput(Throughput::Elements(n as u64));
        let frames: Vec<EntityFrame> = (2..66).map(|t| moved(n, t)).collect();
        group.bench_function(BenchmarkId::new("mirror_apply", n), |b| {
            let mut mirror = steady(n, &profile, Instant::now()).0;
            let mut i = 0;
            b.iter(|| {
                mirror.apply(black_box(&frames[i % frames.len()]));
                i += 1;
            })
        });
        group.bench_function(BenchmarkId::new("send_tick", n), |b| {
            let mut now = Instant::now();
            let (mut mirror, mut sync) = steady(n, &profile, now);
            let mut i = 0;
            b.iter(|| {
                mirror.apply(&frames[i % frames.len()]);
                i += 1;
                now += interval;
                let out = sync.poll_transmit(now, &mirror);
                for d in &out {
                    ack(&mut sync, now, d);
                }
                out.len()
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

/// `PACK_TICKS` mode: `ticks` send ticks of a view of `n` entities, once.
fn fixed(ticks: usize, n: usize) {
    let profile = lan();
    let interval = Duration::from_secs(1) / profile.send_rate_hz.max(1);
    let frames: Vec<EntityFrame> = (2..66).map(|t| moved(n, t)).collect();
    let mut now = Instant::now();
    let (mut mirror, mut sync) = steady(n, &profile, now);
    let (mut datagrams, mut bytes, mut digest) = (0usize, 0usize, 0xcbf2_9ce4_8422_2325_u64);
    for i in 0..ticks {
        mirror.apply(&frames[i % frames.len()]);
        now += interval;
        for d in sync.poll_transmit(now, &mirror) {
            ack(&mut sync, now, &d);
            datagrams += 1;
            bytes += d.len();
            for &b in &d {
                digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    println!("ticks {ticks} view {n}: {datagrams} datagrams, {bytes} bytes, digest {digest:016x}");
}

criterion_group! {
    name = benches;
    config = config();
    targets = pack
}

fn main() {
    let size = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .map(|v| {
                v.parse::<usize>()
                    .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}"))
            })
            .unwrap_or(default)
    };
    if std::env::var_os("PACK_TICKS").is_some() {
        fixed(size("PACK_TICKS", 0), size("PACK_SIZE", 500));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
