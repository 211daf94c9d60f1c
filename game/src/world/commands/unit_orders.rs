//! One system per unit command kind: each takes its queue, checks every order in the order
//! of SPEC.md §18.1 and applies the accepted ones. A unit or target the sender cannot see is
//! refused exactly as one that does not exist.

use super::orders::{AttackOrders, MoveOrders, Replies, StopOrders};
use crate::map::path::find_path;
use crate::world::components::{
    AttackOrder, Deposit, MoveTicks, Npc, Owner, Path, Position, Weapon,
};
use crate::world::resources::{EntityIndex, TickCount, WorldMap};
use crate::world::vision::Vision;
use bevy_ecs::prelude::*;
use starlane_protocol::{CommandError, EmpireId, EntityId, Hex};

/// The ECS entity of `unit` if `empire` owns it; `UnknownUnit` if it does not exist or the
/// empire cannot see it, `NotYourUnit` if the empire sees another empire's unit.
pub fn own_unit(world: &World, empire: EmpireId, unit: EntityId) -> Result<Entity, CommandError> {
    let entity = world
        .resource::<EntityIndex>()
        .by_id
        .get(&unit)
        .copied()
        .ok_or(CommandError::UnknownUnit)?;
    let owner = world
        .get::<Owner>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    if owner == empire {
        return Ok(entity);
    }
    // Anti-ESP: a foreign unit outside the sender's vision does not exist for them.
    Err(if world.resource::<Vision>().sees(empire, unit) {
        CommandError::NotYourUnit
    } else {
        CommandError::UnknownUnit
    })
}

/// Check a move in order: unit exists (and, if foreign, is visible), ownership, mobility,
/// destination on the map, passable, reachable. Returns the path.
pub fn validate_move(
    world: &World,
    empire: EmpireId,
    unit: EntityId,
    to: Hex,
) -> Result<Vec<Hex>, CommandError> {
    let entity = own_unit(world, empire, unit)?;
    if world.get::<MoveTicks>(entity).is_none_or(|m| m.0 == 0) {
        return Err(CommandError::Immobile);
    }
    let from = world
        .get::<Position>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    let map = &world.resource::<WorldMap>().map;
    if !map.contains(to) {
        return Err(CommandError::OffMap);
    }
    if !map.is_passable(to) {
        return Err(CommandError::Impassable);
    }
    find_path(map, from, to).ok_or(CommandError::NoPath)
}

/// Check an attack in order: the unit is the sender's, armed; the target exists and the
/// sender sees it; the target is another empire's combatant. Returns the unit's entity.
pub fn validate_attack(
    world: &World,
    empire: EmpireId,
    unit: EntityId,
    target: EntityId,
) -> Result<Entity, CommandError> {
    let entity = own_unit(world, empire, unit)?;
    if world.get::<Weapon>(entity).is_none() {
        return Err(CommandError::Unarmed);
    }
    let target_entity = world
        .resource::<EntityIndex>()
        .by_id
        .get(&target)
        .copied()
        .ok_or(CommandError::UnknownTarget)?;
    let target_owner = world
        .get::<Owner>(target_entity)
        .ok_or(CommandError::UnknownTarget)?
        .0;
    if target_owner == empire {
        return Err(CommandError::InvalidTarget);
    }
    if !world.resource::<Vision>().sees(empire, target) {
        return Err(CommandError::UnknownTarget);
    }
    if world.get::<Npc>(target_entity).is_some() || world.get::<Deposit>(target_entity).is_some() {
        // Synthetic load units ([load]) and resource fields are not combatants.
        return Err(CommandError::InvalidTarget);
    }
    Ok(entity)
}

/// Validate each move, set the unit's path and drop its attack order.
pub(super) fn apply_moves(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<MoveOrders>().0);
    for (order, unit, to) in orders {
        let result = validate_move(world, order.empire, unit, to).map(|path| {
            let Some(entity) = world.resource::<EntityIndex>().by_id.get(&unit).copied() else {
                return;
            };
            if let Some(mut p) = world.get_mut::<Path>(entity) {
                p.hexes = path.into();
                p.progress = 0;
            }
            world.entity_mut(entity).remove::<AttackOrder>();
        });
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}

/// Validate each stop, then drop the unit's path and attack order.
pub(super) fn apply_stops(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<StopOrders>().0);
    for (order, unit) in orders {
        let result = own_unit(world, order.empire, unit).map(|entity| {
            if let Some(mut p) = world.get_mut::<Path>(entity) {
                p.hexes.clear();
                p.progress = 0;
            }
            world.entity_mut(entity).remove::<AttackOrder>();
        });
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}

/// Validate each attack and give the unit its attack order (the combat stage chases and
/// fires).
pub(super) fn apply_attacks(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<AttackOrders>().0);
    let tick = world.resource::<TickCount>().0;
    for (order, unit, target) in orders {
        let result = validate_attack(world, order.empire, unit, target).map(|entity| {
            world.entity_mut(entity).insert(AttackOrder {
                target,
                repath_at: tick,
            });
        });
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}
