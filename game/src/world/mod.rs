//! The region's world: bevy_ecs components, resources and plugins, and the headless
//! [`RegionSim`] that steps them.
//!
//! A tick runs four system sets in order ([`RegionSet`]): `Commands` (link and session
//! changes, then player commands, one system per command kind), `Simulation` (NPC plans,
//! movement, the spatial index), `Vision` (per-empire fog of war) and `Sync` (per-link entity
//! frames from the delta log, per-session views). Each concern is a [`RegionPlugin`] that
//! owns its resources and its slice of the configuration.

pub mod ai;
pub mod combat;
pub mod commands;
pub mod components;
pub mod economy;
pub mod io;
pub mod memory;
pub mod movement;
pub mod npc;
pub mod parallel;
pub mod resources;
pub mod schedule;
pub mod sessions;
pub mod sharing;
mod sim;
pub mod skirmish;
pub mod social;
pub mod spawn;
pub mod sync;
pub mod timing;
pub mod vision;

pub use components::*;
pub use io::{Inbox, LinkId, Outbox, SessionKey, TickInput};
pub use resources::{Counters, Dirty, EntityIndex, Grid, TickCount, WorldMap};
pub use schedule::{CommandStep, RegionPlugin, RegionSet, SimulationStep};
pub use sessions::{SessionState, Sessions};
pub use sim::RegionSim;
pub use spawn::{UnitSpec, UnitStats, spawn_unit};
pub use vision::{EmpireVision, Vision};
