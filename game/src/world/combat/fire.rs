//! The `fight` system: each armed unit, in stable-id order, picks its target (its order's,
//! or the best hostile in range), chases an ordered target out of range, and fires when its
//! weapon is ready; then damage lands, destroyed units leave the world, and the ledger
//! records what each empire dealt and suffered.

use super::CombatSettings;
use super::hostility::Hostilities;
use super::report::CombatLedger;
use super::rules::{damage, target_score, variance_permille};
use crate::map::grid::SpatialGrid;
use crate::map::path::find_path;
use crate::world::components::{
    Armor, AttackOrder, Deposit, Health, NEUTRAL_EMPIRE, Npc, Owner, Path, Position, StableId,
    Weapon,
};
use crate::world::parallel::Parallel;
use crate::world::resources::{
    CombatGrid, Counters, Dirty, EntityIndex, GRID_CELL, TickCount, WorldMap,
};
use crate::world::skirmish::Skirmisher;
use crate::world::spawn::despawn_entity;
use crate::world::vision::{EmpireVision, Vision};
use bevy_ecs::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::{EmpireId, EntityId, Hex};

/// Ticks between two target scans of an idle unit without an attack order.
const ACQUIRE_EVERY: u32 = 4;

/// Fewest shooters a piece of the parallel target choice holds (fewer run on the tick
/// thread alone: a piece must outweigh waking a worker, some microseconds).
const MIN_PIECE: usize = 256;

/// An armed unit as the tick starts.
#[derive(Debug, Clone, Copy)]
struct Shooter {
    entity: Entity,
    id: EntityId,
    owner: EmpireId,
    pos: Hex,
    weapon: Weapon,
    order: Option<AttackOrder>,
}

/// What became of an attack order this tick.
enum Ordered {
    /// The target is gone, or out of the sender's sight: the order ends.
    Gone,
    /// In weapon range: stand and fire.
    InRange(EntityId),
    /// Out of range, at this hex: close in.
    Chase(Hex),
}

/// A hostile candidate for a target: what the shooter may fire at.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    entity: Entity,
    owner: EmpireId,
    health: u16,
    pos: Hex,
    attack: u16,
}

/// Fire every ready weapon, apply the damage, remove the destroyed.
pub(super) fn fight(world: &mut World) {
    let settings = *world.resource::<CombatSettings>();
    if !settings.enabled {
        return;
    }
    let tick = world.resource::<TickCount>().0;
    let shooters = shooters(world);
    let targets = targets(world);
    let scope = Scope::of(world, &targets, tick, settings.retaliation_ticks);
    // Choosing reads only the tick's snapshot, the vision and the hostilities, none of which
    // the orders below change: the choices are made first, side by side.
    let parallel = world
        .get_resource::<Parallel>()
        .copied()
        .unwrap_or_else(Parallel::serial);
    let seen: &World = world;
    let acquired = parallel.map(&shooters, MIN_PIECE, |s| {
        looks_now(s, tick)
            .then(|| acquire(seen, &targets, &scope, s, tick, settings.retaliation_ticks))
            .flatten()
    });
    let mut shots: Vec<(Shooter, EntityId)> = Vec::new();
    for (s, acquired) in shooters.iter().zip(acquired) {
        let target = match s.order {
            Some(order) => match ordered(world, &targets, s, order.target) {
                Ordered::Gone => {
                    end_order(world, s.entity);
                    None
                }
                Ordered::InRange(target) => {
                    halt(world, s.entity);
                    Some(target)
                }
                Ordered::Chase(at) => {
                    if tick >= order.repath_at {
                        chase(world, s, at, tick + settings.chase_repath_ticks);
                    }
                    None
                }
            },
            None => acquired,
        };
        if let Some(target) = target
            && s.weapon.ready_at <= tick
        {
            shots.push((*s, target));
        }
    }
    let destroyed = land(world, &settings, tick, &shots);
    remove_destroyed(world, &destroyed);
    if tick.is_multiple_of(settings.retaliation_ticks.max(1)) {
        world
            .resource_mut::<Hostilities>()
            .prune(tick, settings.retaliation_ticks);
    }
}

/// Whether a shooter without an order looks for a target this tick: only when it could fire,
/// each tick for a while after its weapon became ready (a fight goes on at the full rate),
/// then every few ticks, staggered by id, so idle armies cost a fraction of the range queries
/// (and react within 150 ms).
fn looks_now(s: &Shooter, tick: u32) -> bool {
    s.order.is_none()
        && s.weapon.ready_at <= tick
        && (tick < s.weapon.ready_at.saturating_add(ACQUIRE_EVERY)
            || tick.wrapping_add(s.id).is_multiple_of(ACQUIRE_EVERY))
}

