//! Per-profile metrics of delta sync: what each bandwidth profile's sessions send, how much of
//! their budget they use, how fresh what they send is, and how much priority waits.

use prometheus::{
    CounterVec, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry,
};

/// Buckets of `starlane_edge_profile_budget_utilisation` (sent / budget per second).
const UTILISATION_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0, 1.05, 1.25];

/// Buckets of `starlane_edge_profile_staleness_seconds`.
const STALENESS_BUCKETS: &[f64] = &[
    0.005, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0,
];

/// Delta-sync metrics, each labelled by bandwidth profile.
#[derive(Debug, Clone)]
pub struct SyncMetrics {
    /// Bytes of entity packets sent.
    pub bytes: IntCounterVec,
    /// Entity packets sent.
    pub packets: IntCounterVec,
    /// Entity records sent, by profile and `kind` (`full`, `delta`).
    pub records: IntCounterVec,
    /// Reliable events sent again after no acknowledgement.
    pub events_resent: IntCounterVec,
    /// Per session and second: bytes sent divided by the profile's `bytes_per_sec`.
    pub utilisation: HistogramVec,
    /// Age of each entity record when sent: how long the client's copy had differed from
    /// the edge's mirror.
    pub staleness: HistogramVec,
    /// Sum of the priority accumulated by entities waiting to be sent, over the profile's
    /// sessions.
    pub queued_priority: GaugeVec,
    /// Entities the profile's sessions can see (the sum of their visible sets).
    pub visible: GaugeVec,
    /// Acknowledgements received from clients, by profile and `result` (`ok`, `ignored`).
    pub acks: CounterVec,
    /// Sessions shed because their client left more than `max_pending_events` reliable
    /// events unacknowledged.
    pub events_overflow: IntCounterVec,
}

impl SyncMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> Self {
        let reg = |m: Box<dyn prometheus::core::Collector>| {
            registry
                .register(m)
                .expect("each metric is registered once in a fresh registry");
        };
        let int_counter = |name: &str, help: &str, labels: &[&str]| {
            let m = IntCounterVec::new(Opts::new(name, help), labels)
                .expect("metric names and labels are static and valid");
            reg(Box::new(m.clone()));
            m
        };
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let m = HistogramVec::new(opts, &["profile"])
                .expect("metric names, labels and buckets are static and valid");
            reg(Box::new(m.clone()));
            m
        };
        let gauge = |name: &str, help: &str| {
            let m = GaugeVec::new(Opts::new(name, help), &["profile"])
                .expect("metric names and labels are static and valid");
            reg(Box::new(m.clone()));
            m
        };
        let acks = CounterVec::new(
            Opts::new(
                "starlane_edge_profile_acks_total",
                "Update acknowledgements received, by result",
            ),
            &["profile", "result"],
        )
        .expect("metric names and labels are static and valid");
        reg(Box::new(acks.clone()));
        Self {
            bytes: int_counter(
                "starlane_edge_profile_sent_bytes_total",
                "Bytes of entity packets sent",
                &["profile"],
            ),
            packets: int_counter(
                "starlane_edge_profile_packets_total",
                "Entity packets sent",
                &["profile"],
            ),
            records: int_counter(
                "starlane_edge_profile_records_total",
                "Entity records sent, by kind (full, delta)",
                &["profile", "kind"],
            ),
            events_resent: int_counter(
                "starlane_edge_profile_events_resent_total",
                "Reliable events sent again for lack of an acknowledgement",
                &["profile"],
            ),
            utilisation: histogram(
                "starlane_edge_profile_budget_utilisation",
                "Per session and second: bytes sent over the profile's bytes_per_sec",
                UTILISATION_BUCKETS,
            ),
            staleness: histogram(
                "starlane_edge_profile_staleness_seconds",
                "Age of entity records when sent",
                STALENESS_BUCKETS,
            ),
            queued_priority: gauge(
                "starlane_edge_profile_queued_priority",
                "Priority accumulated by entities waiting to be sent",
            ),
            visible: gauge(
                "starlane_edge_profile_visible_entities",
                "Entities visible to the profile's sessions",
            ),
            acks,
            events_overflow: int_counter(
                "starlane_edge_profile_events_overflow_total",
                "Sessions shed (close 249) for leaving more than max_pending_events reliable \
                 events unacknowledged",
                &["profile"],
            ),
        }
    }
}
