//! Prometheus metrics of the edge, in a registry owned by the edge.

mod sync;

pub use sync::SyncMetrics;

// Client link stats (transport counters and RTT/loss histograms) and the open-session table.
mod link;
mod sessions;

pub use link::{LinkMeter, LinkMetrics};
pub use sessions::{SessionInfo, SessionRegistration, SessionTable};

// ---- Region link (edge-region QUIC link: refusals, queue, held sessions) ----
mod region_link;
pub use region_link::RegionLinkMetrics;
// ---- end region link ----

// Encrypted UDP driver: drops by reason, sources tracked, connections.
mod udp;
pub use udp::UdpMetrics;

// Session-opening phases: token verification and the region's join round trip.
mod phases;
pub use phases::PhaseMetrics;

use prometheus::{
    Encoder, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use starlane_protocol::RejectReason;

/// All edge metrics.
#[derive(Debug, Clone)]
pub struct EdgeMetrics {
    registry: Registry,
    /// Open sessions by transport.
    pub sessions_active: IntGaugeVec,
    /// Sessions accepted (welcomed) by transport.
    pub sessions_accepted: IntCounterVec,
    /// Sessions refused or closed by the edge, by reason.
    pub rejections: IntCounterVec,
    /// Client messages dropped, by reason.
    pub dropped_messages: IntCounterVec,
    /// Transport bytes received by transport (the same count as `link.bytes_in`).
    pub bytes_in: IntCounterVec,
    /// Transport bytes sent by transport (the same count as `link.bytes_out`).
    pub bytes_out: IntCounterVec,
    /// 1 while the region link is connected.
    pub region_link_up: IntGauge,
    /// Region link (re)connections.
    pub region_link_connects: IntCounter,
    /// 1 while the edge is draining (set with `EdgeHandle::set_draining`), else 0.
    pub draining: IntGauge,
    /// Clients told to move to another edge (`Move`), by reason (`drain`, `shutdown`).
    pub sessions_moved: IntCounterVec,
    /// Sessions opened with a resume ticket (`Resume`), by result (`ok`, or the reject
    /// reason's label).
    pub resumes: IntCounterVec,
    /// Accepted sessions using each bandwidth profile.
    pub profile_sessions: IntGaugeVec,
    /// Each bandwidth profile's configured `bytes_per_sec` (updated on reload).
    pub profile_bytes_per_sec: IntGaugeVec,
    /// Profile reloads by result (`ok`, `error`).
    pub profile_reloads: IntCounterVec,
    /// Delta-sync metrics per profile.
    pub sync: SyncMetrics,
    /// Client link stats by transport (`starlane_edge_link_*`).
    pub link: LinkMetrics,
    /// Open sessions with their live link stats (`GET /debug/sessions`); not exported.
    pub sessions: SessionTable,
    // ---- Region link ----
    /// Region-link refusals, queue-full frames, held and re-announced sessions.
    pub region_link: RegionLinkMetrics,
    // ---- end region link ----
    /// The encrypted UDP driver's drops by reason, sources tracked and connections
    /// (`starlane_edge_udp_*`), refreshed from the driver once a second.
    pub udp: UdpMetrics,
    /// Token verification and region join times (`starlane_edge_jwt_verify_seconds`,
    /// `starlane_edge_region_join_seconds`).
    pub phases: PhaseMetrics,
}

impl Default for EdgeMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl EdgeMetrics {
    /// Create and register every metric in a fresh registry.
    pub fn new() -> Self {
        let metrics = Self::registered();
        metrics.start_at_zero();
        metrics
    }

    /// Every label value a series can take, where the set is closed, starts at 0: the series
    /// exist from the start (dashboards and alerts see them, and `rate()` counts the first
    /// event).
    fn start_at_zero(&self) {
        for &reason in RejectReason::ALL {
            self.rejections.with_label_values(&[reason_label(reason)]);
        }
        for result in ["ok", "resume_expired", "resume_invalid"] {
            self.resumes.with_label_values(&[result]);
        }
        for result in ["ok", "error"] {
            self.profile_reloads.with_label_values(&[result]);
        }
    }

    fn registered() -> Self {
        let registry = Registry::new();
        let gauge_vec = |name: &str, help: &str, labels: &[&str]| {
            let m = IntGaugeVec::new(Opts::new(name, help), labels)
                .expect("metric names and labels are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let m = IntCounterVec::new(Opts::new(name, help), labels)
                .expect("metric names and labels are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        let region_link_up = IntGauge::new(
            "starlane_edge_region_link_up",
            "1 while the region link is connected",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(region_link_up.clone()))
            .expect("each metric is registered once in a fresh registry");
        let region_link_connects = IntCounter::new(
            "starlane_edge_region_link_connects_total",
            "Region link connections established",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(region_link_connects.clone()))
            .expect("each metric is registered once in a fresh registry");
        let draining = IntGauge::new(
            "starlane_edge_draining",
            "1 while the edge is draining (no new sessions), else 0",
        )
        .expect("metric name is static and valid");
        registry
            .register(Box::new(draining.clone()))
            .expect("each metric is registered once in a fresh registry");
        Self {
            draining,
            sessions_active: gauge_vec(
                "starlane_edge_sessions_active",
                "Open client sessions",
                &["transport"],
            ),
            sessions_accepted: counter_vec(
                "starlane_edge_sessions_accepted_total",
                "Client sessions accepted",
                &["transport"],
            ),
            rejections: counter_vec(
                "starlane_edge_rejections_total",
                "Sessions refused or closed by the edge",
                &["reason"],
            ),
            dropped_messages: counter_vec(
                "starlane_edge_client_messages_dropped_total",
                "Client messages dropped",
                &["reason"],
            ),
            bytes_in: counter_vec(
                "starlane_edge_bytes_in_total",
                "Bytes received from clients",
                &["transport"],
            ),
            bytes_out: counter_vec(
                "starlane_edge_bytes_out_total",
                "Bytes sent to clients",
                &["transport"],
            ),
            sessions_moved: counter_vec(
                "starlane_edge_sessions_moved_total",
                "Clients told to move to another edge, by reason",
                &["reason"],
            ),
            resumes: counter_vec(
                "starlane_edge_resumes_total",
                "Sessions opened with a resume ticket, by result",
                &["result"],
            ),
            profile_sessions: gauge_vec(
                "starlane_edge_profile_sessions",
                "Accepted sessions using each bandwidth profile",
                &["profile"],
            ),
            profile_bytes_per_sec: gauge_vec(
                "starlane_edge_profile_bytes_per_sec",
                "Configured bytes_per_sec of each bandwidth profile",
                &["profile"],
            ),
            profile_reloads: counter_vec(
                "starlane_edge_profile_reloads_total",
                "Bandwidth profile reloads by result",
                &["result"],
            ),
            region_link_up,
            region_link_connects,
            sync: SyncMetrics::register(&registry),
            link: LinkMetrics::register(&registry),
            sessions: SessionTable::default(),
            region_link: RegionLinkMetrics::register(&registry),
            udp: UdpMetrics::register(&registry),
            phases: PhaseMetrics::register(&registry),
            registry,
        }
    }

    /// Count a rejection.
    pub fn reject(&self, reason: RejectReason) {
        self.rejections
            .with_label_values(&[reason_label(reason)])
            .inc();
    }

    /// Count a dropped client message.
    pub fn drop_message(&self, reason: &str) {
        self.dropped_messages.with_label_values(&[reason]).inc();
    }

    /// The registry, for exporting or adding metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec only fails on invalid metric families, which registration prevents.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// Stable metric label of a reject reason.
pub fn reason_label(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::MalformedToken => "malformed_token",
        RejectReason::BadSignature => "bad_signature",
        RejectReason::WrongIssuer => "wrong_issuer",
        RejectReason::Expired => "expired",
        RejectReason::NotActivated => "not_activated",
        RejectReason::Banned => "banned",
        RejectReason::Blacklisted => "blacklisted",
        RejectReason::UnsupportedVersion => "unsupported_version",
        RejectReason::RegionUnavailable => "region_unavailable",
        RejectReason::ProtocolViolation => "protocol_violation",
        RejectReason::ShuttingDown => "shutting_down",
        RejectReason::NotYetValid => "not_yet_valid",
        RejectReason::TokenTooLarge => "token_too_large",
        RejectReason::Revoked => "revoked",
        RejectReason::Draining => "draining",
        RejectReason::ResumeInvalid => "resume_invalid",
        RejectReason::ResumeExpired => "resume_expired",
    }
}
