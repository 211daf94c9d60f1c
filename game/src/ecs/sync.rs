//! Sync stage: per session, the difference between what its empire sees now and what the
//! session was last sent. Nothing outside the empire's current vision is ever included.

use super::components::*;
use super::{RegionPlugin, RegionSet};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::{
    EntityChange, EntityState, ResourceKind, Update, Visibility, VisionChange,
};

/// Resources every empire starts with (sent once per session).
pub const STARTING_RESOURCES: [(ResourceKind, u32); 3] = [
    (ResourceKind::Credits, 1000),
    (ResourceKind::Metal, 500),
    (ResourceKind::Crystal, 100),
];

/// Installs the sync system.
#[derive(Debug, Clone, Copy)]
pub struct SyncPlugin;

impl RegionPlugin for SyncPlugin {
    fn build(&self, _world: &mut World, schedule: &mut Schedule) {
        schedule.add_systems(build_updates.in_set(RegionSet::Sync));
    }
}

type EntityQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static Kind,
        &'static Owner,
        &'static Position,
        &'static Health,
    ),
>;

/// Entities whose position or health changed since the sync system last ran.
type ChangedQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static StableId,
        Ref<'static, Position>,
        Ref<'static, Health>,
    ),
    Or<(Changed<Position>, Changed<Health>)>,
>;

/// Read-only inputs of the sync system.
#[derive(SystemParam)]
struct SyncInputs<'w, 's> {
    tick: Res<'w, TickCount>,
    map: Res<'w, WorldMap>,
    index: Res<'w, EntityIndex>,
    vision: Res<'w, Vision>,
    entities: EntityQuery<'w, 's>,
    changed: ChangedQuery<'w, 's>,
}

/// Ids below this are flagged in a dense table, others in a map.
const DENSE_IDS: usize = 1 << 24;
const POS_CHANGED: u8 = 1;
const HEALTH_CHANGED: u8 = 2;

/// What changed this tick, by entity id (computed once per tick for all sessions).
#[derive(Debug, Default)]
struct ChangeFlags {
    dense: Vec<u8>,
    sparse: std::collections::HashMap<starlane_protocol::EntityId, u8>,
}

impl ChangeFlags {
    fn rebuild(&mut self, changed: &ChangedQuery, next_id: u32) {
        self.dense.clear();
        self.dense.resize((next_id as usize).min(DENSE_IDS), 0);
        self.sparse.clear();
        for (id, pos, health) in changed {
            let flags = if pos.is_changed() { POS_CHANGED } else { 0 }
                | if health.is_changed() {
                    HEALTH_CHANGED
                } else {
                    0
                };
            match self.dense.get_mut(id.0 as usize) {
                Some(slot) => *slot = flags,
                None => {
                    self.sparse.insert(id.0, flags);
                }
            }
        }
    }

    fn get(&self, id: starlane_protocol::EntityId) -> u8 {
        match self.dense.get(id as usize) {
            Some(f) => *f,
            None => self.sparse.get(&id).copied().unwrap_or(0),
        }
    }
}

fn build_updates(
    inputs: SyncInputs,
    mut flags: Local<ChangeFlags>,
    mut sessions: ResMut<Sessions>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<Counters>,
) {
    if sessions.map.is_empty() {
        // Change detection is relative to this system's last run, which advances anyway.
        return;
    }
    flags.rebuild(&inputs.changed, inputs.index.next_id);
    let empty = EmpireVision::default();
    for (key, session) in sessions.map.iter_mut() {
        let seen = inputs.vision.0.get(&session.empire).unwrap_or(&empty);
        let mut update = Update {
            tick: inputs.tick.0,
            ..Default::default()
        };
        diff_entities(seen, &inputs, &flags, session, &mut update);
        diff_vision(seen, &inputs.map, session, &mut update);
        if !session.resources_sent {
            update.resources = STARTING_RESOURCES.to_vec();
            session.resources_sent = true;
        }
        let empty_update = update.appeared.is_empty()
            && update.changed.is_empty()
            && update.disappeared.is_empty()
            && update.vision.is_empty()
            && update.resources.is_empty();
        if !empty_update {
            counters.updates += 1;
            outbox
                .sessions
                .entry(*key)
                .or_default()
                .push(LinkServerMsg::Update(update));
        }
    }
}

/// Entity changes since the session's last update, by merging the empire's sorted visible
/// ids with the session's sorted sent ids: new ones appear with their full state, vanished
/// ones disappear, and kept ones are reported when this tick changed them (a session is
/// sent every change of what it holds, so "changed this tick" is "changed since sent").
fn diff_entities(
    seen: &EmpireVision,
    inputs: &SyncInputs,
    flags: &ChangeFlags,
    session: &mut SessionState,
    update: &mut Update,
) {
    let state = |id: starlane_protocol::EntityId| {
        let entity = inputs.index.by_id.get(&id)?;
        inputs.entities.get(*entity).ok()
    };
    let mut kept = Vec::with_capacity(seen.entities.len());
    let (mut sent, mut now) = (
        session.sent.iter().peekable(),
        seen.entities.iter().peekable(),
    );
    loop {
        let order = match (sent.peek(), now.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(b),
        };
        match order {
            std::cmp::Ordering::Less => update.disappeared.extend(sent.next().copied()),
            std::cmp::Ordering::Greater => {
                let Some(id) = now.next().copied() else { break };
                if let Some((kind, owner, pos, health)) = state(id) {
                    update.appeared.push(EntityState {
                        id,
                        kind: kind.0,
                        owner: owner.0,
                        pos: pos.0,
                        health: health.0,
                    });
                    kept.push(id);
                }
            }
            std::cmp::Ordering::Equal => {
                sent.next();
                let Some(id) = now.next().copied() else { break };
                kept.push(id);
                let f = flags.get(id);
                if f != 0
                    && let Some((_, _, pos, health)) = state(id)
                {
                    update.changed.push(EntityChange {
                        id,
                        pos: (f & POS_CHANGED != 0).then_some(pos.0),
                        health: (f & HEALTH_CHANGED != 0).then_some(health.0),
                    });
                }
            }
        }
    }
    session.sent = kept;
}

/// Vision changes since the session's last update: every cell the first time, then only the
/// cells the empire's vision changed this tick.
fn diff_vision(
    seen: &EmpireVision,
    map: &WorldMap,
    session: &mut SessionState,
    update: &mut Update,
) {
    let cells = map.map.cells();
    let mut check = |i: usize, sent: &mut Vec<Visibility>| {
        let now = seen.cells.get(i).copied().unwrap_or(Visibility::Shroud);
        if let (Some(last), Some(hex)) = (sent.get_mut(i), cells.get(i))
            && now != *last
        {
            update.vision.push(VisionChange {
                hex: *hex,
                state: now,
            });
            *last = now;
        }
    };
    if session.vision_synced {
        for i in &seen.changed {
            check(*i as usize, &mut session.sent_vision);
        }
    } else {
        for i in 0..session.sent_vision.len() {
            check(i, &mut session.sent_vision);
        }
        session.vision_synced = true;
    }
}
