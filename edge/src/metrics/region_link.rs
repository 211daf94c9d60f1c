//! Metrics of the edge-region link beyond up/connects: certificates the edge refused, frames
//! refused because the edge->region queue was full, sessions held while the link is down and
//! sessions re-announced on a new link, links closed by code, sessions shed, frames dropped,
//! reconnections, and which region the link is to.

use prometheus::{IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// Region-link metrics (`starlane_edge_region_link_*`).
#[derive(Debug, Clone)]
pub struct RegionLinkMetrics {
    /// Region certificates refused at the TLS handshake, by reason (`unknown_ca`,
    /// `not_pinned`, `bad_certificate`).
    pub refusals: IntCounterVec,
    /// Frames refused because the edge->region queue was full, by frame (`command`: the
    /// client got `CommandRejected(RateLimited)`; `join`: the client got
    /// `Reject(RegionUnavailable)`; `leave`: deferred until the queue drains, not lost).
    pub queue_full: IntCounterVec,
    /// Sessions held while the link is down, waiting to be re-announced.
    pub sessions_held: IntGauge,
    /// Sessions re-announced (joined again) on a new link.
    pub reannounced: IntCounter,
    /// Links that went down, by close code label (`transport`: lost without one).
    pub closes: IntCounterVec,
    /// Sessions shed because they did not take their region events.
    pub sessions_shed: IntCounter,
    /// Region frames dropped, by reason (`unknown_session`, `unknown_notice_kind`).
    pub dropped: IntCounterVec,
    /// Connections to the region established after the first (the link came back).
    pub reconnects: IntCounter,
    /// 1 for the region that last welcomed the link, labelled by the region id from its
    /// `Welcome` (one series; kept while the link is down).
    pub region: IntGaugeVec,
}

impl RegionLinkMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> Self {
        let counter_vec = |name: &str, help: &str, label: &str| {
            let m = IntCounterVec::new(Opts::new(name, help), &[label])
                .expect("metric names and labels are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        let sessions_held = IntGauge::new(
            "starlane_edge_region_link_sessions_held",
            "Sessions held while the region link is down",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(sessions_held.clone()))
            .expect("each metric is registered once in a fresh registry");
        let reannounced = IntCounter::new(
            "starlane_edge_region_link_reannounced_total",
            "Sessions re-announced to the region on a new link",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(reannounced.clone()))
            .expect("each metric is registered once in a fresh registry");
        let sessions_shed = IntCounter::new(
            "starlane_edge_region_link_sessions_shed_total",
            "Sessions shed because they did not take their region events",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(sessions_shed.clone()))
            .expect("each metric is registered once in a fresh registry");
        let reconnects = IntCounter::new(
            "starlane_edge_region_link_reconnects_total",
            "Region link connections established after the first",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(reconnects.clone()))
            .expect("each metric is registered once in a fresh registry");
        let region = IntGaugeVec::new(
            Opts::new(
                "starlane_edge_region_info",
                "1 for the region that last welcomed the link, by its region id",
            ),
            &["region"],
        )
        .expect("metric names and labels are static and valid");
        registry
            .register(Box::new(region.clone()))
            .expect("each metric is registered once in a fresh registry");
        Self {
            reconnects,
            region,
            closes: counter_vec(
                "starlane_edge_region_link_closes_total",
                "Region links that went down, by close code (transport: lost without one)",
                "code",
            ),
            sessions_shed,
            dropped: counter_vec(
                "starlane_edge_region_link_dropped_total",
                "Region frames dropped, by reason",
                "reason",
            ),
            refusals: counter_vec(
                "starlane_edge_region_link_refusals_total",
                "Region certificates refused by the edge at the link's TLS handshake",
                "reason",
            ),
            queue_full: counter_vec(
                "starlane_edge_region_link_queue_full_total",
                "Frames refused because the edge->region queue was full",
                "frame",
            ),
            sessions_held,
            reannounced,
        }
    }

    /// Record that the region `region_id` welcomed the link (replacing the previous one).
    pub fn welcomed_by(&self, region_id: &str) {
        self.region.reset();
        self.region.with_label_values(&[region_id]).set(1);
    }

    /// Metrics registered in a private registry (for hubs built without an edge).
    pub fn unregistered() -> Self {
        Self::register(&Registry::new())
    }
}
