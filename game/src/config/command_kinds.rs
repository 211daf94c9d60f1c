//! `[command_kinds]`: a rate limit per command kind and user, on top of the per-user
//! `command_rate` / `command_burst` (seed 000's per-command-type limits).

use super::{ConfigError, check_range};
use serde::Deserialize;
use starlane_protocol::Command;

/// One kind's limit: sustained commands per second and burst size per user; `rate = 0` means
/// no limit beyond the per-user one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindLimit {
    /// Sustained commands of this kind per second per user (0..=10000; 0: no kind limit).
    pub rate: u32,
    /// Commands of this kind a user may send in a burst (1..=100000).
    pub burst: u32,
}

/// `[command_kinds]`: the limit of each command kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommandKinds {
    /// `Move` (default: no kind limit).
    #[serde(rename = "move")]
    pub moves: KindLimit,
    /// `Stop` (default: no kind limit).
    pub stop: KindLimit,
    /// `Attack` (default 10 a second, bursts of 20).
    pub attack: KindLimit,
    /// `Build` (default 2 a second, bursts of 5).
    pub build: KindLimit,
    /// `Train` (default 5 a second, bursts of 10).
    pub train: KindLimit,
    /// `Cancel` (default 5 a second, bursts of 10).
    pub cancel: KindLimit,
    /// `ShareVision` (default 1 a second, bursts of 5).
    pub share: KindLimit,
    /// `RevokeVision` (default 1 a second, bursts of 5).
    pub revoke: KindLimit,
    /// `Chat` (default 1 a second, bursts of 5).
    pub chat: KindLimit,
    /// The alliance commands together (default 1 a second, bursts of 5).
    pub alliance: KindLimit,
    /// `AddFriend` and `RemoveFriend` together (default 1 a second, bursts of 5).
    pub friend: KindLimit,
    /// `SendMail` and `DeleteMail` together (default 1 a second, bursts of 5).
    pub mail: KindLimit,
}

impl Default for CommandKinds {
    fn default() -> Self {
        let unlimited = KindLimit { rate: 0, burst: 1 };
        Self {
            moves: unlimited,
            stop: unlimited,
            attack: KindLimit {
                rate: 10,
                burst: 20,
            },
            build: KindLimit { rate: 2, burst: 5 },
            train: KindLimit { rate: 5, burst: 10 },
            cancel: KindLimit { rate: 5, burst: 10 },
            share: KindLimit { rate: 1, burst: 5 },
            revoke: KindLimit { rate: 1, burst: 5 },
            chat: KindLimit { rate: 1, burst: 5 },
            alliance: KindLimit { rate: 1, burst: 5 },
            friend: KindLimit { rate: 1, burst: 5 },
            mail: KindLimit { rate: 1, burst: 5 },
        }
    }
}

impl CommandKinds {
    /// The limits in the order of `Command::KIND_NAMES` (indexed by `Command::kind_index`).
    pub fn all(&self) -> [KindLimit; Command::KINDS] {
        [
            self.moves,
            self.stop,
            self.attack,
            self.build,
            self.train,
            self.cancel,
            self.share,
            self.revoke,
            self.chat,
            self.alliance,
            self.friend,
            self.mail,
        ]
    }

    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const FIELDS: [(&str, &str); Command::KINDS] = [
            ("command_kinds.move.rate", "command_kinds.move.burst"),
            ("command_kinds.stop.rate", "command_kinds.stop.burst"),
            ("command_kinds.attack.rate", "command_kinds.attack.burst"),
            ("command_kinds.build.rate", "command_kinds.build.burst"),
            ("command_kinds.train.rate", "command_kinds.train.burst"),
            ("command_kinds.cancel.rate", "command_kinds.cancel.burst"),
            ("command_kinds.share.rate", "command_kinds.share.burst"),
            ("command_kinds.revoke.rate", "command_kinds.revoke.burst"),
            ("command_kinds.chat.rate", "command_kinds.chat.burst"),
            (
                "command_kinds.alliance.rate",
                "command_kinds.alliance.burst",
            ),
            ("command_kinds.friend.rate", "command_kinds.friend.burst"),
            ("command_kinds.mail.rate", "command_kinds.mail.burst"),
        ];
        for (limit, (rate, burst)) in self.all().into_iter().zip(FIELDS) {
            check_range(
                rate,
                limit.rate.into(),
                0,
                10_000,
                "use 0 (no kind limit) or e.g. 10",
            )?;
            check_range(burst, limit.burst.into(), 1, 100_000, "use e.g. 20")?;
        }
        Ok(())
    }
}
