//! [`RttEstimator`]: smoothed round-trip time and resend timeout from acknowledgements.

use std::time::Duration;

/// Resend timeout before any RTT sample.
pub const INITIAL_RTO: Duration = Duration::from_millis(250);
/// Smallest resend timeout.
pub const MIN_RTO: Duration = Duration::from_millis(50);
/// Largest resend timeout.
pub const MAX_RTO: Duration = Duration::from_secs(1);

/// Smoothed RTT and its variation (the usual 1/8 and 1/4 gains), giving
/// `rto = srtt + 4 × rttvar`, clamped to [`MIN_RTO`]..=[`MAX_RTO`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
}

impl RttEstimator {
    /// Adds one round-trip sample.
    pub fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(rtt);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((srtt * 7 + rtt) / 8);
            }
        }
    }

    /// The smoothed RTT, once sampled.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// How long to wait for an acknowledgement before resending.
    pub fn rto(&self) -> Duration {
        self.srtt
            .map_or(INITIAL_RTO, |s| s + self.rttvar * 4)
            .clamp(MIN_RTO, MAX_RTO)
    }
}
