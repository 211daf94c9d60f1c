//! Sync stage. Once per tick:
//!
//! 1. the tick's position and health changes go into the [`DeltaLog`];
//! 2. per edge link, the union of what its sessions' empires see ([`interest::LinkInterest`],
//!    counts kept from the vision's entered and left) becomes one `EntityFrame` against what
//!    the edge's mirror holds ([`EdgeMirrors`]): new ids in full, held ids with only the
//!    fields changed since the link's last frame, ids that left. A link synced at the previous
//!    tick gets the union's flips and the tick's changes; one that skipped ticks, or is new,
//!    is diffed against the whole union (changes from the log); a link too far behind for the
//!    log gets a full resync (`reset`);
//! 3. per session, a [`ViewChange`] (ids that entered and left its empire's view, hex
//!    visibility changes: the empire's changes of the tick, or the whole difference for a new
//!    or skipped session), diffed side by side over the tick's threads.
//!
//! Anti-ESP: nothing about an entity goes to an edge unless one of its sessions' empires sees
//! it now, and each session's view names only what its own empire sees. Links marked
//! congested in [`LinkBackpressure`] get neither entity frames nor views that tick (command
//! acks still go); they catch up when drained.

pub mod delta_log;
pub mod interest;
pub mod mirror;
mod view;

pub use delta_log::{ChangeFlags, DeltaLog};
pub use mirror::{EdgeMirrors, LinkBackpressure, LinkMirror};

use super::components::{Health, Kind, Owner, Position, StableId};
use super::io::{LinkId, Outbox, SessionKey};
use super::parallel::Parallel;
use super::resources::{Counters, EntityIndex, TickCount, WorldMap};
use super::schedule::{RegionPlugin, RegionSet};
use super::sessions::{SessionState, Sessions};
use super::vision::Vision;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use delta_log::{HEALTH_CHANGED, POS_CHANGED};
use interest::LinkInterest;
use mirror::{Changes, build_frame, build_step, plan};
use rustc_hash::FxHashMap;
use starlane_protocol::link::{EntityFrame, LinkServerMsg, ViewChange};
use starlane_protocol::{EmpireId, EntityId, EntityState};
use std::collections::HashMap;

/// Fewest sessions a piece of the parallel view diff holds (fewer run on the tick thread
/// alone: a piece must outweigh waking a worker).
const MIN_SESSIONS: usize = 64;

/// Installs the delta log, the edge mirrors, the backpressure set and the sync systems.
#[derive(Debug, Clone, Copy)]
pub struct SyncPlugin {
    /// Ticks of changes the delta log keeps (`sync.delta_log_ticks`): a link further
    /// behind gets a full resync.
    pub delta_log_ticks: u32,
}

impl RegionPlugin for SyncPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(DeltaLog::new(self.delta_log_ticks));
        world.insert_resource(EdgeMirrors::default());
        world.insert_resource(LinkBackpressure::default());
        schedule.add_systems(
            (record_changes, sync_links, sync_views)
                .chain()
                .in_set(RegionSet::Sync),
        );
    }
}

/// Entities whose position or health changed since the log last recorded.
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

/// Read-only inputs of the sync systems.
#[derive(SystemParam)]
struct SyncInputs<'w, 's> {
    tick: Res<'w, TickCount>,
    index: Res<'w, EntityIndex>,
    vision: Res<'w, Vision>,
    backpressure: Res<'w, LinkBackpressure>,
    entities: EntityQuery<'w, 's>,
}

impl SyncInputs<'_, '_> {
    /// The current full state of entity `id`.
    fn state(&self, id: EntityId) -> Option<EntityState> {
        let entity = self.index.by_id.get(&id)?;
        let (kind, owner, pos, health) = self.entities.get(*entity).ok()?;
        Some(EntityState {
            id,
            kind: kind.0,
            owner: owner.0,
            pos: pos.0,
            health: health.0,
        })
    }
}

/// Record this tick's changes in the delta log. With no session there is nothing to catch up
/// for: the tick goes unrecorded and the log restarts at the next recorded tick.
fn record_changes(
    tick: Res<TickCount>,
    sessions: Res<Sessions>,
    changed: ChangedQuery,
    mut log: ResMut<DeltaLog>,
) {
    if sessions.map.is_empty() {
        return;
    }
    let changes = changed.iter().map(|(id, pos, health)| {
        let pos = if pos.is_changed() { POS_CHANGED } else { 0 };
        let health = if health.is_changed() {
            HEALTH_CHANGED
        } else {
            0
        };
        (id.0, pos | health)
    });
    log.record(tick.0, changes);
}

/// Scratch space and state of [`sync_links`], kept across ticks.
#[derive(Debug, Default)]
struct LinkScratch {
    /// The union of what each link's empires see.
    interests: FxHashMap<LinkId, LinkInterest>,
    /// The empires of each link this tick.
    empires: FxHashMap<LinkId, Vec<EmpireId>>,
    ids: Vec<EntityId>,
    /// Change flags merged over the newest N ticks, by N (built on demand each tick).
    flags: HashMap<usize, ChangeFlags>,
}

