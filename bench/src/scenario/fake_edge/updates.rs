//! The fake edge's per-session updates: a tick's entity changes, view changes and resources
//! turned into one client `Update` per session, handed out through the entity -> sessions
//! index (the views turned around), and counted in the client encoding.

use super::{Counts, TRAIN_SEQ};
use crate::scenario::clients::Live;
use rustc_hash::FxHashMap;
use starlane_protocol::client::ServerMsg;
use starlane_protocol::link::{EntityFrame, LinkServerMsg, ViewChange};
use starlane_protocol::{EmpireId, EntityChange, EntityId, EntityKind, Hex, Update};
use std::collections::hash_map::Entry;
use std::sync::atomic::Ordering;

/// One tick's entity changes and the sessions' view and resource messages, handed out as
/// one update per session when the next tick's messages begin.
#[derive(Debug, Default)]
pub(super) struct Pending {
    tick: u32,
    changes: FxHashMap<EntityId, EntityChange>,
    /// Per session: its update so far from its view change and resources.
    updates: FxHashMap<u64, Update>,
    /// Ids that entered a session's view this tick: added to the view (and the watchers)
    /// once the tick's changes are handed out, as they come with their full state.
    entered: Vec<(usize, Vec<EntityId>)>,
}

/// Apply an entity frame to the mirror and keep its changes for the sessions' updates.
pub(super) fn entities(c: &mut Counts, frame: EntityFrame, live: &Live) {
    start_tick(c, frame.tick, live);
    frame.apply(&mut c.mirror);
    for ch in frame.changed {
        c.pending.changes.insert(ch.id, ch);
    }
}

/// Messages of `tick` begin: hand the previous tick's out.
fn start_tick(c: &mut Counts, tick: u32, live: &Live) {
    if tick == c.pending.tick {
        return;
    }
    flush(c, live);
    c.pending.tick = tick;
}

/// Hand the pending tick out: each session gets one update with its view change and
/// resources, if any, and the tick's changes of the ids in its view (sorted by id), found
/// through the watchers, so the cost is what is sent, not sessions times views.
fn flush(c: &mut Counts, live: &Live) {
    let mut pending = std::mem::take(&mut c.pending);
    let mut per_session: Vec<Vec<EntityChange>> = vec![Vec::new(); c.views.len()];
    for (id, change) in &pending.changes {
        for s in c.watchers.get(id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(changed) = per_session.get_mut(*s as usize) {
                changed.push(change.clone());
            }
        }
    }
    for (idx, ids) in pending.entered.drain(..) {
        let (Some(view), Ok(s)) = (c.views.get_mut(idx), u32::try_from(idx)) else {
            continue;
        };
        for id in ids {
            if view.insert(id) {
                c.watchers.entry(id).or_default().push(s);
            }
        }
    }
    for (session, mut changed) in per_session.into_iter().enumerate() {
        let session = session as u64;
        let update = pending.updates.remove(&session);
        if changed.is_empty() && update.is_none() {
            continue;
        }
        changed.sort_unstable_by_key(|ch| ch.id);
        let mut u = update.unwrap_or_else(|| Update {
            tick: pending.tick,
            ..Update::default()
        });
        u.changed = changed;
        emit(c, session, ServerMsg::Update(u), live);
    }
}

/// A session's update from its view change: left ids (out of its view now), vision, and
/// entered ids with their mirrored state (into its view once the tick is handed out).
fn view_update(c: &mut Counts, session: u64, v: ViewChange) -> Update {
    let idx = usize::try_from(session).unwrap_or(usize::MAX);
    if let Some(view) = c.views.get_mut(idx) {
        for id in &v.left {
            if view.remove(id) {
                unwatch(&mut c.watchers, *id, idx);
            }
        }
    }
    let appeared = v
        .entered
        .iter()
        .filter_map(|id| c.mirror.get(id))
        .cloned()
        .collect();
    c.pending.entered.push((idx, v.entered));
    Update {
        tick: v.tick,
        disappeared: v.left,
        vision: v.vision,
        appeared,
        ..Update::default()
    }
}

