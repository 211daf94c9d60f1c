//! The shared-vision and social orders of [`crate::bots::Behaviour::Mixed`] bots: share the
//! empire's vision with the owner of a foreign unit in sight, or revoke a grant it holds
//! (SPEC.md §20); alliances and chat (§21); friends and mail (§22).

use crate::client::Client;
use rand::{Rng, rngs::StdRng};
use starlane_protocol::{Command, EmpireId, NEUTRAL_EMPIRE};

/// Revoke one of the empire's grants (half the time when it has some), or share with a player
/// whose unit is in sight; `Some(true)` for a share, `Some(false)` for a revoke, `None` when
/// there was nothing to do.
pub fn share_or_revoke(client: &mut Client, rng: &mut StdRng) -> Option<bool> {
    let granted: Vec<EmpireId> = client.world.shares_to.iter().copied().collect();
    if !granted.is_empty() && rng.random_bool(0.5) {
        let to = granted[rng.random_range(0..granted.len())];
        client.send_command(Command::RevokeVision { to });
        return Some(false);
    }
    let empire = client.empire;
    let mut others: Vec<EmpireId> = client
        .world
        .entities
        .values()
        .map(|e| e.owner)
        .filter(|o| *o != empire && *o != NEUTRAL_EMPIRE && !granted.contains(o))
        .collect();
    others.sort_unstable();
    others.dedup();
    if others.is_empty() {
        return None;
    }
    let to = others[rng.random_range(0..others.len())];
    client.send_command(Command::ShareVision { to });
    Some(true)
}

/// A social order (SPEC.md §21) of a mixed bot: accept an invitation, found an alliance,
/// invite the owner of a foreign unit in sight, now and then leave, or say something on a
/// channel (replying privately to the last player who spoke). `Some(true)` for a chat,
/// `Some(false)` for an alliance command.
pub fn social_order(client: &mut Client, rng: &mut StdRng) -> Option<bool> {
    use starlane_protocol::social::{AllianceRole, ChatTo};
    let social = &client.world.social;
    if social.alliance.is_none()
        && let Some(alliance) = social.invites.keys().next().copied()
    {
        client.send_command(Command::JoinAlliance { alliance });
        return Some(false);
    }
    let roll = rng.random_range(0..100);
    let empire = client.empire;
    match &social.alliance {
        None if roll < 30 => {
            let name = format!("fleet {empire}");
            client.send_command(Command::CreateAlliance { name });
            return Some(false);
        }
        Some(own) if roll < 40 && own.role != AllianceRole::Member => {
            let mut others: Vec<EmpireId> = client
                .world
                .entities
                .values()
                .map(|e| e.owner)
                .filter(|o| *o != empire && *o != NEUTRAL_EMPIRE && !social.is_ally(*o))
                .collect();
            others.sort_unstable();
            others.dedup();
            if let Some(to) = others.get(rng.random_range(0..others.len().max(1))) {
                let empire = *to;
                client.send_command(Command::InviteToAlliance { empire });
                return Some(false);
            }
        }
        Some(_) if roll < 45 => {
            client.send_command(Command::LeaveAlliance);
            return Some(false);
        }
        _ => {}
    }
    let last = social.chat.back().map(|c| c.from);
    let to = match (rng.random_range(0..3), last, &social.alliance) {
        (0, Some(user), _) if user != client.user_id => ChatTo::Player(user),
        (1, _, Some(_)) => ChatTo::Alliance,
        _ => ChatTo::Region,
    };
    let text = format!(
        "bot {empire} says hi <b>&</b> 你好 #{}",
        rng.random_range(0..1000)
    );
    client.send_command(Command::Chat { to, text });
    Some(true)
}

/// A friend or mail order (SPEC.md §22) of a mixed bot: accept a friend request, delete the
/// oldest mail (half the time when there is some), mail a friend, or ask the last player who
/// chatted to be friends. `Some(true)` for a friend command, `Some(false)` for a mail
/// command, `None` when there was nothing to do.
pub fn friend_or_mail(client: &mut Client, rng: &mut StdRng) -> Option<bool> {
    use starlane_protocol::social::FriendState;
    let social = &client.world.social;
    let asked = social
        .friends
        .iter()
        .find(|(_, f)| f.1 == FriendState::Asked)
        .map(|(user, _)| *user);
    if let Some(user) = asked {
        client.send_command(Command::AddFriend { user });
        return Some(true);
    }
    if let Some(id) = social.mail.keys().next().copied()
        && rng.random_bool(0.5)
    {
        client.send_command(Command::DeleteMail { id });
        return Some(false);
    }
    let friends: Vec<u64> = social
        .friends
        .iter()
        .filter(|(_, f)| f.1 == FriendState::Friends)
        .map(|(user, _)| *user)
        .collect();
    if !friends.is_empty() && rng.random_bool(0.5) {
        let to = friends[rng.random_range(0..friends.len())];
        let text = format!(
            "from bot {}:\n<i>trade</i> & 你好 #{}",
            client.empire,
            rng.random_range(0..1000)
        );
        client.send_command(Command::SendMail { to, text });
        return Some(false);
    }
    let me = client.user_id;
    let user = social
        .chat
        .iter()
        .rev()
        .map(|c| c.from)
        .find(|u| *u != me && !social.friends.contains_key(u))?;
    client.send_command(Command::AddFriend { user });
    Some(true)
}
