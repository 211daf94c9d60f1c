//! `[ai]`: computer-run empires that play the region through the players' command path.

use super::{ConfigError, check_range};
use serde::Deserialize;

/// `[ai]` (game/README.md, "AI empires").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiConfig {
    /// Computer-run empires in the region (0..=16; default 0, the all-in-one server runs 2).
    /// Env: `STARLANE_REGION_AI_EMPIRES`.
    pub empires: u32,
    /// Seconds between two decisions of one AI empire (1..=60, default 2).
    pub think_secs: u32,
}

impl Default for AiConfig {
    fn default() -> Self {
        Self {
            empires: 0,
            think_secs: 2,
        }
    }
}

impl AiConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("ai.empires", self.empires.into(), 0, 16, "use 0 to 16")?;
        check_range("ai.think_secs", self.think_secs.into(), 1, 60, "use e.g. 2")
    }
}