/// Every armed unit, by stable id.
fn shooters(world: &mut World) -> Vec<Shooter> {
    let mut q = world.query::<(
        Entity,
        &StableId,
        &Owner,
        &Position,
        &Weapon,
        Option<&AttackOrder>,
    )>();
    let mut out: Vec<Shooter> = q
        .iter(world)
        .map(|(entity, id, owner, pos, weapon, order)| Shooter {
            entity,
            id: id.0,
            owner: owner.0,
            pos: pos.0,
            weapon: *weapon,
            order: order.copied(),
        })
        .collect();
    out.sort_unstable_by_key(|s| s.id);
    out
}

/// Every unit that may be a target this tick (alive, a combatant: not the synthetic load
/// except the skirmish's sides, not a resource field), by id, as the fight starts. Targets
/// are chosen before any shot lands and choosing changes none of this, so choices made from
/// it equal choices made from the world (shots land against the world, [`candidate`]).
fn targets(world: &mut World) -> FxHashMap<EntityId, Candidate> {
    let mut q = world.query_filtered::<(
        Entity,
        &StableId,
        &Owner,
        &Health,
        &Position,
        Option<&Weapon>,
    ), (Or<(Without<Npc>, With<Skirmisher>)>, Without<Deposit>)>();
    q.iter(world)
        .filter(|(.., health, _, _)| health.0 > 0)
        .map(|(entity, id, owner, health, pos, weapon)| {
            let c = Candidate {
                entity,
                owner: owner.0,
                health: health.0,
                pos: pos.0,
                attack: weapon.map_or(0, |w| w.attack),
            };
            (id.0, c)
        })
        .collect()
}

/// `id` as a target `shooter` may choose, from the tick's `targets`: hostile, and seen by
/// the shooter's empire (neutral pirates have no vision and fire at what is in range). The
/// same rule as [`candidate`], without touching the world per unit looked at.
fn choosable<'a>(
    targets: &'a FxHashMap<EntityId, Candidate>,
    vision: &Vision,
    sight: Option<&EmpireVision>,
    shooter: &Shooter,
    id: EntityId,
) -> Option<&'a Candidate> {
    let c = targets.get(&id)?;
    if id == shooter.id || c.owner == shooter.owner {
        return None;
    }
    if shooter.owner != NEUTRAL_EMPIRE && !vision.sees_with(sight, id) {
        return None;
    }
    Some(c)
}

/// `id` as a target of `shooter` now, as shots land: alive, hostile, a combatant, and seen
/// by the shooter's empire (neutral pirates have no vision and fire at what is in range).
fn candidate(world: &World, shooter: &Shooter, id: EntityId) -> Option<Candidate> {
    if id == shooter.id {
        return None;
    }
    let entity = *world.resource::<EntityIndex>().by_id.get(&id)?;
    let e = world.get_entity(entity).ok()?;
    let owner = e.get::<Owner>()?.0;
    let health = e.get::<Health>()?.0;
    // Synthetic load is no target, except the skirmish's fighting sides.
    let npc = e.contains::<Npc>() && !e.contains::<Skirmisher>();
    if owner == shooter.owner || health == 0 || npc || e.contains::<Deposit>() {
        return None;
    }
    if shooter.owner != NEUTRAL_EMPIRE && !world.resource::<Vision>().sees(shooter.owner, id) {
        return None;
    }
    Some(Candidate {
        entity,
        owner,
        health,
        pos: e.get::<Position>()?.0,
        attack: e.get::<Weapon>().map_or(0, |w| w.attack),
    })
}

/// Where an attack order stands this tick.
fn ordered(
    world: &World,
    targets: &FxHashMap<EntityId, Candidate>,
    shooter: &Shooter,
    target: EntityId,
) -> Ordered {
    let vision = world.resource::<Vision>();
    let sight = vision.empire(shooter.owner);
    match choosable(targets, vision, sight, shooter, target) {
        None => Ordered::Gone,
        Some(c) if c.pos.distance(shooter.pos) <= shooter.weapon.range => Ordered::InRange(target),
        Some(c) => Ordered::Chase(c.pos),
    }
}

/// Where this tick's shooters without an order look (they choose the same targets as over
/// the whole grid, over less of it): a player's unit that no other player hit lately may
/// engage only pirates, so it looks over the pirates alone.
struct Scope {
    /// Empires that may engage another player's units ([`Hostilities::retaliating`]).
    retaliating: FxHashSet<EmpireId>,
    /// The pirates among the tick's targets, where the combat grid has them.
    pirates: SpatialGrid,
}

