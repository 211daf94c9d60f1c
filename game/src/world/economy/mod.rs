//! The economy (game/README.md, "Economy and production"): each empire's stock
//! ([`stock`]), buildings' production queues run each tick ([`production`]), resource
//! fields ([`fields`]), and what the empire's sessions hear of it ([`notify`]). The `Build`,
//! `Train` and `Cancel` commands that feed it are checked in
//! [`crate::world::commands::economy_orders`].

pub mod fields;
pub mod notify;
pub mod production;
pub mod record;
pub mod stock;

pub use stock::{Stock, Stockpiles};

use super::schedule::{RegionPlugin, RegionSet, SimulationStep};
use crate::config::{Efficiency, RecipeBook, RegionConfig};
use bevy_ecs::prelude::*;
use notify::{JobEvents, notify_economy};
use production::run_production;

/// The economy's slice of the configuration.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct EconomySettings {
    /// The recipes.
    pub book: RecipeBook,
    /// What a new empire starts with.
    pub start: Stock,
    /// Whether a new empire gets a station.
    pub start_station: bool,
    /// Most jobs in one queue.
    pub queue_len: usize,
    /// Most hexes between a builder and its site.
    pub build_range: u32,
    /// Output per mille per building kind.
    pub efficiency: Efficiency,
    /// Most fields next to an extractor that add to its output.
    pub max_deposits: u32,
    /// Fields per chunk on a fresh map.
    pub fields_per_chunk: u32,
    /// Seed of field placement (the map seed).
    pub seed: u64,
}

impl EconomySettings {
    /// The slice of `config` the economy reads, with its recipe file loaded.
    pub fn from_config(config: &RegionConfig) -> Result<Self, crate::config::ConfigError> {
        Ok(Self::with_book(
            config,
            config.economy.recipe_book(config.tick_hz)?,
        ))
    }

    /// The slice of `config` the economy reads, with `book` for recipes.
    pub fn with_book(config: &RegionConfig, book: RecipeBook) -> Self {
        let e = &config.economy;
        Self {
            book,
            start: e.start.to_array(),
            start_station: e.start_station,
            queue_len: e.queue_len as usize,
            build_range: e.build_range,
            efficiency: e.efficiency,
            max_deposits: e.max_deposits,
            fields_per_chunk: e.fields_per_chunk,
            seed: config.map_seed,
        }
    }
}

/// Installs the stockpiles and job events, runs production after combat and tells sessions
/// about their stock and jobs in the sync stage.
#[derive(Debug, Clone)]
pub struct EconomyPlugin {
    /// Its slice of the configuration.
    pub settings: EconomySettings,
}

impl RegionPlugin for EconomyPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(Stockpiles::new(self.settings.start));
        world.insert_resource(JobEvents::default());
        world.insert_resource(self.settings.clone());
        schedule.add_systems((
            run_production.in_set(SimulationStep::Production),
            notify_economy.in_set(RegionSet::Sync),
        ));
    }
}
