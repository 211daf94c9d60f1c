//! Commands stage: joins and leaves, per-user rate limits, move validation, acks.

use super::components::*;
use super::{RegionPlugin, RegionSet, UnitSpec, spawn_unit};
use crate::map::path::find_path;
use bevy_ecs::prelude::*;
use starlane_protocol::link::{
    JoinRefused, Joined, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId,
};
use starlane_protocol::{
    Command, CommandError, EntityId, EntityKind, Hex, RejectReason, Visibility,
};
use std::collections::HashMap;

/// Installs the inbox, outbox, sessions, rate limits and the command systems.
#[derive(Debug, Clone, Copy)]
pub struct CommandPlugin;

impl RegionPlugin for CommandPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(Inbox::default());
        world.insert_resource(Outbox::default());
        world.insert_resource(Sessions::default());
        world.insert_resource(RateLimits::default());
        world.insert_resource(SpawnRounds::default());
        schedule.add_systems(
            (advance_tick, process_inbox)
                .chain()
                .in_set(RegionSet::Commands),
        );
    }
}

/// New empires placed at each spawn point so far: the next one is placed further along the
/// spawn area so that any number of empires fit (wrapping around and sharing hexes once the
/// area is full; a join is never refused for lack of room).
#[derive(Resource, Debug, Default)]
pub struct SpawnRounds(pub HashMap<usize, u32>);

/// A token bucket, refilled per tick.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_tick: u32,
}

/// Per-user token buckets.
#[derive(Resource, Debug, Default)]
pub struct RateLimits {
    buckets: HashMap<i64, Bucket>,
}

