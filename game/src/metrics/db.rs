//! Database series: the duration of every store call and its errors, by operation
//! (`starlane_region_db_seconds{op}`, `starlane_region_db_errors_total{op}`), and the
//! world snapshots by result (`starlane_region_snapshots_total{result}`), and joins by where
//! their answer came from (`starlane_region_joins_total{source}`: `cache`, `database`).

use super::prom::{counter_vec, histogram_vec};
use prometheus::{HistogramVec, IntCounterVec, Registry};
use std::future::Future;
use std::time::Instant;

/// Buckets of `starlane_region_db_seconds`: 100 µs (a cached SQLite read) to 10 s (a stalled
/// server).
const DB_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// A store operation, as labelled in the database series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbOp {
    /// Opening the database and migrating its schema.
    Open,
    /// The readiness probe's `SELECT 1`.
    Ping,
    /// Finding or creating a player and its empire in the region (every join).
    Join,
    /// Reading a stored player.
    PlayerLookup,
    /// Reading the region's last world snapshot (at start).
    LoadSnapshot,
    /// Writing the region's world in one transaction (periodic snapshots, shutdown).
    WriteSnapshot,
    /// A friend, mail or presence change, or a session's friends and mailbox (SPEC.md §22).
    Social,
}

impl DbOp {
    /// Every operation.
    pub const ALL: [DbOp; 7] = [
        Self::Open,
        Self::Ping,
        Self::Join,
        Self::PlayerLookup,
        Self::LoadSnapshot,
        Self::WriteSnapshot,
        Self::Social,
    ];

    /// Stable metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Ping => "ping",
            Self::Join => "join",
            Self::PlayerLookup => "player_lookup",
            Self::LoadSnapshot => "load_snapshot",
            Self::WriteSnapshot => "write_snapshot",
            Self::Social => "social",
        }
    }
}

/// The database series of a region.
#[derive(Debug, Clone)]
pub struct DbMetrics {
    calls: HistogramVec,
    errors: IntCounterVec,
    saves: IntCounterVec,
    joins: IntCounterVec,
}

impl DbMetrics {
    /// Create the series in `registry`, every operation's at zero.
    pub fn register(registry: &Registry) -> Self {
        let m = Self {
            calls: histogram_vec(
                registry,
                "starlane_region_db_seconds",
                "Duration of store calls, by operation",
                DB_BUCKETS,
                &["op"],
            ),
            errors: counter_vec(
                registry,
                "starlane_region_db_errors_total",
                "Store calls that failed, by operation",
                &["op"],
            ),
            saves: counter_vec(
                registry,
                "starlane_region_snapshots_total",
                "Periodic and final world snapshots written, by result",
                &["result"],
            ),
            joins: counter_vec(
                registry,
                "starlane_region_joins_total",
                "Joins answered, by source (cache: a join answered before; database)",
                &["source"],
            ),
        };
        for op in DbOp::ALL {
            m.calls.with_label_values(&[op.label()]);
            m.errors.with_label_values(&[op.label()]);
        }
        for result in ["ok", "error"] {
            m.saves.with_label_values(&[result]);
        }
        for source in ["cache", "database"] {
            m.joins.with_label_values(&[source]);
        }
        m
    }

    /// Series in a private registry (a store opened outside a region).
    pub fn unregistered() -> Self {
        Self::register(&Registry::new())
    }

    /// Run `call`, observing its duration and counting its error under `op`.
    pub async fn time<T, E>(
        &self,
        op: DbOp,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let start = Instant::now();
        let out = call.await;
        self.calls
            .with_label_values(&[op.label()])
            .observe(start.elapsed().as_secs_f64());
        if out.is_err() {
            self.errors.with_label_values(&[op.label()]).inc();
        }
        out
    }

    /// Count one join answered, from memory (`cached`) or the database.
    pub fn join_answered(&self, cached: bool) {
        let source = if cached { "cache" } else { "database" };
        self.joins.with_label_values(&[source]).inc();
    }

    /// Count one snapshot write by its result.
    pub fn snapshot_done(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.saves.with_label_values(&[result]).inc();
    }
}
