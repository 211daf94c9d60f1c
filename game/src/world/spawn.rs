//! Spawning units: their components from the kind's [`UnitStats`], their place in the
//! entity index, the spatial grid and the save set.

use super::components::{
    Armor, Cloaked, Deposit, Detector, Health, Kind, MoveTicks, Owner, Path, Position, Production,
    StableId, VisionRange, Weapon,
};
use super::resources::{CombatGrid, Dirty, EntityIndex, Grid};
use super::schedule::RegionPlugin;
use crate::config::{PerKind, RegionConfig};
use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex};

/// Per-kind stats of new units (the `vision`, `move_ticks`, `health`, `[combat]` and
/// `[stealth]` settings).
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct UnitStats {
    /// Vision range in hexes.
    pub vision: PerKind,
    /// Ticks to move one hex (0 = cannot move).
    pub move_ticks: PerKind,
    /// Starting (maximum) health.
    pub health: PerKind,
    /// Damage of one shot (0 = unarmed).
    pub attack: PerKind,
    /// Armour.
    pub defense: PerKind,
    /// Weapon range in hexes.
    pub weapon_range: PerKind,
    /// Ticks between two shots.
    pub fire_ticks: PerKind,
    /// Detection range in hexes (0 = none). Detectors are given only when some kind is
    /// cloaked: otherwise they would detect nothing, at the cost of a second disc per move.
    pub detect: PerKind,
    /// The cloaked kinds.
    pub cloaked: Vec<EntityKind>,
}

/// Installs the [`UnitStats`] that [`spawn_unit`] reads.
#[derive(Debug, Clone)]
pub struct SpawnPlugin {
    /// Stats of new units.
    pub stats: UnitStats,
}

impl RegionPlugin for SpawnPlugin {
    fn build(&self, world: &mut World, _schedule: &mut Schedule) {
        world.insert_resource(self.stats.clone());
    }
}

impl UnitStats {
    /// The slice of `config` this holds.
    pub fn from_config(config: &RegionConfig) -> Self {
        Self {
            vision: config.vision,
            move_ticks: config.move_ticks,
            health: config.health,
            attack: config.combat.attack,
            defense: config.combat.defense,
            weapon_range: config.combat.weapon_range,
            fire_ticks: config.combat.fire_ticks,
            detect: config.stealth.detect,
            cloaked: config.stealth.cloaked_kinds(),
        }
    }
}

/// What to spawn with [`RegionSim::spawn_unit`](super::RegionSim::spawn_unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitSpec {
    /// Reuse a stored id (loading), or `None` for a fresh one.
    pub id: Option<EntityId>,
    /// Owning empire.
    pub owner: EmpireId,
    /// Kind of unit.
    pub kind: EntityKind,
    /// Where it stands.
    pub pos: Hex,
    /// Health, or `None` for the kind's configured maximum.
    pub health: Option<u16>,
}

/// Spawn a unit into `world` (which must hold the [`CorePlugin`](super::resources::CorePlugin) and [`SpawnPlugin`] resources); returns its stable id.
pub fn spawn_unit(world: &mut World, spec: UnitSpec) -> EntityId {
    spawn_entity(world, spec).0
}

/// [`spawn_unit`], also returning the ECS entity.
pub(crate) fn spawn_entity(world: &mut World, spec: UnitSpec) -> (EntityId, Entity) {
    let stats = world.resource::<UnitStats>();
    let vision = stats.vision.get(spec.kind);
    let move_ticks = stats.move_ticks.get(spec.kind);
    let max_health = u16::try_from(stats.health.get(spec.kind)).unwrap_or(u16::MAX);
    let attack = u16::try_from(stats.attack.get(spec.kind)).unwrap_or(u16::MAX);
    let weapon = (attack > 0).then(|| Weapon {
        attack,
        range: stats.weapon_range.get(spec.kind),
        fire_ticks: stats.fire_ticks.get(spec.kind),
        ready_at: 0,
    });
    let armor = Armor(u16::try_from(stats.defense.get(spec.kind)).unwrap_or(u16::MAX));
    let cloaked = stats.cloaked.contains(&spec.kind);
    let detect = if !stats.cloaked.is_empty() {
        stats.detect.get(spec.kind)
    } else {
        0
    };
    let mut index = world.resource_mut::<EntityIndex>();
    let id = spec.id.unwrap_or(index.next_id);
    index.next_id = index.next_id.max(id.saturating_add(1));
    let mut spawned = world.spawn((
        StableId(id),
        Owner(spec.owner),
        Kind(spec.kind),
        Position(spec.pos),
        Health(spec.health.unwrap_or(max_health)),
        Path::default(),
        MoveTicks(move_ticks),
        VisionRange(vision),
        armor,
    ));
    if let Some(weapon) = weapon {
        spawned.insert(weapon);
    }
    if detect > 0 {
        spawned.insert(Detector(detect));
    }
    if cloaked {
        spawned.insert(Cloaked);
    }
    if spec.kind.is_building() {
        spawned.insert(Production {
            queue: Default::default(),
            next_job: 1,
        });
    }
    if let Some(resource) = spec.kind.deposit() {
        spawned.insert(Deposit(resource));
    }
    let entity = spawned.id();
    let mut index = world.resource_mut::<EntityIndex>();
    index.by_id.insert(id, entity);
    *index.units_of.entry(spec.owner).or_default() += 1;
    world.resource_mut::<Grid>().0.upsert(id, spec.pos);
    world.resource_mut::<Dirty>().0.insert(id);
    (id, entity)
}

/// Take an entity out of the world and its indexes (vision and sync see the removal).
pub(crate) fn despawn_entity(world: &mut World, entity: Entity, id: EntityId) {
    let owner = world.get::<Owner>(entity).map(|o| o.0);
    let mut index = world.resource_mut::<EntityIndex>();
    index.by_id.remove(&id);
    if let Some(owner) = owner
        && let Some(n) = index.units_of.get_mut(&owner)
    {
        *n = n.saturating_sub(1);
    }
    world.resource_mut::<Grid>().0.remove(id);
    world.resource_mut::<CombatGrid>().0.remove(id);
    world.resource_mut::<Dirty>().0.remove(&id);
    world.despawn(entity);
}
