//! `[social]`: chat and alliances (SPEC.md §21).

use super::{ConfigError, check_range};
use serde::Deserialize;
use starlane_protocol::social::MAX_CHAT_BYTES;

/// `[social]` (game/README.md, "Social layer").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocialConfig {
    /// Longest chat text in bytes of UTF-8 (1..=512, default 280): longer is refused
    /// `TextTooLong`. The wire allows 512.
    pub chat_max_bytes: u32,
    /// Most members and pending invitations of one alliance together (2..=64, default 16):
    /// more is refused `AllianceFull`.
    pub max_members: u32,
    /// Whether the members of an alliance see what each other's units see (default true).
    pub alliance_vision: bool,
}

impl Default for SocialConfig {
    fn default() -> Self {
        Self {
            chat_max_bytes: 280,
            max_members: 16,
            alliance_vision: true,
        }
    }
}

impl SocialConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "social.chat_max_bytes",
            self.chat_max_bytes.into(),
            1,
            MAX_CHAT_BYTES as u64,
            "use 1 to 512, e.g. 280",
        )?;
        check_range(
            "social.max_members",
            self.max_members.into(),
            2,
            64,
            "use 2 to 64, e.g. 16",
        )
    }
}
