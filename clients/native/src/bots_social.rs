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