impl RateLimits {
    /// Take one token for `user` at `tick`; false when the user is over the limit.
    fn allow(&mut self, user: i64, tick: u32, per_tick: f64, burst: f64) -> bool {
        let b = self.buckets.entry(user).or_insert(Bucket {
            tokens: burst,
            last_tick: tick,
        });
        let elapsed = f64::from(tick.saturating_sub(b.last_tick));
        b.tokens = (b.tokens + elapsed * per_tick).min(burst);
        b.last_tick = tick;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forget buckets that have refilled completely (their users are idle).
    fn prune(&mut self, tick: u32, per_tick: f64, burst: f64) {
        self.buckets.retain(|_, b| {
            b.tokens + f64::from(tick.saturating_sub(b.last_tick)) * per_tick < burst
        });
    }
}

fn advance_tick(mut tick: ResMut<TickCount>) {
    tick.0 = tick.0.wrapping_add(1);
}

/// Apply every queued input in arrival order.
fn process_inbox(world: &mut World) {
    let inputs = std::mem::take(&mut world.resource_mut::<Inbox>().0);
    for input in inputs {
        match input {
            TickInput::LinkOpened { link } => {
                world.resource_mut::<Sessions>().links.insert(link);
            }
            TickInput::LinkClosed { link } => {
                let mut sessions = world.resource_mut::<Sessions>();
                sessions.links.remove(&link);
                sessions.map.retain(|(l, _), _| *l != link);
            }
            TickInput::Join {
                link,
                session,
                player,
                empire,
            } => {
                join(world, link, session, &player, empire);
            }
            TickInput::Leave { link, session } => {
                world
                    .resource_mut::<Sessions>()
                    .map
                    .remove(&(link, session));
            }
            TickInput::Command {
                link,
                session,
                seq,
                command,
            } => {
                let result = command_result(world, (link, session), command);
                let msg = match result {
                    None => continue,
                    Some(Ok(())) => {
                        world.resource_mut::<Counters>().commands_ok += 1;
                        LinkServerMsg::CommandAck { seq }
                    }
                    Some(Err(error)) => {
                        *world
                            .resource_mut::<Counters>()
                            .commands_rejected
                            .entry(error)
                            .or_default() += 1;
                        LinkServerMsg::CommandRejected { seq, error }
                    }
                };
                world
                    .resource_mut::<Outbox>()
                    .sessions
                    .entry((link, session))
                    .or_default()
                    .push(msg);
            }
        }
    }
    let tick = world.resource::<TickCount>().0;
    let (per_tick, burst) = rate(world);
    let prune_every = world
        .resource::<Settings>()
        .0
        .tick_hz
        .saturating_mul(60)
        .max(1);
    if tick.is_multiple_of(prune_every) {
        world
            .resource_mut::<RateLimits>()
            .prune(tick, per_tick, burst);
    }
}

fn rate(world: &World) -> (f64, f64) {
    let cfg = &world.resource::<Settings>().0;
    (
        f64::from(cfg.command_rate) / f64::from(cfg.tick_hz.max(1)),
        f64::from(cfg.command_burst),
    )
}

/// Open a session; a new empire (one without units) gets its starting units at its spawn.
fn join(
    world: &mut World,
    link: LinkId,
    session: SessionId,
    player: &PlayerIdentity,
    empire: Result<EmpireRecord, RejectReason>,
) {
    if !world.resource::<Sessions>().links.contains(&link) {
        world.resource_mut::<Counters>().joins_dropped += 1;
        return;
    }
    let refuse = |world: &mut World, reason| {
        let msg = RegionToEdge::JoinRefused(JoinRefused { session, reason });
        world.resource_mut::<Outbox>().control.push((link, msg));
    };
    let record = match empire {
        Ok(r) => r,
        Err(reason) => return refuse(world, reason),
    };
    if world
        .resource::<Sessions>()
        .map
        .contains_key(&(link, session))
    {
        return refuse(world, RejectReason::ProtocolViolation);
    }
    let has_units = world
        .resource::<EntityIndex>()
        .units_of
        .get(&record.empire)
        .is_some_and(|n| *n > 0);
    if !has_units {
        spawn_starting_units(world, record);
    }
    let cfg = &world.resource::<Settings>().0;
    let tick_rate_hz = u8::try_from(cfg.tick_hz).unwrap_or(u8::MAX);
    let wm = world.resource::<WorldMap>();
    let cells = wm.map.cell_count();
    let map = wm.info.clone();
    let state = SessionState {
        empire: record.empire,
        user_id: player.user_id,
        sent: Vec::new(),
        sent_vision: vec![Visibility::Shroud; cells],
        vision_synced: false,
        resources_sent: false,
    };
    world
        .resource_mut::<Sessions>()
        .map
        .insert((link, session), state);
    world.resource_mut::<Counters>().joins += 1;
    let msg = RegionToEdge::Joined(Joined {
        session,
        empire: record.empire,
        tick_rate_hz,
        map,
    });
    world.resource_mut::<Outbox>().control.push((link, msg));
}

fn spawn_starting_units(world: &mut World, record: EmpireRecord) {
    let count = world.resource::<Settings>().0.units_per_empire as usize;
    let map = &world.resource::<WorldMap>().map;
    let spawns = map.spawns();
    let slot = record.spawn_index as usize % spawns.len().max(1);
    let Some(spawn) = spawns.get(slot).copied() else {
        return;
    };
    let mut area = map.spawn_area(spawn);
    if area.is_empty() {
        area = map.placements(spawn, count);
    }
    let mut rounds = world.resource_mut::<SpawnRounds>();
    let round = rounds.0.entry(slot).or_default();
    let start = (*round as usize).wrapping_mul(count) % area.len().max(1);
    *round = round.wrapping_add(1);
    let places: Vec<Hex> = area
        .iter()
        .cycle()
        .skip(start)
        .take(count)
        .copied()
        .collect();
    for (i, pos) in places.into_iter().enumerate() {
        let kind = if i == 0 {
            EntityKind::Scout
        } else {
            EntityKind::Frigate
        };
        spawn_unit(
            world,
            UnitSpec {
                id: None,
                owner: record.empire,
                kind,
                pos,
                health: None,
            },
        );
    }
}

/// `None` when the session is unknown (the command is dropped and counted).
fn command_result(
    world: &mut World,
    key: SessionKey,
    command: Command,
) -> Option<Result<(), CommandError>> {
    let Some(state) = world.resource::<Sessions>().map.get(&key) else {
        world.resource_mut::<Counters>().commands_unknown_session += 1;
        return None;
    };
    let (empire, user) = (state.empire, state.user_id);
    let tick = world.resource::<TickCount>().0;
    let (per_tick, burst) = rate(world);
    if !world
        .resource_mut::<RateLimits>()
        .allow(user, tick, per_tick, burst)
    {
        return Some(Err(CommandError::RateLimited));
    }
    Some(match command {
        Command::Move { unit, to } => validate_move(world, empire, unit, to).map(|path| {
            if let Some(entity) = world.resource::<EntityIndex>().by_id.get(&unit).copied()
                && let Some(mut p) = world.get_mut::<Path>(entity)
            {
                p.hexes = path.into();
                p.progress = 0;
            }
        }),
    })
}

/// Check a move in order: unit exists (and, if foreign, is visible), ownership, mobility,
/// destination on the map, passable, reachable. Returns the path.
pub fn validate_move(
    world: &World,
    empire: starlane_protocol::EmpireId,
    unit: EntityId,
    to: Hex,
) -> Result<Vec<Hex>, CommandError> {
    let entity = world
        .resource::<EntityIndex>()
        .by_id
        .get(&unit)
        .copied()
        .ok_or(CommandError::UnknownUnit)?;
    let owner = world
        .get::<Owner>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    if owner != empire {
        // Anti-ESP: a foreign unit outside the sender's vision does not exist for them.
        let visible = world
            .resource::<Vision>()
            .0
            .get(&empire)
            .is_some_and(|v| v.sees(unit));
        return Err(if visible {
            CommandError::NotYourUnit
        } else {
            CommandError::UnknownUnit
        });
    }
    if world.get::<MoveTicks>(entity).is_none_or(|m| m.0 == 0) {
        return Err(CommandError::Immobile);
    }
    let from = world
        .get::<Position>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    let map = &world.resource::<WorldMap>().map;
    if !map.contains(to) {
        return Err(CommandError::OffMap);
    }
    if !map.is_passable(to) {
        return Err(CommandError::Impassable);
    }
    find_path(map, from, to).ok_or(CommandError::NoPath)
}
