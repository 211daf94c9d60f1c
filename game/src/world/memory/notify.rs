//! What sessions hear of their empire's memory: a `LastSeen` when an entity is remembered, a
//! `Forget` when it is forgotten, and on joining, one `LastSeen` per remembered entity with
//! its age then. Nothing here goes to another empire.

use super::{Memory, MemoryEvent, MemorySettings, Remembered};
use crate::world::io::Outbox;
use crate::world::resources::TickCount;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::{EmpireId, EntityId};
use std::collections::HashMap;

/// Send each session its empire's memory changes of the tick; greet new sessions with all it
/// remembers.
pub(super) fn notify_memory(
    mut sessions: ResMut<Sessions>,
    mut memory: ResMut<Memory>,
    settings: Res<MemorySettings>,
    tick: Res<TickCount>,
    mut outbox: ResMut<Outbox>,
) {
    let events = std::mem::take(&mut memory.events);
    if events.is_empty() && sessions.map.values().all(|s| s.memory_sent) {
        return;
    }
    let now = i64::from(tick.0);
    let hz = i64::from(settings.tick_hz.max(1));
    let last_seen = |id: EntityId, r: &Remembered| {
        LinkServerMsg::LastSeen(LastSeenEvent {
            id,
            kind: r.kind,
            owner: r.owner,
            pos: r.pos,
            age_secs: u32::try_from((now - r.seen_tick).max(0) / hz).unwrap_or(u32::MAX),
        })
    };
    let mut by_empire: HashMap<EmpireId, Vec<LinkServerMsg>> = HashMap::new();
    for (empire, e) in events {
        let msg = match e {
            MemoryEvent::Remembered(id) => {
                let Some(r) = memory.of(empire).and_then(|m| m.get(&id)) else {
                    continue;
                };
                last_seen(id, r)
            }
            MemoryEvent::Forgot(id) => LinkServerMsg::Forget { id },
        };
        by_empire.entry(empire).or_default().push(msg);
    }
    for (key, session) in sessions.map.iter_mut() {
        let msgs: Vec<LinkServerMsg> = if session.memory_sent {
            by_empire.get(&session.empire).cloned().unwrap_or_default()
        } else {
            session.memory_sent = true;
            memory
                .of(session.empire)
                .into_iter()
                .flatten()
                .map(|(id, r)| last_seen(*id, r))
                .collect()
        };
        if !msgs.is_empty() {
            outbox.sessions.entry(*key).or_default().extend(msgs);
        }
    }
}
