//! Link stats of a QUIC connection: quinn's counters copied into [`LinkStats`], and a
//! round-trip variance estimated from periodic RTT samples.

use crate::transport::LinkStats;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often a connection's stats are sampled.
pub(super) const STATS_INTERVAL: Duration = Duration::from_millis(250);

/// RFC 6298 smoothing over periodic round-trip samples: `SRTT` with gain 1/8 and `RTTVAR`,
/// the smoothed `|SRTT - sample|`, with gain 1/4. The first sample sets `SRTT = R` and
/// `RTTVAR = R / 2`.
///
/// quinn exposes its smoothed RTT but not its variation; sampling it every
/// [`STATS_INTERVAL`] and smoothing the deviations gives the variation the link reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RttVariance {
    srtt: Option<Duration>,
    rtt_var: Duration,
}

impl RttVariance {
    /// Feed one sample; returns the updated variation.
    pub fn sample(&mut self, r: Duration) -> Duration {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rtt_var = r / 2;
            }
            Some(srtt) => {
                let deviation = srtt.abs_diff(r);
                self.rtt_var = (self.rtt_var * 3 + deviation) / 4;
                self.srtt = Some((srtt * 7 + r) / 8);
            }
        }
        self.rtt_var
    }

    /// The smoothed sample, once one was fed.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// The current variation (zero before the first sample).
    pub fn rtt_var(&self) -> Duration {
        self.rtt_var
    }
}

/// Copy `conn`'s counters into `stats`: UDP datagrams and their bytes each way, packets the
/// path declared lost, quinn's smoothed RTT and the variation from `var`.
pub(super) fn publish(conn: &quinn::Connection, stats: &LinkStats, var: &mut RttVariance) {
    let s = conn.stats();
    stats.bytes_in.store(s.udp_rx.bytes, Ordering::Relaxed);
    stats
        .packets_in
        .store(s.udp_rx.datagrams, Ordering::Relaxed);
    stats.bytes_out.store(s.udp_tx.bytes, Ordering::Relaxed);
    stats
        .packets_out
        .store(s.udp_tx.datagrams, Ordering::Relaxed);
    stats
        .packets_lost
        .store(s.path.lost_packets, Ordering::Relaxed);
    let srtt = conn.rtt();
    let rtt_var = var.sample(srtt);
    stats.set_rtt(srtt, rtt_var);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn first_sample_sets_half_the_rtt_as_variation() {
        let mut v = RttVariance::default();
        assert_eq!(v.rtt_var(), Duration::ZERO);
        assert_eq!(v.sample(ms(100)), ms(50));
        assert_eq!(v.srtt(), Some(ms(100)));
    }

    #[test]
    fn steady_samples_shrink_the_variation_by_a_quarter_each() {
        let mut v = RttVariance::default();
        v.sample(ms(80));
        assert_eq!(v.sample(ms(80)), ms(30));
        assert_eq!(v.sample(ms(80)), Duration::from_micros(22_500));
        for _ in 0..60 {
            v.sample(ms(80));
        }
        assert!(v.rtt_var() < Duration::from_micros(10));
        assert_eq!(v.srtt(), Some(ms(80)));
    }

    #[test]
    fn a_jump_raises_the_variation_by_a_quarter_of_the_deviation() {
        let mut v = RttVariance::default();
        v.sample(ms(100));
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 37.5 + 20; SRTT = 7/8 * 100 + 1/8 * 180.
        assert_eq!(v.sample(ms(180)), Duration::from_micros(57_500));
        assert_eq!(v.srtt(), Some(ms(110)));
    }
}
