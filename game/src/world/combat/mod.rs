//! Combat stage (the last step of the simulation): armed units fire at their ordered target
//! or, without an order, at the best hostile unit in weapon range ([`Hostilities`]: pirates
//! always, another player's units once that player has attacked); damage follows the seed's
//! formula with a deterministic variance; destroyed units leave the world; each empire hears
//! its own figures in a periodic report.
//!
//! Deterministic for a given `[combat] seed`: shooters act in stable-id order, targets are
//! chosen by an integer score with ties broken by id, and the variance of a shot is a hash of
//! the seed, the tick and both ids. The same commands and seed give the same battles
//! (`game/tests/combat_replay.rs`).

mod fire;
mod hostility;
mod report;
mod rules;

pub use hostility::Hostilities;
pub use report::CombatLedger;
pub(crate) use rules::mix;
pub use rules::{damage, target_score};

use super::schedule::{RegionPlugin, SimulationStep};
use crate::config::RegionConfig;
use bevy_ecs::prelude::*;

/// The combat stage's slice of the configuration.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CombatSettings {
    /// Whether anything fires.
    pub enabled: bool,
    /// Seed of the damage variance.
    pub seed: u64,
    /// Ticks between an empire's combat reports.
    pub report_ticks: u32,
    /// Ticks between two chase paths of one unit.
    pub chase_repath_ticks: u32,
    /// Ticks after a hit during which the victim's empire fires back without orders.
    pub retaliation_ticks: u32,
}

impl CombatSettings {
    /// The slice of `config` the combat stage reads.
    pub fn from_config(config: &RegionConfig) -> Self {
        Self {
            enabled: config.combat.enabled,
            seed: config.combat.seed,
            report_ticks: config
                .combat
                .report_secs
                .saturating_mul(config.tick_hz)
                .max(1),
            chase_repath_ticks: config.combat.chase_repath_ticks.max(1),
            retaliation_ticks: config
                .combat
                .retaliation_secs
                .saturating_mul(config.tick_hz),
        }
    }
}

/// Installs the combat settings, the ledger and the combat systems.
#[derive(Debug, Clone, Copy)]
pub struct CombatPlugin {
    /// Its slice of the configuration.
    pub settings: CombatSettings,
}

impl RegionPlugin for CombatPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings);
        world.insert_resource(CombatLedger::default());
        world.insert_resource(Hostilities::default());
        schedule.add_systems(
            (fire::fight, report::send_reports)
                .chain()
                .in_set(SimulationStep::Combat),
        );
    }
}
