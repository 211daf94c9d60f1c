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

/// Read-only inputs of the sync system.
#[derive(SystemParam)]
struct SyncInputs<'w> {
    tick: Res<'w, TickCount>,
    map: Res<'w, WorldMap>,
    index: Res<'w, EntityIndex>,
    vision: Res<'w, Vision>,
}

fn build_updates(
    inputs: SyncInputs,
    entities: EntityQuery,
    mut sessions: ResMut<Sessions>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<Counters>,
) {
    let SyncInputs {
        tick,
        map,
        index,
        vision,
    } = inputs;
    let empty = EmpireVision::default();
    for (key, session) in sessions.map.iter_mut() {
        let seen = vision.0.get(&session.empire).unwrap_or(&empty);
        let mut update = Update {
            tick: tick.0,
            ..Default::default()
        };
        diff_entities(seen, &index, &entities, session, &mut update);
        diff_vision(seen, &map, session, &mut update);
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

fn diff_entities(
    seen: &EmpireVision,
    index: &EntityIndex,
    entities: &EntityQuery,
    session: &mut SessionState,
    update: &mut Update,
) {
    for id in &seen.entities {
        let Some((kind, owner, pos, health)) =
            index.by_id.get(id).and_then(|e| entities.get(*e).ok())
        else {
            continue;
        };
        match session.sent.get_mut(id) {
            None => {
                update.appeared.push(EntityState {
                    id: *id,
                    kind: kind.0,
                    owner: owner.0,
                    pos: pos.0,
                    health: health.0,
                });
                session.sent.insert(*id, (pos.0, health.0));
            }
            Some(last) => {
                let change = EntityChange {
                    id: *id,
                    pos: (last.0 != pos.0).then_some(pos.0),
                    health: (last.1 != health.0).then_some(health.0),
                };
                if change.pos.is_some() || change.health.is_some() {
                    update.changed.push(change);
                    *last = (pos.0, health.0);
                }
            }
        }
    }
    let mut gone: Vec<_> = session
        .sent
        .keys()
        .filter(|id| !seen.entities.contains(id))
        .copied()
        .collect();
    gone.sort_unstable();
    for id in &gone {
        session.sent.remove(id);
    }
    update.disappeared = gone;
}

fn diff_vision(
    seen: &EmpireVision,
    map: &WorldMap,
    session: &mut SessionState,
    update: &mut Update,
) {
    let cells = map.map.cells();
    for (i, last) in session.sent_vision.iter_mut().enumerate() {
        let now = seen.cells.get(i).copied().unwrap_or(Visibility::Shroud);
        if now != *last {
            if let Some(hex) = cells.get(i) {
                update.vision.push(VisionChange {
                    hex: *hex,
                    state: now,
                });
            }
            *last = now;
        }
    }
}
