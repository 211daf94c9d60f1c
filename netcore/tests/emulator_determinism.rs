//! Determinism: the same seed and input give the same output; another seed does not.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{Delivery, packet, run};
use starlane_netcore::proto::emulator::{
    Emulator, EmulatorStats, GilbertElliott, ImpairmentConfig, JitterDistribution,
};
use std::time::{Duration, Instant};

fn everything(seed: u64) -> ImpairmentConfig {
    ImpairmentConfig {
        latency_ms: 40.0,
        jitter_ms: 15.0,
        jitter_distribution: JitterDistribution::Normal,
        duplicate: 0.02,
        reorder: 0.03,
        reorder_extra_ms: 12.0,
        rate_limit_bytes_per_sec: Some(400_000),
        queue_bytes: 16_000,
        mtu: Some(1200),
        seed,
        gilbert_elliott: Some(GilbertElliott {
            p_good_to_bad: 0.03,
            p_bad_to_good: 0.3,
            loss_in_good: 0.005,
            loss_in_bad: 0.8,
        }),
        ..ImpairmentConfig::default()
    }
}

/// A fixed, irregular input: varying sizes (some over the MTU) and gaps.
fn input() -> Vec<(Duration, Vec<u8>)> {
    let mut at = Duration::ZERO;
    (0..20_000u64)
        .map(|id| {
            at += Duration::from_micros(200 + (id * 7919) % 1800);
            (at, packet(id, 60 + ((id * 104_729) % 1300) as usize))
        })
        .collect()
}

fn simulate(seed: u64) -> (Vec<Delivery>, EmulatorStats) {
    let mut emulator = Emulator::new(everything(seed)).unwrap();
    // A different base instant each run: only offsets matter.
    let out = run(&mut emulator, Instant::now(), input());
    (out, emulator.stats())
}

#[test]
fn same_seed_same_output() {
    let (first, first_stats) = simulate(99);
    let (second, second_stats) = simulate(99);
    assert_eq!(first_stats, second_stats);
    assert_eq!(first, second);
    // Every impairment took part.
    let s = first_stats;
    assert!(s.lost > 0 && s.duplicated > 0 && s.reordered > 0, "{s:?}");
    assert!(s.dropped_mtu > 0 && s.dropped_queue > 0, "{s:?}");
    assert_eq!(
        s.delivered,
        s.sent - s.dropped() + s.duplicated,
        "every datagram is accounted for"
    );

    let (other, other_stats) = simulate(100);
    assert_ne!(first, other);
    assert_ne!(first_stats, other_stats);
    // The MTU check does not depend on the seed.
    assert_eq!(first_stats.dropped_mtu, other_stats.dropped_mtu);
}
