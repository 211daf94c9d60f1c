//! `[economy]`: starting stock, production queues, building sites, efficiency and resource
//! fields; the recipes come from a file ([`super::recipes`]).

use super::recipes::{DEFAULT_RECIPES, RecipeBook};
use super::{ConfigError, check_range};
use serde::Deserialize;
use starlane_protocol::{EntityKind, ResourceKind};
use std::path::PathBuf;

/// An amount of each resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Amounts {
    /// Credits.
    pub credits: u32,
    /// Metal.
    pub metal: u32,
    /// Crystal.
    pub crystal: u32,
}

impl Amounts {
    /// The amounts in the order of `ResourceKind::ALL`.
    pub fn to_array(self) -> [u32; 3] {
        [self.credits, self.metal, self.crystal]
    }
}

/// Efficiency of each building kind, per mille of a recipe's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Efficiency {
    /// Stations (default 1000).
    pub station: u32,
    /// Extractors (default 1000).
    pub extractor: u32,
    /// Shipyards (default 1000).
    pub shipyard: u32,
}

impl Default for Efficiency {
    fn default() -> Self {
        Self {
            station: 1000,
            extractor: 1000,
            shipyard: 1000,
        }
    }
}

impl Efficiency {
    /// The efficiency of `kind` in per mille (1000 for kinds that are not buildings).
    pub fn get(&self, kind: EntityKind) -> u32 {
        match kind {
            EntityKind::Station => self.station,
            EntityKind::Extractor => self.extractor,
            EntityKind::Shipyard => self.shipyard,
            _ => 1000,
        }
    }
}

/// `[economy]` (game/README.md, "Economy and production").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EconomyConfig {
    /// The recipe file; empty (the default) for the built-in `configs/recipes.toml`.
    /// Env: `STARLANE_REGION_ECONOMY_RECIPES`.
    pub recipes: PathBuf,
    /// What a new empire starts with.
    pub start: Amounts,
    /// Whether a new empire gets a station at its spawn point (default true).
    pub start_station: bool,
    /// Most jobs in one building's queue, the running one included (1..=32, default 5).
    pub queue_len: u32,
    /// Most hexes between a builder and its building site (1..=3, default 1).
    pub build_range: u32,
    /// Output per mille of each building kind (1..=10000).
    pub efficiency: Efficiency,
    /// Most resource fields next to one extractor that add to its output (1..=6, default 2).
    pub max_deposits: u32,
    /// Resource fields spawned in each chunk of the map (0..=64, default 4), half metal and
    /// half crystal, placed from the map seed.
    pub fields_per_chunk: u32,
}

impl Default for EconomyConfig {
    fn default() -> Self {
        Self {
            recipes: PathBuf::new(),
            start: Amounts {
                credits: 1000,
                metal: 500,
                crystal: 100,
            },
            start_station: true,
            queue_len: 5,
            build_range: 1,
            efficiency: Efficiency::default(),
            max_deposits: 2,
            fields_per_chunk: 4,
        }
    }
}

impl EconomyConfig {
    /// Check the ranges and the recipe file.
    pub fn validate(&self, tick_hz: u32) -> Result<(), ConfigError> {
        check_range(
            "economy.queue_len",
            self.queue_len.into(),
            1,
            32,
            "use e.g. 5",
        )?;
        check_range(
            "economy.build_range",
            self.build_range.into(),
            1,
            3,
            "use 1 (next to the builder)",
        )?;
        check_range(
            "economy.max_deposits",
            self.max_deposits.into(),
            1,
            6,
            "use e.g. 2",
        )?;
        check_range(
            "economy.fields_per_chunk",
            self.fields_per_chunk.into(),
            0,
            64,
            "use e.g. 4",
        )?;
        let eff = [
            ("economy.efficiency.station", self.efficiency.station),
            ("economy.efficiency.extractor", self.efficiency.extractor),
            ("economy.efficiency.shipyard", self.efficiency.shipyard),
        ];
        for (field, v) in eff {
            check_range(field, v.into(), 1, 10_000, "use 1000 (100 %)")?;
        }
        for (field, v) in [
            ("economy.start.credits", self.start.credits),
            ("economy.start.metal", self.start.metal),
            ("economy.start.crystal", self.start.crystal),
        ] {
            check_range(field, v.into(), 0, 1_000_000_000, "use e.g. 500")?;
        }
        self.recipe_book(tick_hz).map(|_| ())
    }

    /// Read and check the recipe file (the built-in one when `recipes` is empty).
    pub fn recipe_book(&self, tick_hz: u32) -> Result<RecipeBook, ConfigError> {
        if self.recipes.as_os_str().is_empty() {
            return RecipeBook::parse(DEFAULT_RECIPES, tick_hz, "configs/recipes.toml (built in)");
        }
        let text = std::fs::read_to_string(&self.recipes).map_err(|source| ConfigError::Read {
            path: self.recipes.clone(),
            source,
        })?;
        RecipeBook::parse(&text, tick_hz, &self.recipes.display().to_string())
    }
}

/// Index of `kind` in an `[u32; 3]` of amounts.
pub fn slot(kind: ResourceKind) -> usize {
    usize::from(kind.code())
}
