//! The social commands (SPEC.md §21.1, §21.2), in one system so that they apply in arrival
//! order: chat becomes a post for the bus ([`crate::world::social::chat`]); each alliance
//! command is checked in the SPEC's order and applied to [`Alliances`], whose news the sync
//! stage sends and whose sight changes the vision stage of the same tick takes up. The friend
//! and mail commands (§22) are checked as far as the region can alone, then handed to the
//! runtime's database as [`PlayerOp`]s and answered when their outcome comes back.

use super::orders::{Replies, SocialOrders};
use crate::world::sessions::Sessions;
use crate::world::social::alliances::text_error;
use crate::world::social::chat::chat_post;
use crate::world::social::players::{OpAnswer, PlayerOp, PlayerOpRequest, PlayerOps};
use crate::world::social::{Alliances, ChatCounters, ChatOutbox, SocialSettings};
use bevy_ecs::prelude::*;
use starlane_protocol::social::check_text;
use starlane_protocol::{Command, CommandError};

/// Validate and apply each social command.
pub(super) fn apply_social(
    mut orders: ResMut<SocialOrders>,
    (mut alliances, settings): (ResMut<Alliances>, Res<SocialSettings>),
    sessions: Res<Sessions>,
    (mut posts, mut counters): (ResMut<ChatOutbox>, ResMut<ChatCounters>),
    mut replies: ResMut<Replies>,
    mut ops: ResMut<PlayerOps>,
) {
    let max = settings.max_members;
    for (order, command) in orders.0.drain(..) {
        let empire = order.empire;
        let sender = u64::try_from(order.stream.0).unwrap_or_default();
        match player_op(&settings, sender, &command) {
            Some(Ok(op)) => {
                let answer = OpAnswer::Command(order);
                ops.0.push(PlayerOpRequest { answer, op });
                continue;
            }
            Some(Err(error)) => {
                replies.0.push(order.reply(Err(error)));
                continue;
            }
            None => {}
        }
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

/// The database operation of a friend or mail command (`None` for the others), or the error
/// the region finds alone, in the order of SPEC.md §22.1 and §22.2.
fn player_op(
    settings: &SocialSettings,
    sender: u64,
    command: &Command,
) -> Option<Result<PlayerOp, CommandError>> {
    let myself = |user: u64| {
        if user == sender {
            Err(CommandError::UnknownPlayer)
        } else {
            Ok(())
        }
    };
    Some(match command {
        Command::AddFriend { user } => myself(*user).map(|()| PlayerOp::AddFriend {
            user: sender,
            friend: *user,
        }),
        Command::RemoveFriend { user } => myself(*user).map(|()| PlayerOp::RemoveFriend {
            user: sender,
            friend: *user,
        }),
        Command::SendMail { to, text } => check_text(text, settings.mail_max_bytes, true)
            .map_err(text_error)
            .and_then(|()| myself(*to))
            .map(|()| PlayerOp::SendMail {
                from: sender,
                to: *to,
                text: text.clone(),
            }),
        Command::DeleteMail { id } => Ok(PlayerOp::DeleteMail {
            user: sender,
            id: *id,
        }),
        _ => return None,
    })
}
