//! AI empires (game/README.md, "AI empires"): computer-run empires that gather, produce and
//! fight through the players' command path. Every `think_secs` each one looks at the world
//! as its empire may ([`brain`]) and queues commands as a session would; they pass the same
//! rate limits and checks, and their answers are read back here instead of being sent.

pub mod brain;

use super::commands::orders::{PendingCommand, PendingCommands};
use super::io::{LinkId, Outbox};
use super::resources::{EntityIndex, TickCount};
use super::schedule::{CommandStep, RegionPlugin};
use crate::config::RegionConfig;
use crate::records::EmpireRecord;
use bevy_ecs::prelude::*;
use starlane_protocol::EmpireId;
use starlane_protocol::link::LinkServerMsg;

/// The link id of AI sessions: no edge link has it (links are numbered from 1 upwards).
pub const AI_LINK: LinkId = LinkId::MAX;
/// Empire id of the first AI empire; AI empire `i` is `AI_EMPIRE_BASE + i`. Players' empires
/// are numbered from 1 by the store and never reach it.
pub const AI_EMPIRE_BASE: EmpireId = 4_000_000_000;

/// The AI's slice of the configuration.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiSettings {
    /// AI empires.
    pub empires: u32,
    /// Ticks between two decisions of one empire.
    pub think_ticks: u32,
    /// Seed of their choices (the map seed).
    pub seed: u64,
}

impl AiSettings {
    /// The slice of `config` the AI reads.
    pub fn from_config(config: &RegionConfig) -> Self {
        Self {
            empires: config.ai.empires,
            think_ticks: config.ai.think_secs.saturating_mul(config.tick_hz).max(1),
            seed: config.map_seed,
        }
    }

    /// The AI empires' ids.
    pub fn ids(&self) -> impl Iterator<Item = EmpireId> {
        (0..self.empires).map(|i| AI_EMPIRE_BASE + i)
    }
}

/// What the AI empires did (tests, logs).
#[derive(Resource, Debug, Default, Clone, PartialEq, Eq)]
pub struct AiStats {
    /// Commands queued.
    pub sent: u64,
    /// Of those, accepted.
    pub accepted: u64,
    /// Of those, refused.
    pub refused: u64,
}

/// Installs the AI empires' brains (in [`CommandStep::Ai`]) and the reader of their answers
/// (after [`CommandStep::Replies`]).
#[derive(Debug, Clone, Copy)]
pub struct AiPlugin {
    /// Its slice of the configuration.
    pub settings: AiSettings,
}

impl RegionPlugin for AiPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings);
        world.insert_resource(AiStats::default());
        schedule.add_systems((
            think.in_set(CommandStep::Ai),
            read_answers
                .after(CommandStep::Replies)
                .in_set(super::schedule::RegionSet::Commands),
        ));
    }
}

/// Give every AI empire without units its starting units (at region start, after loading).
pub fn spawn_ai_empires(world: &mut World) -> usize {
    let settings = *world.resource::<AiSettings>();
    let mut spawned = 0;
    for (i, empire) in settings.ids().enumerate() {
        let has_units = world
            .resource::<EntityIndex>()
            .units_of
            .get(&empire)
            .is_some_and(|n| *n > 0);
        if !has_units {
            let record = EmpireRecord {
                empire,
                // Spread over the spawn points, from the far side of the list.
                spawn_index: u32::MAX - u32::try_from(i).unwrap_or(0) * 2,
            };
            super::commands::lifecycle::spawn_starting_units(world, record);
            spawned += 1;
        }
    }
    spawned
}

/// Each AI empire whose turn it is decides, and its commands join the tick's commands.
fn think(world: &mut World) {
    let settings = *world.resource::<AiSettings>();
    let tick = world.resource::<TickCount>().0;
    for (i, empire) in settings.ids().enumerate() {
        // Staggered: one empire's turn falls on a different tick from the next one's.
        let offset = u32::try_from(i).unwrap_or(0).wrapping_mul(7);
        if !tick
            .wrapping_add(offset)
            .is_multiple_of(settings.think_ticks)
        {
            continue;
        }
        let commands = brain::decide(world, empire, settings.seed ^ u64::from(tick));
        let user = -1 - i64::from(empire - AI_EMPIRE_BASE);
        world.resource_mut::<AiStats>().sent += commands.len() as u64;
        let mut pending = world.resource_mut::<PendingCommands>();
        for (n, command) in commands.into_iter().enumerate() {
            pending.0.push(PendingCommand {
                key: (AI_LINK, u64::from(empire)),
                seq: tick
                    .wrapping_mul(8)
                    .wrapping_add(u32::try_from(n).unwrap_or(0)),
                command,
                sender: Some((empire, user, 0)),
            });
        }
    }
}

/// Take the AI empires' answers out of the outbox (they have no edge) and count them.
fn read_answers(mut outbox: ResMut<Outbox>, mut stats: ResMut<AiStats>) {
    let ours: Vec<_> = outbox
        .sessions
        .keys()
        .filter(|k| k.0 == AI_LINK)
        .copied()
        .collect();
    for key in ours {
        for msg in outbox.sessions.remove(&key).unwrap_or_default() {
            match msg {
                LinkServerMsg::CommandAck { .. } => stats.accepted += 1,
                LinkServerMsg::CommandRejected { .. } => stats.refused += 1,
                _ => {}
            }
        }
    }
}
