//! Independent loss: over 100k packets the loss rate matches the setting for a fixed seed.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{id_of, run, steady};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use std::time::{Duration, Instant};

const PACKETS: u64 = 100_000;

fn loss_rate(loss: f64, seed: u64) -> f64 {
    let cfg = ImpairmentConfig {
        loss,
        latency_ms: 5.0,
        seed,
        ..ImpairmentConfig::default()
    };
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(PACKETS, 32, Duration::from_micros(500)),
    );
    let stats = emulator.stats();
    assert_eq!(stats.sent, PACKETS);
    assert_eq!(stats.delivered, out.len() as u64);
    assert_eq!(
        stats.delivered + stats.lost,
        PACKETS,
        "lost or delivered, nothing else"
    );
    assert_eq!(
        stats.duplicated + stats.dropped_queue + stats.dropped_mtu,
        0
    );
    assert_eq!(emulator.in_flight(), 0);
    // Without jitter everything arrives in order, each packet at most once.
    assert!(out.windows(2).all(|w| id_of(&w[0].1) < id_of(&w[1].1)));
    stats.lost as f64 / PACKETS as f64
}

#[test]
fn loss_rate_matches_the_setting() {
    // The standard deviation of the measured rate is below 0.0016 for these settings: allow
    // about four of them.
    for (loss, seed) in [(0.01, 1), (0.05, 2), (0.1, 3), (0.5, 4)] {
        let measured = loss_rate(loss, seed);
        assert!(
            (measured - loss).abs() < 0.006,
            "loss {loss}: measured {measured}"
        );
    }
    assert_eq!(loss_rate(0.0, 5), 0.0);
    assert_eq!(loss_rate(1.0, 6), 1.0);
}
