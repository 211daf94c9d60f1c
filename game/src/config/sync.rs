//! `[sync]`: how the region keeps each edge's entity mirror up to date.

use super::{ConfigError, check_range};
use serde::Deserialize;

/// Largest accepted `sync.delta_log_ticks`.
pub const MAX_DELTA_LOG_TICKS: u32 = 1024;

/// `[sync]`: the delta log edges catch up from after skipped (congested) ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// Ticks of per-entity component changes kept (1..=1024, default 64). An edge link
    /// skipped for congestion catches up with only the changed fields if it fell behind by
    /// fewer ticks than this, and gets a full resync otherwise.
    /// Env: `STARLANE_REGION_SYNC_DELTA_LOG_TICKS`.
    pub delta_log_ticks: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            delta_log_ticks: 64,
        }
    }
}

impl SyncConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "sync.delta_log_ticks",
            self.delta_log_ticks.into(),
            1,
            MAX_DELTA_LOG_TICKS.into(),
            "use e.g. 64 (about 3 s at 20 Hz)",
        )
    }
}
