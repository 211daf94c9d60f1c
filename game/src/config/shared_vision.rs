//! `[shared_vision]`: vision grants between empires (SPEC.md §20).

use super::{ConfigError, check_range};
use serde::Deserialize;

/// `[shared_vision]` (game/README.md, "Shared vision").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SharedVisionConfig {
    /// Most empires one empire may share its vision with at once (1..=256, default 16):
    /// a `ShareVision` beyond it is refused `TooManyGrants`. Each grant costs the region a
    /// pass over the granter's observers when it begins and ends, and the grantee's view
    /// grows by what the granter sees.
    pub max_grants: u32,
}

impl Default for SharedVisionConfig {
    fn default() -> Self {
        Self { max_grants: 16 }
    }
}

impl SharedVisionConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "shared_vision.max_grants",
            self.max_grants.into(),
            1,
            256,
            "use 1 to 256, e.g. 16",
        )
    }
}
