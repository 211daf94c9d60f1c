//! Link stats of a QUIC connection: quinn's counters copied into [`LinkStats`], and a
//! round-trip variation estimated from periodic RTT samples.
//!
//! quinn exposes its smoothed RTT but not its variation; sampling it every
//! [`STATS_INTERVAL`] into the one RFC 6298 estimator ([`RttEstimator`]) gives the variation
//! the link reports.

use crate::proto::rtt::RttEstimator;
use crate::transport::LinkStats;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often a connection's stats are sampled.
pub(super) const STATS_INTERVAL: Duration = Duration::from_millis(250);

/// Copy `conn`'s counters into `stats`: UDP datagrams and their bytes each way, packets the
/// path declared lost, quinn's smoothed RTT and the variation `rtt` estimates from it.
pub(super) fn publish(conn: &quinn::Connection, stats: &LinkStats, rtt: &mut RttEstimator) {
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
    rtt.on_sample(srtt);
    stats.set_rtt(srtt, rtt.rttvar());
}
