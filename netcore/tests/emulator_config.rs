//! Config validation names the field and the fix; MTU drops; presets are valid.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{packet, run};
use starlane_netcore::proto::emulator::{
    DuplexConfig, Emulator, GilbertElliott, ImpairmentConfig, Preset,
};
use std::time::{Duration, Instant};

fn field_of(cfg: ImpairmentConfig) -> &'static str {
    let err = Emulator::new(cfg).unwrap_err();
    assert!(err.to_string().contains(err.field), "{err}");
    assert!(!err.fix.is_empty());
    err.field
}

#[test]
fn invalid_settings_name_their_field() {
    let base = ImpairmentConfig::default;
    let ge = GilbertElliott {
        p_good_to_bad: 0.1,
        p_bad_to_good: 0.5,
        loss_in_good: 0.0,
        loss_in_bad: 1.0,
    };
    let cases = [
        (
            ImpairmentConfig {
                loss: 1.5,
                ..base()
            },
            "loss",
        ),
        (
            ImpairmentConfig {
                loss: f64::NAN,
                ..base()
            },
            "loss",
        ),
        (
            ImpairmentConfig {
                latency_ms: -1.0,
                ..base()
            },
            "latency_ms",
        ),
        (
            ImpairmentConfig {
                jitter_ms: f64::INFINITY,
                ..base()
            },
            "jitter_ms",
        ),
        (
            ImpairmentConfig {
                duplicate: -0.1,
                ..base()
            },
            "duplicate",
        ),
        (
            ImpairmentConfig {
                reorder_extra_ms: -5.0,
                ..base()
            },
            "reorder_extra_ms",
        ),
        (
            ImpairmentConfig {
                rate_limit_bytes_per_sec: Some(0),
                ..base()
            },
            "rate_limit_bytes_per_sec",
        ),
        (
            ImpairmentConfig {
                rate_limit_bytes_per_sec: Some(1000),
                queue_bytes: 0,
                ..base()
            },
            "queue_bytes",
        ),
        (
            ImpairmentConfig {
                mtu: Some(0),
                ..base()
            },
            "mtu",
        ),
        (
            ImpairmentConfig {
                loss: 0.1,
                gilbert_elliott: Some(ge),
                ..base()
            },
            "loss",
        ),
        (
            ImpairmentConfig {
                gilbert_elliott: Some(GilbertElliott {
                    p_bad_to_good: 0.0,
                    ..ge
                }),
                ..base()
            },
            "gilbert_elliott.p_bad_to_good",
        ),
        (
            ImpairmentConfig {
                gilbert_elliott: Some(GilbertElliott {
                    loss_in_bad: 2.0,
                    ..ge
                }),
                ..base()
            },
            "gilbert_elliott.loss_in_bad",
        ),
    ];
    for (cfg, field) in cases {
        assert_eq!(field_of(cfg), field);
    }
}

#[test]
fn datagrams_over_the_mtu_are_dropped() {
    let mut emulator = Emulator::new(ImpairmentConfig {
        mtu: Some(1200),
        ..ImpairmentConfig::default()
    })
    .unwrap();
    let sizes = [100, 1200, 1201, 9000, 8, 1199];
    let out = run(
        &mut emulator,
        Instant::now(),
        sizes
            .iter()
            .enumerate()
            .map(|(i, &len)| (Duration::ZERO, packet(i as u64, len))),
    );
    let lens: Vec<usize> = out.iter().map(|(_, d)| d.len()).collect();
    assert_eq!(lens, [100, 1200, 8, 1199]);
    assert_eq!(emulator.stats().dropped_mtu, 2);
    assert!(
        out.iter().all(|(at, _)| at.is_zero()),
        "no latency: due at once"
    );
}

#[test]
fn presets_are_valid_and_named() {
    for preset in Preset::ALL {
        preset.config().validate().unwrap();
        assert_eq!(preset.name().parse::<Preset>().unwrap(), preset);
        let duplex = DuplexConfig::preset(preset, 5);
        duplex.validate().unwrap();
        assert_eq!(duplex.up.seed, 5);
        assert_ne!(
            duplex.down.seed, duplex.up.seed,
            "directions draw differently"
        );
    }
    assert!(Preset::Clean.config().is_clean());
    assert!(!Preset::Lossy.config().is_clean());
    let lossy = Preset::Lossy.config();
    assert_eq!(
        (lossy.loss, lossy.latency_ms * 2.0, lossy.jitter_ms),
        (0.05, 100.0, 20.0)
    );
    let err = "wifi".parse::<Preset>().unwrap_err();
    assert!(err.to_string().contains("lossy"), "{err}");
}
