//! Link and session changes, applied in arrival order: links opened and closed, joins (a new
//! empire gets its starting units) and leaves. Player commands are taken aside for the
//! orders step with the identity of their session as it was when they arrived.

use super::CommandSettings;
use super::orders::{PendingCommand, PendingCommands};
use crate::map::find_from;
use crate::records::EmpireRecord;
use crate::world::economy::EconomySettings;
use crate::world::economy::fields::site_free;
use crate::world::io::{Inbox, LinkId, Outbox, SessionKey, TickInput};
use crate::world::resources::{Counters, EntityIndex, WorldMap};
use crate::world::sessions::{SessionState, Sessions};
use crate::world::spawn::{UnitSpec, spawn_unit};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashSet;
use starlane_protocol::link::{JoinRefused, Joined, PlayerIdentity, RegionToEdge, SessionId};
use starlane_protocol::{EntityKind, Hex, RejectReason, Visibility};
use std::collections::HashMap;

/// New empires placed at each spawn point so far: the next one is placed further along the
/// spawn area so that any number of empires fit (wrapping around and sharing hexes once the
/// area is full; a join is never refused for lack of room).
#[derive(Resource, Debug, Default)]
pub struct SpawnRounds(pub HashMap<usize, u32>);

/// Apply the tick's inputs in arrival order.
pub(super) fn apply_lifecycle(world: &mut World) {
    let inputs = std::mem::take(&mut world.resource_mut::<Inbox>().0);
    for input in inputs {
        if matches!(
            input,
            TickInput::LinkClosed { .. } | TickInput::Join { .. } | TickInput::Leave { .. }
        ) {
            // The social layer looks at the sessions again (greetings, presence).
            world
                .resource_mut::<crate::world::social::players::Presences>()
                .sessions_changed = true;
        }
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
            } => join(world, link, session, &player, empire),
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
            } => take_aside(world, (link, session), seq, command),
            TickInput::Chat(post) => {
                world
                    .resource_mut::<crate::world::social::ChatInbox>()
                    .0
                    .push(post);
            }
            TickInput::Note(note) => {
                world
                    .resource_mut::<crate::world::social::players::NoteInbox>()
                    .0
                    .push(note);
            }
            TickInput::PlayerOp(done) => {
                world
                    .resource_mut::<crate::world::social::players::PlayerOpResults>()
                    .0
                    .push(done);
            }
        }
    }
}

/// Queue a player command for the orders step with its session's identity now.
fn take_aside(world: &mut World, key: SessionKey, seq: u32, command: starlane_protocol::Command) {
    let sender = world
        .resource::<Sessions>()
        .map
        .get(&key)
        .map(|s| (s.empire, s.user_id, s.command_stream));
    world
        .resource_mut::<PendingCommands>()
        .0
        .push(PendingCommand {
            key,
            seq,
            command,
            sender,
        });
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
    let tick_rate_hz = u8::try_from(world.resource::<CommandSettings>().tick_hz).unwrap_or(u8::MAX);
    let wm = world.resource::<WorldMap>();
    let cells = wm.map.cell_count();
    let map = wm.info.clone();
    let state = SessionState {
        empire: record.empire,
        user_id: player.user_id,
        username: starlane_protocol::social::clean_name(
            &player.username,
            starlane_protocol::social::MAX_PLAYER_NAME_BYTES,
        ),
        command_stream: player.command_stream,
        sent: FxHashSet::default(),
        sent_vision: vec![Visibility::Shroud; cells],
        vision_synced: false,
        resources_sent: false,
        sharing_sent: false,
        memory_sent: false,
        social_sent: false,
        players_sent: false,
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
        catalog: world.resource::<EconomySettings>().book.catalog.clone(),
    });
    world.resource_mut::<Outbox>().control.push((link, msg));
    super::notice::after_joined(world, link, session, player);
}

/// Spawn a new empire's starting units (and station) on its spawn area.
pub fn spawn_starting_units(world: &mut World, record: EmpireRecord) {
    let count = world.resource::<CommandSettings>().units_per_empire as usize;
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
    let station_at = world
        .resource::<EconomySettings>()
        .start_station
        .then(|| find_from(&area, start, |h| site_free(world, h)))
        .flatten();
    if let Some(pos) = station_at {
        spawn_unit(
            world,
            UnitSpec {
                id: None,
                owner: record.empire,
                kind: EntityKind::Station,
                pos,
                health: None,
            },
        );
    }
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
