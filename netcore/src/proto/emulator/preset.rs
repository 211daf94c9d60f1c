//! Named impairment configs ("lossy", "mobile", ...) for scenarios and the proxy.

use super::config::{GilbertElliott, ImpairmentConfig, JitterDistribution};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A named impairment, the same in both directions. Round-trip figures below are the sum of
/// the two directions' latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// No impairment.
    Clean,
    /// A local network: 2 ms round trip, 0.5 ms jitter.
    Lan,
    /// A good home connection: 30 ms round trip, 3 ms jitter, 0.1 % loss.
    Broadband,
    /// A poor connection: 5 % loss, 100 ms round trip, 20 ms jitter.
    Lossy,
    /// A mobile link: 120 ms round trip, 30 ms normal jitter, bursty loss (about 3.5 % in
    /// bursts of 4), 1 % reordering, 0.1 % duplication.
    Mobile,
    /// A congested 2 Mbit/s link: 80 ms round trip, 250 000 bytes/s with a 32 KiB queue.
    Congested,
}

impl Preset {
    /// Every preset, in order of increasing harm (roughly).
    pub const ALL: [Preset; 6] = [
        Preset::Clean,
        Preset::Lan,
        Preset::Broadband,
        Preset::Lossy,
        Preset::Mobile,
        Preset::Congested,
    ];

    /// The name used in TOML and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Clean => "clean",
            Preset::Lan => "lan",
            Preset::Broadband => "broadband",
            Preset::Lossy => "lossy",
            Preset::Mobile => "mobile",
            Preset::Congested => "congested",
        }
    }

    /// The config of one direction (seed 0; set `seed` to vary the draws).
    pub fn config(self) -> ImpairmentConfig {
        let base = ImpairmentConfig::default();
        match self {
            Preset::Clean => base,
            Preset::Lan => ImpairmentConfig {
                latency_ms: 1.0,
                jitter_ms: 0.5,
                ..base
            },
            Preset::Broadband => ImpairmentConfig {
                latency_ms: 15.0,
                jitter_ms: 3.0,
                loss: 0.001,
                ..base
            },
            Preset::Lossy => ImpairmentConfig {
                latency_ms: 50.0,
                jitter_ms: 20.0,
                loss: 0.05,
                ..base
            },
            Preset::Mobile => ImpairmentConfig {
                latency_ms: 60.0,
                jitter_ms: 30.0,
                jitter_distribution: JitterDistribution::Normal,
                duplicate: 0.001,
                reorder: 0.01,
                reorder_extra_ms: 20.0,
                gilbert_elliott: Some(GilbertElliott {
                    p_good_to_bad: 0.01,
                    p_bad_to_good: 0.25,
                    loss_in_good: 0.0,
                    loss_in_bad: 0.9,
                }),
                ..base
            },
            Preset::Congested => ImpairmentConfig {
                latency_ms: 40.0,
                jitter_ms: 2.0,
                rate_limit_bytes_per_sec: Some(250_000),
                queue_bytes: 32 * 1024,
                ..base
            },
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A preset name that is not one of [`Preset::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown impairment preset `{0}`; use one of clean, lan, broadband, lossy, mobile, congested"
)]
pub struct UnknownPreset(pub String);

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|preset| preset.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPreset(s.to_string()))
    }
}