impl Scope {
    fn of(
        world: &World,
        targets: &FxHashMap<EntityId, Candidate>,
        tick: u32,
        window: u32,
    ) -> Scope {
        let grid = &world.resource::<CombatGrid>().0;
        let mut pirates = SpatialGrid::new(GRID_CELL);
        for (id, c) in targets {
            if c.owner == NEUTRAL_EMPIRE
                && let Some(pos) = grid.position(*id)
            {
                pirates.upsert(*id, pos);
            }
        }
        Scope {
            retaliating: world.resource::<Hostilities>().retaliating(tick, window),
            pirates,
        }
    }

    /// The grid `shooter` looks over for a target of its own choice.
    fn grid_for<'a>(&'a self, world: &'a World, shooter: &Shooter) -> &'a SpatialGrid {
        if shooter.owner == NEUTRAL_EMPIRE || self.retaliating.contains(&shooter.owner) {
            &world.resource::<CombatGrid>().0
        } else {
            &self.pirates
        }
    }
}

/// The best hostile in weapon range that the shooter's empire may engage without an order
/// ([`Hostilities::may_engage`]): highest [`target_score`], then lowest id.
fn acquire(
    world: &World,
    targets: &FxHashMap<EntityId, Candidate>,
    scope: &Scope,
    shooter: &Shooter,
    tick: u32,
    window: u32,
) -> Option<EntityId> {
    let hostilities = world.resource::<Hostilities>();
    let vision = world.resource::<Vision>();
    let sight = vision.empire(shooter.owner);
    let mut best = None;
    scope
        .grid_for(world, shooter)
        .for_each_in_range(shooter.pos, shooter.weapon.range, |id, _| {
            let Some(c) = choosable(targets, vision, sight, shooter, id) else {
                return;
            };
            if !hostilities.may_engage(shooter.owner, c.owner, tick, window) {
                return;
            }
            let score = target_score(c.health, c.pos.distance(shooter.pos), c.attack);
            best = best.max(Some((score, std::cmp::Reverse(id))));
        });
    best.map(|(_, std::cmp::Reverse(id))| id)
}

/// The order ends: drop it and stand.
fn end_order(world: &mut World, entity: Entity) {
    halt(world, entity);
    world.entity_mut(entity).remove::<AttackOrder>();
}

/// Stand still (in range of the target, or the order ended).
fn halt(world: &mut World, entity: Entity) {
    if let Some(mut path) = world.get_mut::<Path>(entity)
        && !path.hexes.is_empty()
    {
        path.hexes.clear();
        path.progress = 0;
    }
}

/// Walk towards `at`; the order ends when no path leads there.
fn chase(world: &mut World, shooter: &Shooter, at: Hex, next_repath: u32) {
    let path = find_path(&world.resource::<WorldMap>().map, shooter.pos, at);
    let Some(path) = path else {
        end_order(world, shooter.entity);
        return;
    };
    if let Some(mut p) = world.get_mut::<Path>(shooter.entity) {
        p.hexes = path.into();
    }
    if let Some(mut order) = world.get_mut::<AttackOrder>(shooter.entity) {
        order.repath_at = next_repath;
    }
}

/// Apply the shots in shooter order; returns the units destroyed, in the order they fell.
fn land(
    world: &mut World,
    settings: &CombatSettings,
    tick: u32,
    shots: &[(Shooter, EntityId)],
) -> Vec<(Entity, EntityId)> {
    let mut destroyed = Vec::new();
    for (shooter, target) in shots {
        let Some(c) = candidate(world, shooter, *target) else {
            continue;
        };
        let defense = world.get::<Armor>(c.entity).map_or(0, |a| a.0);
        let variance = variance_permille(settings.seed, tick, shooter.id, *target);
        let dealt = damage(shooter.weapon.attack, defense, variance).min(c.health);
        let left = c.health - dealt;
        if let Some(mut health) = world.get_mut::<Health>(c.entity) {
            health.0 = left;
        }
        if let Some(mut weapon) = world.get_mut::<Weapon>(shooter.entity) {
            weapon.ready_at = tick.saturating_add(shooter.weapon.fire_ticks);
        }
        world.resource_mut::<Dirty>().0.insert(*target);
        let mut ledger = world.resource_mut::<CombatLedger>();
        ledger.hit(shooter.owner, c.owner, dealt, left == 0);
        world
            .resource_mut::<Hostilities>()
            .hit(c.owner, shooter.owner, tick);
        let mut counters = world.resource_mut::<Counters>();
        counters.shots += 1;
        if left == 0 {
            counters.destroyed += 1;
            destroyed.push((c.entity, *target));
        }
    }
    destroyed
}

/// Take destroyed units out of the world and its indexes.
fn remove_destroyed(world: &mut World, destroyed: &[(Entity, EntityId)]) {
    for &(entity, id) in destroyed {
        despawn_entity(world, entity, id);
    }
}
