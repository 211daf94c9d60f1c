//! Benchmark sections of the region configuration: `[load]` (synthetic NPC units) and
//! `[bench]` (instrumentation that costs time and is off in production).

use super::{ConfigError, check_range};
use serde::Deserialize;

/// Most synthetic NPC units a region accepts.
pub const MAX_NPCS: u32 = 200_000;

/// How synthetic NPC units move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NpcPattern {
    /// Each unit walks to a random passable hex within a few hexes, then picks another.
    #[default]
    Wander,
    /// Units crowd around a few hot spots near the map centre, milling within a small radius.
    Battle,
    /// Lines of units march back and forth along map rows.
    Columns,
    /// Two sides, half the units each, fight for real around the first spawn point (where
    /// the first player starts): they fire at each other with the combat rules, and each side
    /// is reinforced back to its strength every second, so the battle lasts (bench/README.md,
    /// `skirmish`).
    Skirmish,
    /// Every fourth unit fights, in fights of 100 (50 a side, reinforced like `Skirmish`)
    /// spread evenly over the map; the rest wander (the `capacity-region` ladder).
    Front,
}

impl std::str::FromStr for NpcPattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "wander" => Ok(Self::Wander),
            "battle" => Ok(Self::Battle),
            "columns" => Ok(Self::Columns),
            "skirmish" => Ok(Self::Skirmish),
            "front" => Ok(Self::Front),
            other => Err(format!(
                "unknown pattern {other:?}; use wander, battle, columns, skirmish or front"
            )),
        }
    }
}

/// `[load]`: synthetic NPC units owned by the neutral empire, spawned at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadConfig {
    /// Number of NPC units (0..=200000; 0 = off). Env: `STARLANE_REGION_LOAD_NPC_COUNT`.
    pub npc_count: u32,
    /// How they move. Env: `STARLANE_REGION_LOAD_PATTERN`.
    pub pattern: NpcPattern,
    /// Seed of their placement and choices. Env: `STARLANE_REGION_LOAD_NPC_SEED`.
    pub npc_seed: u64,
}

impl Default for LoadConfig {
    fn default() -> Self {
        Self {
            npc_count: 0,
            pattern: NpcPattern::Wander,
            npc_seed: 1,
        }
    }
}

impl LoadConfig {
    /// Check the ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "load.npc_count",
            self.npc_count.into(),
            0,
            MAX_NPCS.into(),
            "use 0 (off) up to 200000",
        )
    }
}

/// `[bench]`: instrumentation for the benchmark runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenchConfig {
    /// After each tick, publish every entity's position and health as the server's truth
    /// (`RegionHandle::truth`), for staleness measurements. Costs a copy of all entities per
    /// tick. Env: `STARLANE_REGION_BENCH_PUBLISH_TRUTH`.
    pub publish_truth: bool,
}
