//! Components of the region's entities. Resources live with the plugin that owns them.

use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex, JobId, RecipeId, ResourceKind};
use std::collections::VecDeque;

/// Empire id of neutral (pirate) units: the protocol's constant, re-exported here.
pub use starlane_protocol::NEUTRAL_EMPIRE;

/// The stable, region-assigned entity id (the `EntityId` of the protocol).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StableId(pub EntityId);

/// The empire owning an entity ([`NEUTRAL_EMPIRE`] for pirates).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(pub EmpireId);

/// What an entity is.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(pub EntityKind);

/// Where an entity is.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub Hex);

/// Hit points.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health(pub u16);

/// Remaining hexes to walk, and ticks spent towards the next one.
#[derive(Component, Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    /// Hexes still to enter, in order.
    pub hexes: VecDeque<Hex>,
    /// Ticks accumulated towards entering the first of `hexes`.
    pub progress: u32,
}

/// Ticks needed to move one hex (0 = cannot move).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveTicks(pub u32);

/// Vision range in hexes.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisionRange(pub u32);

/// Detection range in hexes (SPEC.md §20.7): the owner sees cloaked entities within it (never
/// farther than the unit's [`VisionRange`]). Units of a kind that detects nothing have none.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detector(pub u32);

/// Marks a cloaked unit (SPEC.md §20.7): only empires that detect its hex see it.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cloaked;

/// Marks a synthetic NPC unit (never saved); its brain is [`super::npc::NpcBrain`].
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Npc;

/// A unit's weapon (units of a kind with no attack have none).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weapon {
    /// Damage of one shot before mitigation.
    pub attack: u16,
    /// Range in hexes.
    pub range: u32,
    /// Ticks between two shots.
    pub fire_ticks: u32,
    /// The first tick it may fire again.
    pub ready_at: u32,
}

/// Armour: each shot that hits the unit loses half of it (at least 1 damage gets through).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Armor(pub u16);

/// A player's order to attack `target`: the unit closes to its weapon range and fires.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackOrder {
    /// The target's stable id.
    pub target: EntityId,
    /// The tick of the unit's next chase path towards the target.
    pub repath_at: u32,
}

/// A building's production queue: its first job runs, the rest wait (paid).
#[derive(Component, Debug, Clone, Default, PartialEq, Eq)]
pub struct Production {
    /// Jobs in order; the first is running once its `done_at` is set.
    pub queue: VecDeque<Job>,
    /// The id the next job gets.
    pub next_job: JobId,
}

/// One production job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Its id in the building.
    pub id: JobId,
    /// Its recipe.
    pub recipe: RecipeId,
    /// Queue it again when it completes.
    pub repeat: bool,
    /// The tick it completes, once started.
    pub done_at: Option<u32>,
    /// What was paid for it (refunded on cancel), by resource slot.
    pub paid: [u32; 3],
}

/// Marks a construction site: the building works once its construction job completes.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnderConstruction;

/// A resource field and what it yields; fields are not combatants.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deposit(pub ResourceKind);
