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

/// A player as stored globally (the same row whatever region they play in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerRecord {
    /// The login service's user id.
    pub user_id: i64,
    /// The last username seen.
    pub username: String,
    /// The player's home region, assigned at the first join by `[store] home_region_policy`.
    pub home_region: String,
    /// The player's empire (the same in every region).
    pub empire: EmpireId,
    /// When the player first joined (Unix seconds).
    pub created_at: i64,
}

/// A region's world as written in one snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorldSnapshot {
    /// The tick the snapshot was taken at.
    pub tick: u32,
    /// Every unit of the region (buildings and resource fields included).
    pub units: Vec<UnitRecord>,
    /// Its economy: stocks, production queues, construction sites.
    pub economy: EconomyRecord,
    /// Shared vision and explored cells.
    pub vision: VisionRecord,
    /// Alliances, their members and invitations.
    pub social: SocialRecord,
}

/// The alliances of a region as stored (SPEC.md §21.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocialRecord {
    /// Every alliance, by id.
    pub alliances: Vec<AllianceRecord>,
}

/// A stored alliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllianceRecord {
    pub id: starlane_protocol::social::AllianceId,
    pub name: String,
    /// Its members, by empire.
    pub members: Vec<MemberRecord>,
    /// Its pending invitations as `(invited, inviter)`, by invited empire.
    pub invites: Vec<(EmpireId, EmpireId)>,
}

/// A stored alliance member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub empire: EmpireId,
    pub role: starlane_protocol::social::AllianceRole,
    /// Join order in the region.
    pub since: u64,
    /// Its player's name.
    pub name: String,
}

/// The economy of a region as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EconomyRecord {
    /// Each empire's stock (credits, metal, crystal), by empire.
    pub stocks: Vec<(EmpireId, [u32; 3])>,
    /// Every queued job, by building and queue position.
    pub jobs: Vec<JobRecord>,
    /// Buildings still under construction, sorted.
    pub sites: Vec<EntityId>,
}

/// A stored production job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobRecord {
    /// Its building.
    pub building: EntityId,
    /// Its id in the building.
    pub job: u32,
    /// Its place in the queue, from 0.
    pub position: u32,
    /// Its recipe.
    pub recipe: u16,
    /// Whether it queues itself again.
    pub repeat: bool,
    /// Ticks left of a started job; `None` for a waiting one.
    pub remaining: Option<u32>,
    /// What was paid (refunded on cancel).
    pub paid: [u32; 3],
}

/// An empire's explored cells as stored (SPEC.md §20.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExploredRecord {
    /// The empire.
    pub empire: EmpireId,
    /// Cells of the map it was taken on (a record of another map size is skipped).
    pub cells: u32,
    /// One bit per cell, cell `i` at bit `i % 8` of byte `i / 8`: set when explored.
    pub bits: Vec<u8>,
}

/// Shared vision, explored cells and remembered entities of a region as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisionRecord {
    /// Every vision grant as `(from, to)`, sorted.
    pub grants: Vec<(EmpireId, EmpireId)>,
    /// Every empire's explored cells, by empire.
    pub explored: Vec<ExploredRecord>,
    /// What every empire remembers of entities it no longer sees, by empire and id.
    pub remembered: Vec<MemoryRecord>,
}

/// An entity an empire remembers (the vision cache, SPEC.md §20.6) as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRecord {
    /// The empire that remembers.
    pub empire: EmpireId,
    /// The entity.
    pub id: EntityId,
    /// Its kind.
    pub kind: EntityKind,
    /// Its owner when last seen.
    pub owner: EmpireId,
    /// Where it stood.
    pub pos: Hex,
    /// Ticks since it was last seen, when the snapshot was taken.
    pub age_ticks: u32,
    /// Ticks left before it is forgotten; `None` until seen again.
    pub ttl_ticks: Option<u32>,
}
