//! Commands stage: link and session changes in arrival order ([`lifecycle`]), then player
//! commands ([`orders`]): a per-user rate limit, one system per command kind
//! ([`unit_orders`]), and the acks and rejections sent back in arrival order.

mod dedup;
pub mod economy_orders;
pub mod lifecycle;
pub mod notice;
pub mod orders;
mod rate;
pub mod social_orders;
pub mod unit_orders;
pub mod vision_orders;

pub use dedup::{CommandDedup, DEDUP_IDLE_TICKS, DEDUP_WINDOW};
pub use notice::{RestoreNotice, restored_text};
pub use rate::{KindLimits, RateLimits};
pub use unit_orders::{own_unit, validate_attack, validate_move};

use super::schedule::{CommandStep, RegionPlugin};
use crate::config::RegionConfig;
use bevy_ecs::prelude::*;
use economy_orders::{apply_builds, apply_cancels, apply_trains};
use lifecycle::{SpawnRounds, apply_lifecycle};
use orders::{
    AttackOrders, BuildOrders, CancelOrders, Duplicates, GrantOrders, MoveOrders, PendingCommands,
    Replies, SocialOrders, StopOrders, TrainOrders, gate_commands, send_replies,
};
use social_orders::apply_social;
use starlane_protocol::Command;
use unit_orders::{apply_attacks, apply_moves, apply_stops};
use vision_orders::apply_grants;

/// The commands stage's slice of the configuration.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSettings {
    /// Ticks per second (rate limits refill per tick).
    pub tick_hz: u32,
    /// Sustained commands per second per user (`command_rate`).
    pub command_rate: u32,
    /// Commands a user may send in a burst (`command_burst`).
    pub command_burst: u32,
    /// Units a new empire starts with (`units_per_empire`).
    pub units_per_empire: u32,
    /// Per-kind limits (`[command_kinds]`), in the order of `Command::KIND_NAMES`: commands
    /// per second and burst, `None` for no kind limit.
    pub kinds: [Option<(u32, u32)>; Command::KINDS],
}

impl CommandSettings {
    /// The slice of `config` the commands stage reads.
    pub fn from_config(config: &RegionConfig) -> Self {
        Self {
            tick_hz: config.tick_hz,
            command_rate: config.command_rate,
            command_burst: config.command_burst,
            units_per_empire: config.units_per_empire,
            kinds: config
                .command_kinds
                .all()
                .map(|k| (k.rate > 0).then_some((k.rate, k.burst))),
        }
    }

    /// Tokens per tick and bucket size of the per-user rate limit.
    pub(crate) fn rate(&self) -> (f64, f64) {
        (
            f64::from(self.command_rate) / f64::from(self.tick_hz.max(1)),
            f64::from(self.command_burst),
        )
    }

    /// Tokens per tick and bucket size of kind `kind`'s limit, `None` without one.
    pub(crate) fn kind_rate(&self, kind: u8) -> Option<(f64, f64)> {
        let (rate, burst) = (*self.kinds.get(usize::from(kind))?)?;
        Some((
            f64::from(rate) / f64::from(self.tick_hz.max(1)),
            f64::from(burst),
        ))
    }
}

/// Installs the sessions, rate limits, spawn rounds and the command systems.
#[derive(Debug, Clone, Copy)]
pub struct CommandPlugin {
    /// Its slice of the configuration.
    pub settings: CommandSettings,
}

impl RegionPlugin for CommandPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings);
        world.insert_resource(super::sessions::Sessions::default());
        world.insert_resource(RateLimits::default());
        world.insert_resource(KindLimits::default());
        world.insert_resource(SpawnRounds::default());
        world.insert_resource(PendingCommands::default());
        world.insert_resource(MoveOrders::default());
        world.insert_resource(StopOrders::default());
        world.insert_resource(AttackOrders::default());
        world.insert_resource(BuildOrders::default());
        world.insert_resource(TrainOrders::default());
        world.insert_resource(CancelOrders::default());
        world.insert_resource(GrantOrders::default());
        world.insert_resource(SocialOrders::default());
        world.insert_resource(Replies::default());
        world.insert_resource(CommandDedup::default());
        world.insert_resource(Duplicates::default());
        world.insert_resource(RestoreNotice::default());
        schedule.add_systems((
            apply_lifecycle.in_set(CommandStep::Sessions),
            (
                gate_commands,
                apply_moves,
                apply_stops,
                apply_attacks,
                apply_builds,
                apply_trains,
                apply_cancels,
                apply_grants,
                apply_social,
            )
                .chain()
                .in_set(CommandStep::Orders),
            send_replies.in_set(CommandStep::Replies),
        ));
    }
}
