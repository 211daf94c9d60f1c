//! What an empire's sessions hear of its economy: its stock when it changes, its jobs'
//! events as they happen, and on joining, the whole stock and one event per job of each of
//! its buildings. Nothing here is sent to any other empire.

use super::stock::Stockpiles;
use crate::world::components::{Owner, Production, StableId};
use crate::world::io::Outbox;
use crate::world::sessions::Sessions;
use bevy_ecs::prelude::*;
use starlane_protocol::EmpireId;
use starlane_protocol::economy::{JobEvent, JobState};
use starlane_protocol::link::LinkServerMsg;
use std::collections::HashMap;

/// The tick's job events, with the empire owning each building.
#[derive(Resource, Debug, Default)]
pub struct JobEvents(pub Vec<(EmpireId, JobEvent)>);

/// Send each session its empire's changed stock and job events; greet new sessions with the
/// whole stock and every job of the empire.
pub(super) fn notify_economy(
    mut sessions: ResMut<Sessions>,
    mut stock: ResMut<Stockpiles>,
    mut events: ResMut<JobEvents>,
    mut outbox: ResMut<Outbox>,
    buildings: Query<(&StableId, &Owner, &Production)>,
) {
    let mut by_empire: HashMap<EmpireId, Vec<JobEvent>> = HashMap::new();
    for (empire, e) in events.0.drain(..) {
        by_empire.entry(empire).or_default().push(e);
    }
    let changed = std::mem::take(&mut stock.changed);
    if by_empire.is_empty() && changed.is_empty() && sessions.map.values().all(|s| s.resources_sent)
    {
        return;
    }
    for (key, session) in sessions.map.iter_mut() {
        let mut msgs = Vec::new();
        if !session.resources_sent {
            session.resources_sent = true;
            msgs.push(LinkServerMsg::Resources(Stockpiles::entries(
                stock.get(session.empire),
            )));
            greet_jobs(session.empire, &buildings, &mut msgs);
        } else {
            if changed.contains(&session.empire) {
                msgs.push(LinkServerMsg::Resources(Stockpiles::entries(
                    stock.get(session.empire),
                )));
            }
            if let Some(events) = by_empire.get(&session.empire) {
                msgs.extend(events.iter().map(|e| LinkServerMsg::Job(*e)));
            }
        }
        if !msgs.is_empty() {
            outbox.sessions.entry(*key).or_default().extend(msgs);
        }
    }
}

/// One event per job of the empire's buildings, by building id: `Started` for the running
/// job, `Queued` for the rest.
fn greet_jobs(
    empire: EmpireId,
    buildings: &Query<(&StableId, &Owner, &Production)>,
    msgs: &mut Vec<LinkServerMsg>,
) {
    let mut own: Vec<_> = buildings
        .iter()
        .filter(|(_, owner, p)| owner.0 == empire && !p.queue.is_empty())
        .collect();
    own.sort_unstable_by_key(|(id, ..)| id.0);
    for (id, _, p) in own {
        for job in &p.queue {
            let state = if job.done_at.is_some() {
                JobState::Started
            } else {
                JobState::Queued
            };
            msgs.push(LinkServerMsg::Job(JobEvent {
                building: id.0,
                job: job.id,
                recipe: job.recipe,
                state,
            }));
        }
    }
}
