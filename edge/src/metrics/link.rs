//! Client link stats as Prometheus metrics: what every session's transport measured (bytes and
//! packets each way, packets lost, smoothed RTT and its variation), labelled by transport only
//! (`udp`, `webtransport`, `quic`, `websocket`) so that the number of series stays fixed
//! however many clients connect.
//!
//! Counters grow by what each session's [`LinkStats`] gained since the previous flush
//! ([`LinkMeter`]); the histograms take one sample per session per second.
//!
//! `starlane_edge_link_queue_full_total{transport, reason}` counts what the bounded link
//! queues did when full (netcore/README.md, "Queues and limits"): `datagram_dropped` (an
//! outgoing datagram found the link's queue full), `reliable_shed` (an outgoing reliable
//! message did: the link was shed), `events_shed` (the UDP driver shed a link whose event
//! queue was full), `events_paused` (a QUIC or WebTransport driver stopped reading because
//! the event queue was full) and `accept_refused` (a new connection found the accept queue
//! full).

use super::EdgeMetrics;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use starlane_netcore::transport::{LinkStats, LinkStatsSnapshot, SendOutcome, TransportKind};
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
    /// What the bounded queues did when full, by `transport` and `reason` (module docs).
    pub queue_full: IntCounterVec,
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
            queue_full: queue_full(registry),
        }
    }

    /// Count what a message the edge queued on a link met (nothing when it was queued).
    pub fn count_send(&self, transport: TransportKind, outcome: SendOutcome) {
        let reason = match outcome {
            SendOutcome::Dropped => "datagram_dropped",
            SendOutcome::Shed => "reliable_shed",
            SendOutcome::Queued | SendOutcome::Closed => return,
        };
        self.queue_full
            .with_label_values(&[transport.as_str(), reason])
            .inc();
    }

    /// Raise the `accept_refused` count of `transport` to a driver's cumulative `refused`.
    pub fn set_accept_refused(&self, transport: TransportKind, refused: u64) {
        if refused == 0 {
            return;
        }
        let c = self
            .queue_full
            .with_label_values(&[transport.as_str(), "accept_refused"]);
        c.inc_by(refused.saturating_sub(c.get()));
    }
}

fn queue_full(registry: &Registry) -> IntCounterVec {
    let m = IntCounterVec::new(
        Opts::new(
            "starlane_edge_link_queue_full_total",
            "What the bounded client link queues did when full, by transport and reason",
        ),
        &["transport", "reason"],
    )
    .expect("metric name and labels are static and valid");
    // Series appear with their first count: like every link metric, a transport shows up
    // only once one of its sessions reports something.
    registry
        .register(Box::new(m.clone()))
        .expect("each metric is registered once in a fresh registry");
    m
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
        let full = |reason: &str| m.queue_full.with_label_values(&[self.transport, reason]);
        full("events_shed").inc_by(gain(now.shed_events_full, &mut r.shed_events_full));
        full("events_paused").inc_by(gain(now.events_full_pauses, &mut r.events_full_pauses));
        // The older per-transport byte counters count the same bytes.
        metrics.bytes_in.with_label_values(&label).inc_by(bytes_in);
        metrics
            .bytes_out
            .with_label_values(&label)
            .inc_by(bytes_out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    /// The `reason` labels of [`LinkMetrics::queue_full`].
    const QUEUE_FULL_REASONS: [&str; 5] = [
        "datagram_dropped",
        "reliable_shed",
        "events_shed",
        "events_paused",
        "accept_refused",
    ];

    fn full(m: &EdgeMetrics, transport: TransportKind, reason: &str) -> u64 {
        m.link
            .queue_full
            .with_label_values(&[transport.as_str(), reason])
            .get()
    }

    #[test]
    fn full_queues_are_counted_by_transport_and_reason() {
        let m = EdgeMetrics::new();
        let link = &m.link;
        link.count_send(TransportKind::Udp, SendOutcome::Dropped);
        link.count_send(TransportKind::Udp, SendOutcome::Dropped);
        link.count_send(TransportKind::Quic, SendOutcome::Shed);
        link.count_send(TransportKind::Quic, SendOutcome::Queued);
        link.count_send(TransportKind::Quic, SendOutcome::Closed);
        assert_eq!(full(&m, TransportKind::Udp, "datagram_dropped"), 2);
        assert_eq!(full(&m, TransportKind::Quic, "reliable_shed"), 1);
        assert_eq!(full(&m, TransportKind::Quic, "datagram_dropped"), 0);

        let stats = LinkStats::default();
        stats.shed_events_full.store(1, Ordering::Relaxed);
        stats.events_full_pauses.store(3, Ordering::Relaxed);
        let mut meter = LinkMeter::new(TransportKind::WebTransport);
        meter.finish(&stats, &m);
        meter.finish(&stats, &m);
        assert_eq!(full(&m, TransportKind::WebTransport, "events_shed"), 1);
        assert_eq!(full(&m, TransportKind::WebTransport, "events_paused"), 3);

        link.set_accept_refused(TransportKind::Udp, 4);
        link.set_accept_refused(TransportKind::Udp, 4);
        assert_eq!(full(&m, TransportKind::Udp, "accept_refused"), 4);
        let rendered = m.render();
        for reason in QUEUE_FULL_REASONS {
            assert!(
                rendered.contains(&format!("reason=\"{reason}\"")),
                "{reason}"
            );
        }
    }
}
