//! Delay = latency + jitter: exact without jitter, within bounds with uniform or normal jitter.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{id_of, run, steady};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig, JitterDistribution};
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(1);

/// The one-way delay of every delivered packet, in milliseconds.
fn delays(cfg: ImpairmentConfig, packets: u64) -> Vec<f64> {
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(&mut emulator, Instant::now(), steady(packets, 64, EVERY));
    assert_eq!(out.len() as u64, packets, "no loss configured");
    out.iter()
        .map(|(at, data)| (*at - EVERY * id_of(data) as u32).as_secs_f64() * 1000.0)
        .collect()
}

fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

#[test]
fn latency_without_jitter_is_exact() {
    let d = delays(
        ImpairmentConfig {
            latency_ms: 50.0,
            ..ImpairmentConfig::default()
        },
        1000,
    );
    assert!(d.iter().all(|&ms| (ms - 50.0).abs() < 1e-3), "{d:?}");
}

#[test]
fn uniform_jitter_stays_within_latency_plus_or_minus_jitter() {
    let d = delays(
        ImpairmentConfig {
            latency_ms: 50.0,
            jitter_ms: 10.0,
            seed: 3,
            ..ImpairmentConfig::default()
        },
        20_000,
    );
    let (lo, hi) = min_max(&d);
    assert!(lo >= 40.0 - 1e-3 && hi <= 60.0 + 1e-3, "range {lo}..{hi}");
    assert!(
        lo < 40.5 && hi > 59.5,
        "the whole range is used: {lo}..{hi}"
    );
    let (mean, std) = mean_and_std(&d);
    assert!((mean - 50.0).abs() < 0.2, "mean {mean}");
    // A uniform spread of 20 ms has a standard deviation of 20 / sqrt(12) = 5.77 ms.
    assert!((std - 5.77).abs() < 0.2, "std {std}");
}

#[test]
fn normal_jitter_has_the_configured_deviation_and_clips_at_three() {
    let d = delays(
        ImpairmentConfig {
            latency_ms: 80.0,
            jitter_ms: 10.0,
            jitter_distribution: JitterDistribution::Normal,
            seed: 4,
            ..ImpairmentConfig::default()
        },
        20_000,
    );
    let (lo, hi) = min_max(&d);
    assert!(lo >= 50.0 - 1e-3 && hi <= 110.0 + 1e-3, "range {lo}..{hi}");
    let (mean, std) = mean_and_std(&d);
    assert!((mean - 80.0).abs() < 0.3, "mean {mean}");
    assert!((std - 10.0).abs() < 0.3, "std {std}");
}

#[test]
fn delay_never_goes_below_zero() {
    let d = delays(
        ImpairmentConfig {
            latency_ms: 2.0,
            jitter_ms: 10.0,
            seed: 5,
            ..ImpairmentConfig::default()
        },
        5_000,
    );
    let (lo, hi) = min_max(&d);
    assert!(lo >= 0.0 && hi <= 12.0 + 1e-3, "range {lo}..{hi}");
    // Draws below zero are clipped to zero: about 40 % of them.
    let zero = d.iter().filter(|&&ms| ms == 0.0).count();
    assert!(zero > 1500 && zero < 2500, "{zero} at zero");
}
