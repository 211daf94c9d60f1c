//! Gilbert-Elliott loss comes in bursts whose mean length is 1 / p_bad_to_good.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{id_of, run, steady};
use starlane_netcore::proto::emulator::{Emulator, GilbertElliott, ImpairmentConfig};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const PACKETS: u64 = 200_000;

/// Loss rate and mean length of runs of consecutive lost packets.
fn bursts(cfg: ImpairmentConfig) -> (f64, f64) {
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(PACKETS, 16, Duration::from_micros(100)),
    );
    let delivered: HashSet<u64> = out.iter().map(|(_, data)| id_of(data)).collect();
    let (mut runs, mut lost, mut current) = (0u64, 0u64, 0u64);
    for id in 0..PACKETS {
        if delivered.contains(&id) {
            if current > 0 {
                runs += 1;
            }
            current = 0;
        } else {
            lost += 1;
            current += 1;
        }
    }
    if current > 0 {
        runs += 1;
    }
    assert_eq!(lost, emulator.stats().lost);
    (lost as f64 / PACKETS as f64, lost as f64 / runs as f64)
}

#[test]
fn bursts_have_the_mean_length_of_the_model() {
    let model = GilbertElliott {
        p_good_to_bad: 0.02,
        p_bad_to_good: 0.2,
        loss_in_good: 0.0,
        loss_in_bad: 1.0,
    };
    let (rate, mean_burst) = bursts(ImpairmentConfig {
        gilbert_elliott: Some(model),
        seed: 11,
        ..ImpairmentConfig::default()
    });
    // Mean burst 1 / 0.2 = 5 packets (standard error about 0.08 over ~3600 bursts).
    assert!((mean_burst - 5.0).abs() < 0.4, "mean burst {mean_burst}");
    // Share of time in the bad state: 0.02 / (0.02 + 0.2) = 0.0909.
    assert!((rate - 0.0909).abs() < 0.01, "loss rate {rate}");

    // Independent loss at the same rate gives bursts of about 1 / (1 - 0.09) = 1.1 packets.
    let (independent_rate, independent_burst) = bursts(ImpairmentConfig {
        loss: 0.0909,
        seed: 11,
        ..ImpairmentConfig::default()
    });
    assert!((independent_rate - 0.0909).abs() < 0.005);
    assert!(
        independent_burst < 1.2,
        "independent burst {independent_burst}"
    );
    assert!(mean_burst > 3.0 * independent_burst);
}

#[test]
fn partial_loss_in_the_bad_state_shortens_bursts() {
    let (rate, mean_burst) = bursts(ImpairmentConfig {
        gilbert_elliott: Some(GilbertElliott {
            p_good_to_bad: 0.02,
            p_bad_to_good: 0.1,
            loss_in_good: 0.001,
            loss_in_bad: 0.5,
        }),
        seed: 12,
        ..ImpairmentConfig::default()
    });
    // Bad 1/6 of the time at 50 % loss, good 5/6 at 0.1 %: about 8.4 % loss.
    assert!((rate - 0.0842).abs() < 0.012, "loss rate {rate}");
    // A loss in the bad state is followed by another with probability 0.9 * 0.5 = 0.45, so
    // runs last about 1 / (1 - 0.45) = 1.8 packets.
    assert!(
        mean_burst > 1.6 && mean_burst < 2.4,
        "mean burst {mean_burst}"
    );
}
