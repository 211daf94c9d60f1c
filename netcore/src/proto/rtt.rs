//! Round-trip time estimation (RFC 6298) and the retransmission timeout derived from it.

use std::time::Duration;

/// Smallest retransmission timeout.
pub const MIN_RTO: Duration = Duration::from_millis(20);
/// Largest retransmission timeout (after backoff too).
pub const MAX_RTO: Duration = Duration::from_secs(2);
/// Timeout used before any sample (and no seed) exists.
pub const INITIAL_RTO: Duration = Duration::from_millis(250);
/// Clock granularity allowance added to the variance term.
const GRANULARITY: Duration = Duration::from_millis(5);

/// Smoothed RTT and its variation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    latest: Duration,
}

impl RttEstimator {
    /// An estimator, seeded with a first sample if one is known (the handshake's).
    pub fn new(seed: Option<Duration>) -> Self {
        let mut e = Self::default();
        if let Some(s) = seed {
            e.on_sample(s);
        }
        e
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

    /// The retransmission timeout: `srtt + max(4 rttvar, granularity)`, within bounds.
    pub fn rto(&self) -> Duration {
        match self.srtt {
            None => INITIAL_RTO,
            Some(srtt) => (srtt + (self.rttvar * 4).max(GRANULARITY)).clamp(MIN_RTO, MAX_RTO),
        }
    }

    /// The timeout for a frame already sent `sends` times (doubled per resend, capped).
    pub fn backoff(&self, sends: u32) -> Duration {
        let shift = sends.saturating_sub(1).min(6);
        (self.rto() * (1u32 << shift)).min(MAX_RTO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_rfc6298() {
        let mut e = RttEstimator::new(None);
        assert_eq!(e.rto(), INITIAL_RTO);
        e.on_sample(Duration::from_millis(100));
        assert_eq!(e.srtt(), Some(Duration::from_millis(100)));
        assert_eq!(e.rttvar(), Duration::from_millis(50));
        assert_eq!(e.rto(), Duration::from_millis(300));
        e.on_sample(Duration::from_millis(60));
        assert_eq!(e.srtt(), Some(Duration::from_millis(95)));
        assert_eq!(e.rttvar(), Duration::from_millis(47_500) / 1000);
        for _ in 0..50 {
            e.on_sample(Duration::from_millis(100));
        }
        assert!(e.rto() < Duration::from_millis(110), "{:?}", e.rto());
        assert_eq!(e.backoff(3), (e.rto() * 4).min(MAX_RTO));
        assert_eq!(e.backoff(40), MAX_RTO);
    }
}
