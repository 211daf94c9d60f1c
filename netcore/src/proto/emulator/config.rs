//! Settings of one direction of an impaired path, and their validation.

use serde::{Deserialize, Serialize};

/// Longest latency, jitter or reorder delay accepted, in milliseconds (one hour).
pub const MAX_DELAY_MS: f64 = 3_600_000.0;

/// Default size of the bottleneck queue in front of a rate limit, in bytes.
pub const DEFAULT_QUEUE_BYTES: usize = 64 * 1024;

/// How the jitter added to each packet's delay is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JitterDistribution {
    /// Uniform in `[-jitter_ms, +jitter_ms]`.
    #[default]
    Uniform,
    /// Normal with standard deviation `jitter_ms`, clipped to three standard deviations.
    Normal,
}

/// The two-state Gilbert-Elliott loss model: bursts of loss while the channel is "bad".
///
/// Before each packet the channel changes state with the given probabilities, then the packet
/// is lost with the loss probability of the state it is in. With `loss_in_bad = 1` and
/// `loss_in_good = 0` the mean burst length is `1 / p_bad_to_good` packets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GilbertElliott {
    /// Probability, per packet, of moving from the good state to the bad state.
    pub p_good_to_bad: f64,
    /// Probability, per packet, of moving from the bad state back to the good state.
    pub p_bad_to_good: f64,
    /// Loss probability in the good state (default 0).
    #[serde(default)]
    pub loss_in_good: f64,
    /// Loss probability in the bad state (default 1).
    #[serde(default = "one")]
    pub loss_in_bad: f64,
}

fn one() -> f64 {
    1.0
}

/// Impairment of one direction of a path. Every field has a default (no impairment), so a
/// TOML table only names what it changes. Use two of these for a duplex path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImpairmentConfig {
    /// Fixed one-way delay added to every packet, in milliseconds.
    pub latency_ms: f64,
    /// Spread of the random delay added on top of `latency_ms`, in milliseconds
    /// (see [`JitterDistribution`]). The total delay never goes below zero.
    pub jitter_ms: f64,
    /// Distribution of the jitter: `"uniform"` (default) or `"normal"`.
    pub jitter_distribution: JitterDistribution,
    /// Deliver packets in the order they were sent even when jitter would reorder them (a
    /// packet is held until the one before it is out). Excludes `reorder`.
    pub preserve_order: bool,
    /// Independent loss probability per packet, in `[0, 1]`. Excludes `gilbert_elliott`.
    pub loss: f64,
    /// Probability that a packet is delivered twice (the copy gets its own jitter).
    pub duplicate: f64,
    /// Probability that a packet is held back an extra `reorder_extra_ms`, so that later
    /// packets overtake it.
    pub reorder: f64,
    /// Extra delay of a packet picked by `reorder`, in milliseconds.
    pub reorder_extra_ms: f64,
    /// Bottleneck rate in bytes per second; packets wait in a queue of `queue_bytes` in front
    /// of it. Absent means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_bytes_per_sec: Option<u64>,
    /// Capacity of the bottleneck queue in bytes; a packet that does not fit is dropped (drop
    /// tail). Only used with `rate_limit_bytes_per_sec`.
    pub queue_bytes: usize,
    /// Largest datagram carried, in bytes; larger ones are dropped. Absent means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<usize>,
    /// Seed of the random draws: the same seed and input give the same output.
    pub seed: u64,
    /// Bursty loss instead of `loss` (a `[gilbert_elliott]` table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gilbert_elliott: Option<GilbertElliott>,
}

impl Default for ImpairmentConfig {
    fn default() -> Self {
        ImpairmentConfig {
            latency_ms: 0.0,
            jitter_ms: 0.0,
            jitter_distribution: JitterDistribution::Uniform,
            preserve_order: false,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_extra_ms: 10.0,
            rate_limit_bytes_per_sec: None,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            mtu: None,
            seed: 0,
            gilbert_elliott: None,
        }
    }
}