/// One `EntityFrame` per uncongested link: its mirror brought to its sessions' union.
fn sync_links(
    inputs: SyncInputs,
    sessions: Res<Sessions>,
    log: Res<DeltaLog>,
    mut mirrors: ResMut<EdgeMirrors>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<Counters>,
    mut scratch: Local<LinkScratch>,
) {
    let open = |link: &LinkId| sessions.links.contains(link);
    mirrors.0.retain(|link, _| open(link));
    let LinkScratch {
        interests,
        empires,
        ids,
        flags,
    } = &mut *scratch;
    interests.retain(|link, _| open(link));
    empires.retain(|link, _| open(link));
    empires.values_mut().for_each(Vec::clear);
    flags.clear();
    for ((link, _), session) in &sessions.map {
        empires.entry(*link).or_default().push(session.empire);
    }
    let tick = inputs.tick.0;
    for link in &sessions.links {
        let of_link = empires.get_mut(link).map_or(&[][..], |e| {
            e.sort_unstable();
            e.dedup();
            &*e
        });
        let interest = interests.entry(*link).or_default();
        interest.update(of_link, &inputs.vision, ids);
        if inputs.backpressure.0.contains(link) {
            counters.congested_skips += 1;
            continue;
        }
        let mirror = mirrors.0.entry(*link).or_default();
        let state = |id| inputs.state(id);
        let frame = match step_changes(mirror, &log, tick) {
            Some(changes) => build_step(mirror, interest, tick, changes, ids, state),
            None => catch_up(mirror, interest, &log, tick, ids, flags, &inputs),
        };
        if let Some(frame) = frame {
            counters.entity_frames += 1;
            counters.resets += u64::from(frame.reset);
            outbox.entities.insert(*link, frame);
        }
    }
}

/// This tick's changes, when `mirror` was synced at the previous tick and the log holds this
/// tick: the frame then needs only them and the union's flips.
fn step_changes<'a>(
    mirror: &LinkMirror,
    log: &'a DeltaLog,
    tick: u32,
) -> Option<&'a [(EntityId, u8)]> {
    if mirror.synced != Some(tick.wrapping_sub(1)) {
        return None;
    }
    log.changes_of(tick)
}

/// The frame for a link that skipped ticks, or is new: its mirror against the whole union,
/// with the changes of every tick since its last frame (a full resync when the log no longer
/// holds them).
fn catch_up(
    mirror: &mut LinkMirror,
    interest: &LinkInterest,
    log: &DeltaLog,
    tick: u32,
    union: &mut Vec<EntityId>,
    flags: &mut HashMap<usize, ChangeFlags>,
    inputs: &SyncInputs,
) -> Option<EntityFrame> {
    interest.union(union);
    let behind = plan(mirror, log);
    let changes = match behind {
        None | Some(0) => Changes::None,
        Some(n) => Changes::Flags(flags.entry(n).or_insert_with(|| {
            let mut f = ChangeFlags::default();
            log.collect(n, inputs.index.next_id, &mut f);
            f
        })),
    };
    build_frame(mirror, union, tick, behind.is_none(), changes, |id| {
        inputs.state(id)
    })
}

/// Per session on an uncongested link: its [`ViewChange`]. Each session's diff reads the
/// vision and writes only that session, so the sessions are diffed side by side
/// ([`Parallel`]) and their views queued in the sessions' order.
fn sync_views(
    inputs: SyncInputs,
    map: Res<WorldMap>,
    parallel: Option<Res<Parallel>>,
    mut sessions: ResMut<Sessions>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<Counters>,
) {
    let tick = inputs.tick.0;
    let mut open: Vec<(SessionKey, &mut SessionState)> = Vec::with_capacity(sessions.map.len());
    for (key, session) in sessions.map.iter_mut() {
        if inputs.backpressure.0.contains(&key.0) {
            // Skipped: compare every cell next time, not only the next tick's changes.
            session.vision_synced = false;
        } else {
            open.push((*key, session));
        }
    }
    let parallel = parallel.map_or_else(Parallel::serial, |p| *p);
    let (vision, index, map) = (&*inputs.vision, &*inputs.index, &*map);
    let views = parallel.map_mut(&mut open, MIN_SESSIONS, |(_, session)| {
        let mut change = ViewChange {
            tick,
            ..ViewChange::default()
        };
        let exists = |id| index.by_id.contains_key(&id);
        let mut scratch = Vec::new();
        view::diff_view(vision, map, session, exists, &mut change, &mut scratch);
        (!view::is_empty(&change)).then_some(change)
    });
    for ((key, _), change) in open.iter().zip(views) {
        if let Some(change) = change {
            counters.views += 1;
            outbox
                .sessions
                .entry(*key)
                .or_default()
                .push(LinkServerMsg::View(change));
        }
    }
}
