//! What sessions hear of alliances (SPEC.md §21.3): the tick's news for their empire, and on
//! opening, their empire's alliance, members and invitations.

use super::alliances::Alliances;
use crate::world::io::Outbox;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_protocol::EmpireId;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::social::SocialMsg;
use std::collections::HashMap;

/// Hand each session its empire's news; greet new sessions (recording their player names
/// first, so that a member who just joined is named).
pub(super) fn notify_social(
    mut sessions: ResMut<Sessions>,
    mut alliances: ResMut<Alliances>,
    mut outbox: ResMut<Outbox>,
) {
    for s in sessions.map.values().filter(|s| !s.social_sent) {
        alliances.set_name(s.empire, &s.username);
    }
    let news = std::mem::take(&mut alliances.news);
    if news.is_empty() && sessions.map.values().all(|s| s.social_sent) {
        return;
    }
    let mut by_empire: HashMap<EmpireId, Vec<SocialMsg>> = HashMap::new();
    for (empire, msg) in news {
        by_empire.entry(empire).or_default().push(msg);
    }
    for (key, session) in sessions.map.iter_mut() {
        let msgs = if session.social_sent {
            by_empire.get(&session.empire).cloned().unwrap_or_default()
        } else {
            session.social_sent = true;
            alliances.greeting(session.empire)
        };
        if !msgs.is_empty() {
            outbox
                .sessions
                .entry(*key)
                .or_default()
                .extend(msgs.into_iter().map(LinkServerMsg::Social));
        }
    }
}