/// A setting of an [`ImpairmentConfig`] that cannot be used, with the field and the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("impairment setting `{field}` {problem}; {fix}")]
pub struct ConfigError {
    /// The offending field, as spelled in TOML.
    pub field: &'static str,
    /// What is wrong with its value.
    pub problem: String,
    /// How to fix it.
    pub fix: &'static str,
}

fn probability(field: &'static str, value: f64) -> Result<(), ConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            problem: format!("is {value}, not a probability"),
            fix: "set it between 0 and 1",
        })
    }
}

fn delay(field: &'static str, value: f64) -> Result<(), ConfigError> {
    if (0.0..=MAX_DELAY_MS).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            problem: format!("is {value} ms"),
            fix: "set it between 0 and 3600000 milliseconds",
        })
    }
}

impl ImpairmentConfig {
    /// Check every field; the error names the first field that cannot be used and the fix.
    pub fn validate(&self) -> Result<(), ConfigError> {
        delay("latency_ms", self.latency_ms)?;
        delay("jitter_ms", self.jitter_ms)?;
        delay("reorder_extra_ms", self.reorder_extra_ms)?;
        probability("loss", self.loss)?;
        probability("duplicate", self.duplicate)?;
        probability("reorder", self.reorder)?;
        if self.preserve_order && self.reorder > 0.0 {
            return Err(ConfigError {
                field: "reorder",
                problem: format!("is {} while preserve_order is set", self.reorder),
                fix: "set reorder to 0 or preserve_order to false",
            });
        }
        if let Some(ge) = &self.gilbert_elliott {
            self.validate_gilbert_elliott(ge)?;
        }
        if self.rate_limit_bytes_per_sec == Some(0) {
            return Err(ConfigError {
                field: "rate_limit_bytes_per_sec",
                problem: "is 0".into(),
                fix: "set it above 0, or leave it out for no limit",
            });
        }
        if self.rate_limit_bytes_per_sec.is_some() && self.queue_bytes == 0 {
            return Err(ConfigError {
                field: "queue_bytes",
                problem: "is 0 with a rate limit, so every packet would be dropped".into(),
                fix: "set it to at least one datagram (for example 65536)",
            });
        }
        if self.mtu == Some(0) {
            return Err(ConfigError {
                field: "mtu",
                problem: "is 0".into(),
                fix: "set it above 0 (for example 1200), or leave it out for no limit",
            });
        }
        Ok(())
    }

    fn validate_gilbert_elliott(&self, ge: &GilbertElliott) -> Result<(), ConfigError> {
        if self.loss > 0.0 {
            return Err(ConfigError {
                field: "loss",
                problem: format!("is {} while gilbert_elliott is set", self.loss),
                fix: "set loss to 0 or remove the [gilbert_elliott] table",
            });
        }
        probability("gilbert_elliott.p_good_to_bad", ge.p_good_to_bad)?;
        probability("gilbert_elliott.p_bad_to_good", ge.p_bad_to_good)?;
        probability("gilbert_elliott.loss_in_good", ge.loss_in_good)?;
        probability("gilbert_elliott.loss_in_bad", ge.loss_in_bad)?;
        if ge.p_good_to_bad > 0.0 && ge.p_bad_to_good == 0.0 {
            return Err(ConfigError {
                field: "gilbert_elliott.p_bad_to_good",
                problem: "is 0, so the first burst of loss would never end".into(),
                fix: "set it above 0 (the mean burst length is 1 / p_bad_to_good)",
            });
        }
        Ok(())
    }

    /// Whether this config changes anything at all.
    pub fn is_clean(&self) -> bool {
        let clean = ImpairmentConfig {
            seed: self.seed,
            queue_bytes: self.queue_bytes,
            reorder_extra_ms: self.reorder_extra_ms,
            jitter_distribution: self.jitter_distribution,
            preserve_order: self.preserve_order,
            ..ImpairmentConfig::default()
        };
        *self == clean
    }
}
