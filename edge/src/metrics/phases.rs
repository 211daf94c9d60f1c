//! How long a session takes to open, phase by phase: the token's verification
//! (`starlane_edge_jwt_verify_seconds`) and the region's join round trip, from the join sent
//! to the region's welcome (`starlane_edge_region_join_seconds`). The encrypted UDP
//! handshake's cost is the driver's (`starlane_edge_udp_handshake_seconds_total`, `udp.rs`).
//! A reconnect storm's time goes to these three.

use prometheus::{Histogram, HistogramOpts, Registry};

/// Buckets of `starlane_edge_jwt_verify_seconds`: an ES256 check takes tens of microseconds;
/// the top buckets catch a key refresh.
const VERIFY_BUCKETS: &[f64] = &[
    0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.01, 0.1, 1.0,
];

/// Buckets of `starlane_edge_region_join_seconds`: a tick (50 ms at 20 Hz) plus a database
/// lookup when idle, seconds when thousands of sessions join at once.
const JOIN_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Session-opening phases.
#[derive(Debug, Clone)]
pub struct PhaseMetrics {
    /// Time to verify a hello's (or resume's) token.
    pub jwt_verify: Histogram,
    /// Time from the join sent to the region to its welcome of the session (refusals are
    /// not timed).
    pub region_join: Histogram,
}

impl PhaseMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> Self {
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let m =
                Histogram::with_opts(opts).expect("metric names and buckets are static and valid");
            registry
                .register(Box::new(m.clone()))
                .expect("each metric is registered once in a fresh registry");
            m
        };
        Self {
            jwt_verify: histogram(
                "starlane_edge_jwt_verify_seconds",
                "Time to verify a session's token (hello or resume)",
                VERIFY_BUCKETS,
            ),
            region_join: histogram(
                "starlane_edge_region_join_seconds",
                "Time from a join sent to the region to its welcome of the session",
                JOIN_BUCKETS,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_exported_under_their_names() {
        let registry = Registry::new();
        let m = PhaseMetrics::register(&registry);
        m.jwt_verify.observe(0.000_08);
        m.region_join.observe(0.06);
        m.region_join.observe(1.5);
        let families = registry.gather();
        let count = |name: &str| {
            families
                .iter()
                .find(|f| f.name() == name)
                .map(|f| f.get_metric()[0].get_histogram().get_sample_count())
        };
        assert_eq!(count("starlane_edge_jwt_verify_seconds"), Some(1));
        assert_eq!(count("starlane_edge_region_join_seconds"), Some(2));
        assert!((m.region_join.get_sample_sum() - 1.56).abs() < 1e-9);
    }
}
