//! A seeded, sans-IO network emulator: latency, jitter, loss (independent or bursty
//! Gilbert-Elliott), duplication, reordering, a rate limit with a drop-tail queue, and an MTU.
//!
//! One [`Emulator`] impairs one direction of a path; a [`DuplexConfig`] holds the two configs
//! of a path. The emulator reads no clock and draws from its own seeded generators, so a
//! given seed and input sequence always give the same output: tests run it in simulated time,
//! and the impairment proxy of the bench crate runs it against the real clock.
//!
//! ```
//! use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
//! use std::time::{Duration, Instant};
//!
//! let cfg = ImpairmentConfig { latency_ms: 50.0, seed: 7, ..ImpairmentConfig::default() };
//! let mut link = Emulator::new(cfg).expect("valid config");
//! let t0 = Instant::now();
//! link.send(t0, b"hello".to_vec());
//! assert_eq!(link.poll_deliver(t0), None);
//! assert_eq!(link.poll_timeout(), Some(t0 + Duration::from_millis(50)));
//! assert_eq!(link.poll_deliver(t0 + Duration::from_millis(50)), Some(b"hello".to_vec()));
//! ```

mod config;
mod engine;
mod model;
mod preset;

pub use config::{
    ConfigError, DEFAULT_QUEUE_BYTES, GilbertElliott, ImpairmentConfig, JitterDistribution,
    MAX_DELAY_MS,
};
pub use engine::{Emulator, EmulatorStats};
pub use preset::{Preset, UnknownPreset};

use serde::{Deserialize, Serialize};

/// The impairment of both directions of a path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DuplexConfig {
    /// Client to server.
    pub up: ImpairmentConfig,
    /// Server to client.
    pub down: ImpairmentConfig,
}

impl DuplexConfig {
    /// The same impairment both ways. The downstream direction draws from a different seed
    /// (derived from `cfg.seed`) so that the two directions do not lose the same packets.
    pub fn symmetric(cfg: ImpairmentConfig) -> DuplexConfig {
        let down = ImpairmentConfig {
            seed: downstream_seed(cfg.seed),
            ..cfg.clone()
        };
        DuplexConfig { up: cfg, down }
    }

    /// Both directions of a [`Preset`], seeded with `seed`.
    pub fn preset(preset: Preset, seed: u64) -> DuplexConfig {
        DuplexConfig::symmetric(ImpairmentConfig {
            seed,
            ..preset.config()
        })
    }

    /// Validate both directions (the error names the field).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.up.validate()?;
        self.down.validate()
    }
}

/// The seed the downstream direction uses when a config is applied both ways.
pub fn downstream_seed(seed: u64) -> u64 {
    seed ^ 0x5ee4_d0e5_7a4e_0001
}
