//! Duplication: the rate matches the setting, each copy arrives, nothing arrives three times.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{id_of, run, steady};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const PACKETS: u64 = 100_000;

#[test]
fn duplication_rate_matches_the_setting() {
    let cfg = ImpairmentConfig {
        duplicate: 0.1,
        latency_ms: 20.0,
        jitter_ms: 5.0,
        seed: 21,
        ..ImpairmentConfig::default()
    };
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(PACKETS, 40, Duration::from_millis(1)),
    );
    let stats = emulator.stats();
    assert_eq!(stats.delivered, PACKETS + stats.duplicated);
    assert_eq!(out.len() as u64, stats.delivered);
    let rate = stats.duplicated as f64 / PACKETS as f64;
    assert!((rate - 0.1).abs() < 0.005, "duplication rate {rate}");

    let mut copies: HashMap<u64, u32> = HashMap::new();
    for (_, data) in &out {
        assert_eq!(data.len(), 40, "copies are whole");
        *copies.entry(id_of(data)).or_default() += 1;
    }
    assert_eq!(copies.len() as u64, PACKETS, "every packet arrives");
    assert!(copies.values().all(|&n| n == 1 || n == 2));
    let twice = copies.values().filter(|&&n| n == 2).count() as u64;
    assert_eq!(twice, stats.duplicated);
}

#[test]
fn lost_packets_are_not_duplicated() {
    let cfg = ImpairmentConfig {
        duplicate: 1.0,
        loss: 1.0,
        ..ImpairmentConfig::default()
    };
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(100, 40, Duration::from_millis(1)),
    );
    assert!(out.is_empty());
    assert_eq!(emulator.stats().duplicated, 0);
    assert_eq!(emulator.stats().lost, 100);
}
