//! Database series: the duration of every store call and its errors, by operation
//! (`starlane_region_db_seconds{op}`, `starlane_region_db_errors_total{op}`), and the
//! periodic saves by result (`starlane_region_saves_total{result}`).

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
    /// Opening the database and creating its tables.
    Open,
    /// Reading every stored unit (at start).
    LoadUnits,
    /// Finding or creating a player's empire (every join).
    EmpireFor,
    /// Writing changed units in one transaction (periodic saves, shutdown).
    SaveUnits,
}

impl DbOp {
    /// Every operation.
    pub const ALL: [DbOp; 4] = [
        Self::Open,
        Self::LoadUnits,
        Self::EmpireFor,
        Self::SaveUnits,
    ];

    /// Stable metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::LoadUnits => "load_units",
            Self::EmpireFor => "empire_for",
            Self::SaveUnits => "save_units",
        }
    }
}

/// The database series of a region.
#[derive(Debug, Clone)]
pub struct DbMetrics {
    calls: HistogramVec,
    errors: IntCounterVec,
    saves: IntCounterVec,
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
                "starlane_region_saves_total",
                "Periodic and final saves of changed units, by result",
                &["result"],
            ),
        };
        for op in DbOp::ALL {
            m.calls.with_label_values(&[op.label()]);
            m.errors.with_label_values(&[op.label()]);
        }
        for result in ["ok", "error"] {
            m.saves.with_label_values(&[result]);
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

    /// Count one save by its result.
    pub fn save_done(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.saves.with_label_values(&[result]).inc();
    }
}
