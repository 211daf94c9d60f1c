//! The order of a tick: four [`RegionSet`]s run in order, with steps inside the first two,
//! and the [`RegionPlugin`] trait each concern implements to install itself.

use bevy_ecs::prelude::*;

/// The ordered stages of a tick.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionSet {
    /// Apply link and session changes and player commands.
    Commands,
    /// Advance the simulation (NPC plans, movement, the spatial index, combat).
    Simulation,
    /// Bring every empire's vision up to date with the tick's changes.
    Vision,
    /// Build per-link entity frames and per-session views.
    Sync,
}

impl RegionSet {
    /// Every set, in tick order (the order of [`crate::world::timing::SetClock::set_ns`]).
    pub const ALL: [RegionSet; 4] = [Self::Commands, Self::Simulation, Self::Vision, Self::Sync];

    /// Stable label for metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            Self::Commands => "commands",
            Self::Simulation => "simulation",
            Self::Vision => "vision",
            Self::Sync => "sync",
        }
    }
}

/// Steps of [`RegionSet::Commands`], in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandStep {
    /// Advance the tick counter.
    Advance,
    /// Links opened and closed, joins and leaves, in arrival order; player commands are
    /// taken aside with the identity of their session at arrival.
    Sessions,
    /// AI empires decide and queue their commands beside the players' (`[ai]`).
    Ai,
    /// Player commands: rate limits, then one system per command kind.
    Orders,
    /// Acks and rejections of the tick's commands, in arrival order.
    Replies,
}

/// Steps of [`RegionSet::Simulation`], in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimulationStep {
    /// Hand out new paths (NPC brains).
    Plan,
    /// Walk paths.
    Move,
    /// Follow moved entities in the spatial index and the save set.
    Index,
    /// Fire, land damage, remove the destroyed, report (combat).
    Combat,
    /// Run production queues: start, complete and deliver jobs (economy).
    Production,
}

/// One concern of the region (commands, simulation, vision, sync, ...): inserts the
/// resources it owns, built from its slice of the configuration, and adds its systems to its
/// set. The region drives a bare bevy `World` and `Schedule` from its tick thread, so this is
/// bevy's plugin pattern without `bevy_app`.
pub trait RegionPlugin {
    /// Install into `world` and `schedule`.
    fn build(&self, world: &mut World, schedule: &mut Schedule);
}

/// Order the sets and steps of a tick in `schedule`.
pub fn configure(schedule: &mut Schedule) {
    schedule.configure_sets(
        (
            RegionSet::Commands,
            RegionSet::Simulation,
            RegionSet::Vision,
            RegionSet::Sync,
        )
            .chain(),
    );
    schedule.configure_sets(
        (
            CommandStep::Advance,
            CommandStep::Sessions,
            CommandStep::Ai,
            CommandStep::Orders,
            CommandStep::Replies,
        )
            .chain()
            .in_set(RegionSet::Commands),
    );
    schedule.configure_sets(
        (
            SimulationStep::Plan,
            SimulationStep::Move,
            SimulationStep::Index,
            SimulationStep::Combat,
            SimulationStep::Production,
        )
            .chain()
            .in_set(RegionSet::Simulation),
    );
}
