//! What sessions hear of shared vision: a `Sharing` event to each session of both empires
//! when a grant begins or ends, and on joining, one per grant the empire gives or takes. An
//! empire hears only of grants it is a party to.

use super::{GrantChange, Grants};
use crate::world::io::Outbox;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_protocol::EmpireId;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::sharing::SharingEvent;

/// Tell each session the tick's grant changes its empire is a party to; greet new sessions
/// with every grant of their empire.
pub(super) fn notify_sharing(
    mut sessions: ResMut<Sessions>,
    mut grants: ResMut<Grants>,
    mut outbox: ResMut<Outbox>,
) {
    let changes = std::mem::take(&mut grants.for_sessions);
    if changes.is_empty() && sessions.map.values().all(|s| s.sharing_sent) {
        return;
    }
    for (key, session) in sessions.map.iter_mut() {
        let empire = session.empire;
        let msgs: Vec<LinkServerMsg> = if session.sharing_sent {
            changes
                .iter()
                .filter_map(|c| event_for(empire, c))
                .map(LinkServerMsg::Sharing)
                .collect()
        } else {
            session.sharing_sent = true;
            greeting(&grants, empire)
        };
        if !msgs.is_empty() {
            outbox.sessions.entry(*key).or_default().extend(msgs);
        }
    }
}

/// What `empire` hears of `change`: nothing unless it is one of its two empires.
fn event_for(empire: EmpireId, change: &GrantChange) -> Option<SharingEvent> {
    let (other, outgoing) = if change.from == empire {
        (change.to, true)
    } else if change.to == empire {
        (change.from, false)
    } else {
        return None;
    };
    Some(SharingEvent {
        empire: other,
        outgoing,
        active: change.on,
    })
}

/// One active `Sharing` per grant `empire` gives, then per grant it takes.
fn greeting(grants: &Grants, empire: EmpireId) -> Vec<LinkServerMsg> {
    let event = |other, outgoing| {
        LinkServerMsg::Sharing(SharingEvent {
            empire: other,
            outgoing,
            active: true,
        })
    };
    grants
        .given_by(empire)
        .map(|to| event(to, true))
        .chain(grants.taken_by(empire).map(|from| event(from, false)))
        .collect()
}
