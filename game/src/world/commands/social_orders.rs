//! The social commands (SPEC.md §21.1, §21.2), in one system so that they apply in arrival
//! order: chat becomes a post for the bus ([`crate::world::social::chat`]); each alliance
//! command is checked in the SPEC's order and applied to [`Alliances`], whose news the sync
//! stage sends and whose sight changes the vision stage of the same tick takes up.

use super::orders::{Replies, SocialOrders};
use crate::world::sessions::Sessions;
use crate::world::social::chat::chat_post;
use crate::world::social::{Alliances, ChatCounters, ChatOutbox, SocialSettings};
use bevy_ecs::prelude::*;
use starlane_protocol::Command;

/// Validate and apply each social command.
pub(super) fn apply_social(
    mut orders: ResMut<SocialOrders>,
    (mut alliances, settings): (ResMut<Alliances>, Res<SocialSettings>),
    sessions: Res<Sessions>,
    (mut posts, mut counters): (ResMut<ChatOutbox>, ResMut<ChatCounters>),
    mut replies: ResMut<Replies>,
) {
    let max = settings.max_members;
    for (order, command) in orders.0.drain(..) {
        let empire = order.empire;
        let result = match command {
            Command::Chat { to, text } => {
                let (user, _) = order.stream;
                let name = sessions
                    .map
                    .get(&order.key)
                    .map_or("", |s| s.username.as_str());
                let user = u64::try_from(user).unwrap_or_default();
                chat_post(&settings, &alliances, (empire, user, name), to, &text).map(|post| {
                    counters.sent += 1;
                    posts.0.push(post);
                })
            }
            Command::CreateAlliance { name } => alliances.create(empire, &name).map(|_| ()),
            Command::InviteToAlliance { empire: target } => alliances.invite(empire, target, max),
            Command::JoinAlliance { alliance } => alliances.join(empire, alliance, max),
            Command::LeaveAlliance => alliances.leave(empire),
            Command::KickFromAlliance { empire: target } => alliances.kick(empire, target),
            Command::SetAllianceRole {
                empire: target,
                role,
            } => alliances.set_role(empire, target, role),
            // The gate routes only the social commands here.
            _ => continue,
        };
        replies.0.push(order.reply(result));
    }
}
