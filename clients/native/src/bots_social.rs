//! The shared-vision orders of [`crate::bots::Behaviour::Mixed`] bots (SPEC.md §20): share
//! the empire's vision with the owner of a foreign unit in sight, or revoke a grant it holds.

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
