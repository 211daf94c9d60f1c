//! Components of the region's entities. Resources live with the plugin that owns them.

use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex};
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

/// Marks a synthetic NPC unit (never saved); its brain is [`super::npc::NpcBrain`].
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Npc;
