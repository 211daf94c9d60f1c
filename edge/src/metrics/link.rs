//! Client link stats as Prometheus metrics: what every session's transport measured (bytes and
//! packets each way, packets lost, smoothed RTT and its variation), labelled by transport only
//! (`udp`, `webtransport`, `quic`) so that the number of series stays fixed however many
//! clients connect.
//!
//! Counters grow by what each session's [`LinkStats`] gained since the previous flush
//! ([`LinkMeter`]); the histograms take one sample per session per second.

use super::EdgeMetrics;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use starlane_netcore::transport::{LinkStats, LinkStatsSnapshot, TransportKind};
use std::time::Duration;

/// Buckets of `starlane_edge_link_srtt_seconds`: LAN to intercontinental game RTTs.
const SRTT_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0,
];

/// Buckets of `starlane_edge_link_rtt_variation_seconds`: jitter is usually a fraction of the RTT.
const RTT_VARIATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0,
];

/// Buckets of `starlane_edge_link_loss_ratio`; the first holds the loss-free seconds.
const LOSS_BUCKETS: &[f64] = &[0.0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

/// Link metrics, each labelled by `transport`.
#[derive(Debug, Clone)]
pub struct LinkMetrics {
    /// Bytes received from clients, as the transport counts them.
    pub bytes_in: IntCounterVec,
    /// Bytes sent to clients.
    pub bytes_out: IntCounterVec,
    /// Packets (datagrams, or messages where the driver sees no packets) received.
    pub packets_in: IntCounterVec,
    /// Packets sent.
    pub packets_out: IntCounterVec,
    /// Sent packets the transport declared lost.
    pub packets_lost: IntCounterVec,
    /// Per session and second: the smoothed round-trip time, once measured.
    pub srtt: HistogramVec,
    /// Per session and second: the round-trip time variation (RFC 6298 `RTTVAR`).
    pub rtt_variation: HistogramVec,
    /// Per session and second in which it sent packets: lost / sent over that second.
    pub loss: HistogramVec,
}

impl LinkMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> Self {
        let counter = |name: &str, help: &str| {
            let m = IntCounterVec::new(Opts::new(name, help), &["transport"])
                .expect("metric names and labels are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let m = HistogramVec::new(opts, &["transport"])
                .expect("metric names, labels and buckets are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        Self {
            bytes_in: counter(
                "starlane_edge_link_bytes_in_total",
                "Bytes received from clients, as each transport counts them",
            ),
            bytes_out: counter(
                "starlane_edge_link_bytes_out_total",
                "Bytes sent to clients, as each transport counts them",
            ),
            packets_in: counter(
                "starlane_edge_link_packets_in_total",
                "Packets received from clients",
            ),
            packets_out: counter(
                "starlane_edge_link_packets_out_total",
                "Packets sent to clients",
            ),
            packets_lost: counter(
                "starlane_edge_link_packets_lost_total",
                "Packets sent to clients that the transport declared lost",
            ),
            srtt: histogram(
                "starlane_edge_link_srtt_seconds",
                "Smoothed round-trip time, sampled per session and second",
                SRTT_BUCKETS,
            ),
            rtt_variation: histogram(
                "starlane_edge_link_rtt_variation_seconds",
                "Round-trip time variation (RTTVAR), sampled per session and second",
                RTT_VARIATION_BUCKETS,
            ),
            loss: histogram(
                "starlane_edge_link_loss_ratio",
                "Share of the packets sent in a second that were declared lost, per session",
                LOSS_BUCKETS,
            ),
        }
    }
}

/// One session's reporter: turns its cumulative [`LinkStats`] into counter increments and
/// histogram samples.
///
/// Counters only grow: a transport counter that goes down (QUIC may take back a loss when the
/// packet turns up after all) adds nothing until it is above what was already reported.
#[derive(Debug)]
pub struct LinkMeter {
    transport: &'static str,
    /// The highest value of each counter already reported.
    reported: LinkStatsSnapshot,
}

impl LinkMeter {
    /// A meter for a session carried by `transport`, nothing reported yet.
    pub fn new(transport: TransportKind) -> Self {
        Self {
            transport: transport.as_str(),
            reported: LinkStatsSnapshot::default(),
        }
    }

    /// The once-a-second report: counter increments since the previous report, then one
    /// sample of the smoothed RTT and its variation (once the transport has measured them) and
    /// of the loss over the interval (when packets were sent in it).
    pub fn sample(&mut self, stats: &LinkStats, metrics: &EdgeMetrics) {
        let now = stats.snapshot();
        let sent = now.packets_out.saturating_sub(self.reported.packets_out);
        let lost = now.packets_lost.saturating_sub(self.reported.packets_lost);
        self.add_counters(&now, metrics);
        let m = &metrics.link;
        let label = [self.transport];
        if let Some(srtt) = now.rtt {
            m.srtt.with_label_values(&label).observe(srtt.as_secs_f64());
            // A measured RTT with no variation (a perfectly steady link) reads as `None`.
            let var = now.rtt_var.unwrap_or(Duration::ZERO);
            m.rtt_variation
                .with_label_values(&label)
                .observe(var.as_secs_f64());
        }
        if sent > 0 {
            let share = (lost as f64 / sent as f64).min(1.0);
            m.loss.with_label_values(&label).observe(share);
        }
    }

    /// The last report of an ending session: counters only (its last second is not a full
    /// sample).
    pub fn finish(&mut self, stats: &LinkStats, metrics: &EdgeMetrics) {
        self.add_counters(&stats.snapshot(), metrics);
    }

    fn add_counters(&mut self, now: &LinkStatsSnapshot, metrics: &EdgeMetrics) {
        let label = [self.transport];
        let r = &mut self.reported;
        // What `now` adds to `reported`, which then holds the highest value seen.
        let gain = |now: u64, reported: &mut u64| {
            let d = now.saturating_sub(*reported);
            *reported = (*reported).max(now);
            d
        };
        let bytes_in = gain(now.bytes_in, &mut r.bytes_in);
        let bytes_out = gain(now.bytes_out, &mut r.bytes_out);
        let m = &metrics.link;
        m.bytes_in.with_label_values(&label).inc_by(bytes_in);
        m.bytes_out.with_label_values(&label).inc_by(bytes_out);
        m.packets_in
            .with_label_values(&label)
            .inc_by(gain(now.packets_in, &mut r.packets_in));
        m.packets_out
            .with_label_values(&label)
            .inc_by(gain(now.packets_out, &mut r.packets_out));
        m.packets_lost
            .with_label_values(&label)
            .inc_by(gain(now.packets_lost, &mut r.packets_lost));
        // The older per-transport byte counters count the same bytes.
        metrics.bytes_in.with_label_values(&label).inc_by(bytes_in);
        metrics
            .bytes_out
            .with_label_values(&label)
            .inc_by(bytes_out);
    }
}
