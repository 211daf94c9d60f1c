//! The random parts of the emulator (loss, delay) and the rate-limited bottleneck queue.

use super::config::{GilbertElliott, ImpairmentConfig, JitterDistribution};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One independent random stream per feature, so that turning one feature on does not change
/// the draws of another (the loss pattern of a seed is the same with or without jitter).
#[derive(Debug)]
pub(crate) struct Streams {
    pub loss: StdRng,
    pub delay: StdRng,
    pub duplicate: StdRng,
    pub reorder: StdRng,
}

impl Streams {
    pub fn new(seed: u64) -> Self {
        let stream = |k: u64| StdRng::seed_from_u64(seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Streams {
            loss: stream(1),
            delay: stream(2),
            duplicate: stream(3),
            reorder: stream(4),
        }
    }
}

/// Draw `true` with probability `p` (taking no draw at all when `p` is 0).
pub(crate) fn chance(rng: &mut StdRng, p: f64) -> bool {
    p > 0.0 && rng.random::<f64>() < p
}

/// Independent or Gilbert-Elliott loss.
#[derive(Debug)]
pub(crate) enum LossModel {
    Independent(f64),
    GilbertElliott { model: GilbertElliott, bad: bool },
}

impl LossModel {
    pub fn new(cfg: &ImpairmentConfig) -> Self {
        match cfg.gilbert_elliott {
            Some(model) => LossModel::GilbertElliott { model, bad: false },
            None => LossModel::Independent(cfg.loss),
        }
    }

    /// Whether the next packet is lost (advancing the channel state first).
    pub fn lose(&mut self, rng: &mut StdRng) -> bool {
        match self {
            LossModel::Independent(p) => chance(rng, *p),
            LossModel::GilbertElliott { model, bad } => {
                let flip = if *bad {
                    model.p_bad_to_good
                } else {
                    model.p_good_to_bad
                };
                if chance(rng, flip) {
                    *bad = !*bad;
                }
                let p = if *bad {
                    model.loss_in_bad
                } else {
                    model.loss_in_good
                };
                chance(rng, p)
            }
        }
    }
}

/// The one-way delay of a packet: latency plus jitter, never negative.
pub(crate) fn draw_delay(cfg: &ImpairmentConfig, rng: &mut StdRng) -> Duration {
    let offset = if cfg.jitter_ms > 0.0 {
        match cfg.jitter_distribution {
            JitterDistribution::Uniform => rng.random_range(-cfg.jitter_ms..=cfg.jitter_ms),
            JitterDistribution::Normal => standard_normal(rng).clamp(-3.0, 3.0) * cfg.jitter_ms,
        }
    } else {
        0.0
    };
    millis((cfg.latency_ms + offset).max(0.0))
}

/// Milliseconds (finite, non-negative, validated) as a duration.
pub(crate) fn millis(ms: f64) -> Duration {
    Duration::from_secs_f64(ms / 1000.0)
}

/// A standard normal draw (Box-Muller).
fn standard_normal(rng: &mut StdRng) -> f64 {
    // 1 - [0, 1) lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A link of fixed rate with a drop-tail queue in front of it.
#[derive(Debug)]
pub(crate) struct Bottleneck {
    rate: u64,
    capacity: usize,
    busy_until: Option<Instant>,
    /// Packets queued or on the wire: when each finishes, and its size.
    backlog: VecDeque<(Instant, usize)>,
    backlog_bytes: usize,
}

impl Bottleneck {
    pub fn new(rate: u64, capacity: usize) -> Self {
        Bottleneck {
            rate,
            capacity,
            busy_until: None,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
        }
    }

    /// Queue a packet of `len` bytes at `now`: the instant its last byte leaves the link, or
    /// `None` when the queue is full (the packet is dropped).
    pub fn admit(&mut self, now: Instant, len: usize) -> Option<Instant> {
        while let Some(&(finish, size)) = self.backlog.front() {
            if finish > now {
                break;
            }
            self.backlog.pop_front();
            self.backlog_bytes -= size;
        }
        if self.backlog_bytes + len > self.capacity {
            return None;
        }
        let start = self.busy_until.map_or(now, |busy| busy.max(now));
        // Out of range only for absurd queue sizes at absurdly low rates: treat as a drop.
        let finish = start.checked_add(self.transmission_time(len))?;
        self.busy_until = Some(finish);
        self.backlog.push_back((finish, len));
        self.backlog_bytes += len;
        Some(finish)
    }

    /// Time to put `len` bytes on the link, rounded up to the nanosecond.
    fn transmission_time(&self, len: usize) -> Duration {
        let nanos = (len as u128 * 1_000_000_000).div_ceil(u128::from(self.rate));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}
