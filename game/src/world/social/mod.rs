//! The social layer (game/README.md, "Social layer"; SPEC.md §21, §22): alliances
//! ([`alliances::Alliances`]), chat ([`chat`]), and the players' friends, mail and presence
//! ([`players`]), fed by their commands ([`crate::world::commands::social_orders`]), told to
//! sessions in the sync stage, and allies' sight handed to the vision stage.

pub mod alliances;
pub mod chat;
mod notify;
pub mod players;
mod record;

pub use alliances::{Alliance, Alliances, Membership};
pub use chat::{ChatCounters, ChatInbox, ChatOutbox, ChatRelay};
pub use players::{
    OpAnswer, PlayerCounters, PlayerLimits, PlayerOp, PlayerOpDone, PlayerOpOutcome,
    PlayerOpRequest,
};

use super::schedule::{CommandStep, RegionPlugin, RegionSet};
use crate::config::RegionConfig;
use bevy_ecs::prelude::*;
use chat::deliver_chat;
use notify::notify_social;
use players::{answer_player_ops, deliver_notes, track_players};

/// The social layer's slice of the configuration.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct SocialSettings {
    /// The region's id in the cluster (chat posts name it).
    pub region: String,
    /// Longest chat text (`[social] chat_max_bytes`).
    pub chat_max_bytes: usize,
    /// Most members and invitations of an alliance (`[social] max_members`).
    pub max_members: usize,
    /// Whether allies see what each other's units see (`[social] alliance_vision`).
    pub alliance_vision: bool,
    /// Where accepted chat and player notes go: the cluster's bus when `[cluster]` is on,
    /// else this region.
    pub relay: ChatRelay,
    /// Longest mail text (`[social] mail_max_bytes`).
    pub mail_max_bytes: usize,
    /// Ticks without a command after which a player reads `Online` (`[social] idle_secs`).
    pub idle_ticks: u32,
    /// The database's limits on friends and mail.
    pub limits: PlayerLimits,
}

impl SocialSettings {
    /// The slice of `config` the social layer reads.
    pub fn from_config(config: &RegionConfig) -> Self {
        let social = &config.social;
        Self {
            region: config.cluster.region_or(&config.region_id).to_owned(),
            chat_max_bytes: social.chat_max_bytes as usize,
            max_members: social.max_members as usize,
            alliance_vision: social.alliance_vision,
            relay: if config.cluster.enabled() {
                ChatRelay::Cluster
            } else {
                ChatRelay::Local
            },
            mail_max_bytes: social.mail_max_bytes as usize,
            idle_ticks: social.idle_secs.saturating_mul(config.tick_hz),
            limits: PlayerLimits {
                max_friends: social.max_friends,
                mailbox_max: social.mailbox_max,
            },
        }
    }
}

/// Installs alliances and chat and the systems that tell sessions of them.
#[derive(Debug, Clone)]
pub struct SocialPlugin {
    /// Its slice of the configuration.
    pub settings: SocialSettings,
}

impl RegionPlugin for SocialPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings.clone());
        world.insert_resource(Alliances::default());
        world.insert_resource(ChatOutbox::default());
        world.insert_resource(ChatInbox::default());
        world.insert_resource(ChatCounters::default());
        world.insert_resource(players::PlayerOps::default());
        world.insert_resource(players::PlayerOpResults::default());
        world.insert_resource(players::NoteOutbox::default());
        world.insert_resource(players::NoteInbox::default());
        world.insert_resource(players::ActiveUsers::default());
        world.insert_resource(players::Presences::default());
        world.insert_resource(PlayerCounters::default());
        schedule.add_systems(answer_player_ops.in_set(CommandStep::Orders));
        schedule.add_systems(
            (notify_social, deliver_chat, track_players, deliver_notes)
                .chain()
                .in_set(RegionSet::Sync),
        );
    }
}