/// Take session `idx` off the watchers of `id`.
fn unwatch(watchers: &mut FxHashMap<EntityId, Vec<u32>>, id: EntityId, idx: usize) {
    if let Some(list) = watchers.get_mut(&id) {
        if let Some(at) = list.iter().position(|s| *s as usize == idx) {
            list.swap_remove(at);
        }
        if list.is_empty() {
            watchers.remove(&id);
        }
    }
}

/// One session's messages: acks as they are; its view and resources into its update of the
/// tick, handed out with the tick's changes.
pub(super) fn to_client(c: &mut Counts, session: u64, msgs: Vec<LinkServerMsg>, live: &Live) {
    for m in msgs {
        match m {
            LinkServerMsg::View(v) => {
                start_tick(c, v.tick, live);
                let u = view_update(c, session, v);
                match c.pending.updates.entry(session) {
                    // A resources message of the same tick came first: keep its resources.
                    Entry::Occupied(mut slot) => {
                        let resources = std::mem::take(&mut slot.get_mut().resources);
                        *slot.get_mut() = Update { resources, ..u };
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(u);
                    }
                }
            }
            LinkServerMsg::Resources(r) => {
                let tick = c.pending.tick;
                c.pending
                    .updates
                    .entry(session)
                    .or_insert_with(|| Update {
                        tick,
                        ..Update::default()
                    })
                    .resources = r;
            }
            LinkServerMsg::CommandAck { seq } => {
                c.trains[0] += u64::from(seq == TRAIN_SEQ);
                emit(c, session, ServerMsg::CommandAck { seq }, live)
            }
            LinkServerMsg::CommandRejected { seq, error } => {
                c.trains[1] += u64::from(seq == TRAIN_SEQ);
                emit(c, session, ServerMsg::CommandRejected { seq, error }, live)
            }
            LinkServerMsg::Social(m) => emit(c, session, ServerMsg::Social(m), live),
            // Combat reports, job, sharing and memory events have no version-1 message of their own
            // (the real edge sends them as `EntityPacket` events); the stand-in measures the
            // region.
            LinkServerMsg::Combat(_)
            | LinkServerMsg::Job(_)
            | LinkServerMsg::Sharing(_)
            | LinkServerMsg::LastSeen(_)
            | LinkServerMsg::Forget { .. } => {}
        }
    }
}

/// Count what the edge would send the client, in the client encoding.
fn emit(c: &mut Counts, session: u64, msg: ServerMsg, live: &Live) {
    let idx = usize::try_from(session).unwrap_or(usize::MAX);
    if let ServerMsg::Update(u) = &msg {
        if let Some(Some(empire)) = c.empires.get(idx).copied()
            && let Some(units) = c.units.get_mut(idx)
        {
            track_units(units, empire, u);
            let station = u
                .appeared
                .iter()
                .find(|e| e.owner == empire && e.kind == EntityKind::Station);
            if let (Some(e), Some(slot)) = (station, c.stations.get_mut(idx))
                && slot.0.is_none()
            {
                slot.0 = Some(e.id);
            }
        }
        if session == 0 {
            c.recorded.push(u.clone());
        }
    }
    let bytes = msg.encode().len() as u64;
    live.bytes_down.fetch_add(bytes, Ordering::Relaxed);
    if let Some(slot) = c.per_session.get_mut(idx) {
        slot[0] += bytes;
        slot[1] += 1;
    }
}

/// Keep a session's own units and their positions up to date.
fn track_units(units: &mut Vec<(EntityId, Hex)>, empire: EmpireId, u: &Update) {
    for e in &u.appeared {
        if e.owner == empire && !units.iter().any(|(id, _)| *id == e.id) {
            units.push((e.id, e.pos));
        }
    }
    for ch in &u.changed {
        if let (Some(pos), Some(slot)) = (ch.pos, units.iter_mut().find(|(id, _)| *id == ch.id)) {
            slot.1 = pos;
        }
    }
    units.retain(|(id, _)| !u.disappeared.contains(id));
}
