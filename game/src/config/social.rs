//! `[social]`: chat and alliances (SPEC.md §21), friends, mail and presence (§22).

use super::{ConfigError, check_range};
use serde::Deserialize;
use starlane_protocol::social::{MAX_CHAT_BYTES, MAX_MAIL_BYTES};

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
    /// Most friends and requests a player holds, and most requests waiting on one player
    /// (1..=1000, default 100): more is refused `FriendLimit`.
    pub max_friends: u32,
    /// Longest mail text in bytes of UTF-8 (1..=2000, default 1000): longer is refused
    /// `TextTooLong`. The wire allows 2000.
    pub mail_max_bytes: u32,
    /// Most mails in one player's mailbox (1..=1000, default 100): more is refused
    /// `MailboxFull`.
    pub mailbox_max: u32,
    /// Seconds without a command after which a player reads `Online` rather than `InGame`
    /// to its friends (10..=86400, default 300).
    pub idle_secs: u32,
}

impl Default for SocialConfig {
    fn default() -> Self {
        Self {
            chat_max_bytes: 280,
            max_members: 16,
            alliance_vision: true,
            max_friends: 100,
            mail_max_bytes: 1000,
            mailbox_max: 100,
            idle_secs: 300,
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
        )?;
        check_range(
            "social.max_friends",
            self.max_friends.into(),
            1,
            1000,
            "use 1 to 1000, e.g. 100",
        )?;
        check_range(
            "social.mail_max_bytes",
            self.mail_max_bytes.into(),
            1,
            MAX_MAIL_BYTES as u64,
            "use 1 to 2000, e.g. 1000",
        )?;
        check_range(
            "social.mailbox_max",
            self.mailbox_max.into(),
            1,
            1000,
            "use 1 to 1000, e.g. 100",
        )?;
        check_range(
            "social.idle_secs",
            self.idle_secs.into(),
            10,
            86_400,
            "use 10 to 86400, e.g. 300",
        )
    }
}
