//! `[combat]`: weapons and armour per kind, the damage seed and the report interval.

use super::{ConfigError, PerKind, check_range, per_kind_fields};
use serde::Deserialize;
use starlane_protocol::EntityKind;

/// `[combat]`: who fights, how hard, and how often empires hear about it (game/README.md,
/// "Combat").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CombatConfig {
    /// Whether units fight at all (default true). Off, `Attack` orders are still checked
    /// and accepted, and nothing fires. Env: `STARLANE_REGION_COMBAT_ENABLED`.
    pub enabled: bool,
    /// Seed of the damage variance: the same seed and commands give the same battles.
    /// Env: `STARLANE_REGION_COMBAT_SEED`.
    pub seed: u64,
    /// Seconds between an empire's combat reports (1..=60, default 1).
    pub report_secs: u32,
    /// Ticks between two path computations of a unit chasing its target (1..=100,
    /// default 5).
    pub chase_repath_ticks: u32,
    /// Seconds after another player's unit hit one of an empire's units during which the
    /// empire's units fire back at that player's units without orders (1..=3600, default 30).
    /// Players never fire at each other unordered otherwise; pirates always.
    pub retaliation_secs: u32,
    /// Damage of one shot per kind, before mitigation (0 = unarmed; 0..=10000).
    pub attack: PerKind,
    /// Armour per kind: a shot loses half of it (0..=10000).
    pub defense: PerKind,
    /// Weapon range in hexes per kind (1..=2*chunk_radius for armed kinds).
    pub weapon_range: PerKind,
    /// Ticks between two shots of one unit, per kind (1..=1200).
    pub fire_ticks: PerKind,
}

impl Default for CombatConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            seed: 0x00c0_ffee,
            report_secs: 1,
            chase_repath_ticks: 5,
            retaliation_secs: 30,
            attack: PerKind {
                scout: 4,
                frigate: 18,
                station: 30,
                extractor: 0,
                shipyard: 0,
                metal_field: 0,
                crystal_field: 0,
            },
            defense: PerKind {
                scout: 2,
                frigate: 8,
                station: 20,
                extractor: 10,
                shipyard: 15,
                metal_field: 0,
                crystal_field: 0,
            },
            weapon_range: PerKind {
                scout: 2,
                frigate: 3,
                station: 4,
                extractor: 0,
                shipyard: 0,
                metal_field: 0,
                crystal_field: 0,
            },
            fire_ticks: PerKind {
                scout: 10,
                frigate: 20,
                station: 20,
                extractor: 20,
                shipyard: 20,
                metal_field: 20,
                crystal_field: 20,
            },
        }
    }
}

impl CombatConfig {
    /// Check the ranges; weapon ranges may not exceed `max_range` (twice the chunk radius).
    pub fn validate(&self, max_range: u32) -> Result<(), ConfigError> {
        check_range(
            "combat.report_secs",
            self.report_secs.into(),
            1,
            60,
            "use e.g. 1",
        )?;
        check_range(
            "combat.retaliation_secs",
            self.retaliation_secs.into(),
            1,
            3600,
            "use e.g. 30",
        )?;
        check_range(
            "combat.chase_repath_ticks",
            self.chase_repath_ticks.into(),
            1,
            100,
            "use e.g. 5",
        )?;
        let attack = per_kind_fields!("combat.attack");
        self.attack
            .check(attack, |_| 0, 10_000, "use 0 (unarmed) to 10000")?;
        let defense = per_kind_fields!("combat.defense");
        self.defense
            .check(defense, |_| 0, 10_000, "use 0 to 10000")?;
        // Unarmed kinds may leave their weapon range at 0.
        let armed = |k: EntityKind| u64::from(self.attack.get(k) > 0);
        self.weapon_range.check(
            per_kind_fields!("combat.weapon_range"),
            armed,
            max_range.into(),
            "use 1..=2*chunk_radius (0 only for unarmed kinds)",
        )?;
        self.fire_ticks.check(
            per_kind_fields!("combat.fire_ticks"),
            |_| 1,
            1200,
            "use e.g. 20 (one shot a second at 20 Hz)",
        )?;
        Ok(())
    }
}
