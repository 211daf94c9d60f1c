//! Round-trip time estimation (RFC 6298) and the retransmission timeout derived from it: the
//! one estimator every layer uses. netcore's connections ([`RttConfig::TRANSPORT`]), the QUIC
//! driver's link stats (smoothing quinn's RTT samples into a variation) and the edge's entity
//! sync (its own bounds) differ only in their [`RttConfig`].
//!
//! `SRTT` and `RTTVAR` use RFC 6298's gains (1/8 and 1/4); the first sample sets
//! `SRTT = R`, `RTTVAR = R / 2`. The timeout is `SRTT + max(4 RTTVAR, granularity)`, clamped
//! to `min_rto..=max_rto`, and `initial_rto` before any sample.

use std::time::Duration;

/// The bounds of an [`RttEstimator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RttConfig {
    /// Timeout used before any sample exists.
    pub initial_rto: Duration,
    /// Smallest timeout.
    pub min_rto: Duration,
    /// Largest timeout (after backoff too).
    pub max_rto: Duration,
    /// Clock granularity allowance: the variance term is at least this.
    pub granularity: Duration,
}

impl RttConfig {
    /// netcore's encrypted-UDP connections: 250 ms before a sample, 20 ms..2 s, 5 ms
    /// granularity (SPEC.md, "Frames").
    pub const TRANSPORT: Self = Self {
        initial_rto: Duration::from_millis(250),
        min_rto: Duration::from_millis(20),
        max_rto: Duration::from_secs(2),
        granularity: Duration::from_millis(5),
    };
}

impl Default for RttConfig {
    /// [`RttConfig::TRANSPORT`].
    fn default() -> Self {
        Self::TRANSPORT
    }
}

/// Smoothed RTT and its variation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RttEstimator {
    config: RttConfig,
    srtt: Option<Duration>,
    rttvar: Duration,
    latest: Duration,
}

impl RttEstimator {
    /// An estimator with `config`'s bounds and no sample yet.
    pub fn new(config: RttConfig) -> Self {
        Self {
            config,
            srtt: None,
            rttvar: Duration::ZERO,
            latest: Duration::ZERO,
        }
    }

    /// [`new`](Self::new), seeded with a first sample if one is known (the handshake's).
    pub fn seeded(config: RttConfig, seed: Option<Duration>) -> Self {
        let mut e = Self::new(config);
        if let Some(s) = seed {
            e.on_sample(s);
        }
        e
    }

    /// The bounds.
    pub fn config(&self) -> RttConfig {
        self.config
    }

    /// Take one measured round trip.
    pub fn on_sample(&mut self, sample: Duration) {
        self.latest = sample;
        match self.srtt {
            None => {
                self.srtt = Some(sample);
                self.rttvar = sample / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(sample);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((srtt * 7 + sample) / 8);
            }
        }
    }

    /// The smoothed RTT, if any sample was taken.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// The RTT variation (0 before any sample).
    pub fn rttvar(&self) -> Duration {
        self.rttvar
    }

    /// The latest sample.
    pub fn latest(&self) -> Duration {
        self.latest
    }

    /// The retransmission timeout: `srtt + max(4 rttvar, granularity)` within the bounds,
    /// or the initial timeout before any sample.
    pub fn rto(&self) -> Duration {
        let c = &self.config;
        match self.srtt {
            None => c.initial_rto,
            Some(srtt) => (srtt + (self.rttvar * 4).max(c.granularity)).clamp(c.min_rto, c.max_rto),
        }
    }

    /// The timeout for a frame already sent `sends` times (doubled per resend, capped).
    pub fn backoff(&self, sends: u32) -> Duration {
        let shift = sends.saturating_sub(1).min(6);
        (self.rto() * (1u32 << shift)).min(self.config.max_rto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn follows_rfc6298() {
        let mut e = RttEstimator::default();
        assert_eq!(e.rto(), RttConfig::TRANSPORT.initial_rto);
        e.on_sample(ms(100));
        assert_eq!(e.srtt(), Some(ms(100)));
        assert_eq!(e.rttvar(), ms(50));
        assert_eq!(e.rto(), ms(300));
        e.on_sample(ms(60));
        assert_eq!(e.srtt(), Some(ms(95)));
        assert_eq!(e.rttvar(), Duration::from_micros(47_500));
        for _ in 0..50 {
            e.on_sample(ms(100));
        }
        assert!(e.rto() < ms(110), "{:?}", e.rto());
        assert_eq!(e.backoff(3), (e.rto() * 4).min(ms(2000)));
        assert_eq!(e.backoff(40), ms(2000));
    }

    #[test]
    fn steady_samples_shrink_the_variation_by_a_quarter_each() {
        let mut e = RttEstimator::default();
        e.on_sample(ms(80));
        e.on_sample(ms(80));
        assert_eq!(e.rttvar(), ms(30));
        e.on_sample(ms(80));
        assert_eq!(e.rttvar(), Duration::from_micros(22_500));
        for _ in 0..60 {
            e.on_sample(ms(80));
        }
        assert!(e.rttvar() < Duration::from_micros(10));
        assert_eq!(e.srtt(), Some(ms(80)));
    }

    #[test]
    fn a_jump_raises_the_variation_by_a_quarter_of_the_deviation() {
        let mut e = RttEstimator::default();
        e.on_sample(ms(100));
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 37.5 + 20; SRTT = 7/8 * 100 + 1/8 * 180.
        e.on_sample(ms(180));
        assert_eq!(e.rttvar(), Duration::from_micros(57_500));
        assert_eq!(e.srtt(), Some(ms(110)));
    }

    #[test]
    fn bounds_come_from_the_configuration() {
        let config = RttConfig {
            initial_rto: ms(250),
            min_rto: ms(50),
            max_rto: ms(1000),
            granularity: Duration::ZERO,
        };
        let mut e = RttEstimator::new(config);
        assert_eq!(e.rto(), ms(250));
        e.on_sample(ms(5));
        assert_eq!(e.rto(), ms(50), "clamped up to min_rto");
        let mut e = RttEstimator::seeded(config, Some(ms(900)));
        assert_eq!(e.rto(), ms(1000), "clamped down to max_rto");
        e.on_sample(ms(900));
        assert_eq!(e.backoff(5), ms(1000));
    }
}
