//! Records shared by the world and the database: what is stored of a unit and what a
//! player's empire resolves to. A leaf module: it imports nothing of the crate.

use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex};

/// A stored unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRecord {
    /// Stable entity id.
    pub id: EntityId,
    /// Owning empire ([`starlane_protocol::NEUTRAL_EMPIRE`] = neutral).
    pub owner: EmpireId,
    /// Kind.
    pub kind: EntityKind,
    /// Position.
    pub pos: Hex,
    /// Health.
    pub health: u16,
}

/// Outcome of resolving a player's empire in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmpireRecord {
    /// The player's empire.
    pub empire: EmpireId,
    /// Index of its spawn point (taken modulo the map's spawn count).
    pub spawn_index: u32,
}
