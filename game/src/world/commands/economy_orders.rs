//! The economy's commands, one system per kind (SPEC.md §19.2): each checks every order in
//! the SPEC's order and applies the accepted ones. A building the sender cannot see is
//! refused exactly as one that does not exist.

use super::orders::{BuildOrders, CancelOrders, Replies, TrainOrders};
use super::unit_orders::own_unit;
use crate::world::components::{
    Job, Kind, Owner, Position, Production, StableId, UnderConstruction,
};
use crate::world::economy::fields::{field_near, site_free};
use crate::world::economy::notify::JobEvents;
use crate::world::economy::production::deposits_near;
use crate::world::economy::{EconomySettings, Stock, Stockpiles};
use crate::world::resources::WorldMap;
use crate::world::spawn::{UnitSpec, despawn_entity, spawn_entity};
use bevy_ecs::prelude::*;
use starlane_protocol::economy::{JobEvent, JobState, RecipeOutput};
use starlane_protocol::{CommandError, EmpireId, EntityId, EntityKind, Hex, JobId, RecipeId};

/// An accepted build: where, what, with which recipe, at what cost.
#[derive(Debug, Clone, Copy)]
pub struct BuildPlan {
    /// The site.
    pub at: Hex,
    /// The building kind.
    pub kind: EntityKind,
    /// The construction recipe.
    pub recipe: RecipeId,
    /// Its inputs.
    pub cost: Stock,
}

/// Check a build in order (SPEC.md §19.2) without paying.
pub fn validate_build(
    world: &World,
    empire: EmpireId,
    unit: EntityId,
    kind: EntityKind,
    at: Hex,
) -> Result<BuildPlan, CommandError> {
    let entity = own_unit(world, empire, unit)?;
    let builder = world
        .get::<Kind>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    let settings = world.resource::<EconomySettings>();
    let recipe = settings.book.building(builder, kind).map_err(|other| {
        if other {
            CommandError::WrongProducer
        } else {
            CommandError::UnknownRecipe
        }
    })?;
    let from = world
        .get::<Position>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    if from.distance(at) > settings.build_range {
        return Err(CommandError::BadSite);
    }
    let map = &world.resource::<WorldMap>().map;
    if !map.contains(at) {
        return Err(CommandError::OffMap);
    }
    if !map.is_passable(at) {
        return Err(CommandError::Impassable);
    }
    if !site_free(world, at) || (kind == EntityKind::Extractor && !field_near(world, at)) {
        return Err(CommandError::BadSite);
    }
    let cost = Stockpiles::cost(&recipe.inputs);
    world.resource::<Stockpiles>().check(empire, cost)?;
    Ok(BuildPlan {
        at,
        kind,
        recipe: recipe.id,
        cost,
    })
}

/// Check a train order in order (SPEC.md §19.2) without paying; returns the building and
/// the cost.
pub fn validate_train(
    world: &World,
    empire: EmpireId,
    building: EntityId,
    recipe: RecipeId,
) -> Result<(Entity, Stock), CommandError> {
    let entity = own_unit(world, empire, building)?;
    let kind = world
        .get::<Kind>(entity)
        .ok_or(CommandError::UnknownUnit)?
        .0;
    let settings = world.resource::<EconomySettings>();
    let (r, deposit) = settings
        .book
        .get(recipe)
        .ok_or(CommandError::UnknownRecipe)?;
    if r.producer != kind || matches!(r.output, RecipeOutput::Building(_)) {
        return Err(CommandError::WrongProducer);
    }
    if world.get::<UnderConstruction>(entity).is_some() {
        return Err(CommandError::UnderConstruction);
    }
    let queue = world
        .get::<Production>(entity)
        .ok_or(CommandError::WrongProducer)?;
    if deposit {
        let at = world
            .get::<Position>(entity)
            .ok_or(CommandError::UnknownUnit)?
            .0;
        let RecipeOutput::Resources(out) = &r.output else {
            return Err(CommandError::WrongProducer);
        };
        if out.iter().all(|(k, _)| deposits_near(world, at, *k) == 0) {
            return Err(CommandError::BadSite);
        }
    }
    if queue.queue.len() >= settings.queue_len {
        return Err(CommandError::QueueFull);
    }
    let cost = Stockpiles::cost(&r.inputs);
    world.resource::<Stockpiles>().check(empire, cost)?;
    Ok((entity, cost))
}

/// Check a cancel: the building is the sender's and holds the job.
pub fn validate_cancel(
    world: &World,
    empire: EmpireId,
    building: EntityId,
    job: JobId,
) -> Result<(Entity, Job), CommandError> {
    let entity = own_unit(world, empire, building)?;
    let found = world
        .get::<Production>(entity)
        .and_then(|p| p.queue.iter().find(|j| j.id == job).copied())
        .ok_or(CommandError::UnknownJob)?;
    Ok((entity, found))
}

/// Validate each build, pay it and place the construction site with its one job.
pub(super) fn apply_builds(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<BuildOrders>().0);
    for (order, unit, kind, at) in orders {
        let result = validate_build(world, order.empire, unit, kind, at)
            .and_then(|plan| place_site(world, order.empire, plan));
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}

fn place_site(world: &mut World, empire: EmpireId, plan: BuildPlan) -> Result<(), CommandError> {
    world.resource_mut::<Stockpiles>().pay(empire, plan.cost)?;
    let spec = UnitSpec {
        id: None,
        owner: empire,
        kind: plan.kind,
        pos: plan.at,
        health: None,
    };
    let (id, entity) = spawn_entity(world, spec);
    let job = Job {
        id: 1,
        recipe: plan.recipe,
        repeat: false,
        done_at: None,
        paid: plan.cost,
    };
    world.entity_mut(entity).insert((
        UnderConstruction,
        Production {
            queue: [job].into(),
            next_job: 2,
        },
    ));
    job_event(world, empire, id, job, JobState::Queued);
    Ok(())
}

/// Validate each train order, pay it and queue the job.
pub(super) fn apply_trains(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<TrainOrders>().0);
    for (order, building, recipe, repeat) in orders {
        let result = validate_train(world, order.empire, building, recipe).and_then(|(e, cost)| {
            world.resource_mut::<Stockpiles>().pay(order.empire, cost)?;
            let mut p = world
                .get_mut::<Production>(e)
                .ok_or(CommandError::WrongProducer)?;
            let job = Job {
                id: p.next_job,
                recipe,
                repeat,
                done_at: None,
                paid: cost,
            };
            p.next_job = p.next_job.wrapping_add(1).max(1);
            p.queue.push_back(job);
            job_event(world, order.empire, building, job, JobState::Queued);
            Ok(())
        });
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}

/// Validate each cancel, drop the job and refund it; cancelling a site's construction
/// removes the site.
pub(super) fn apply_cancels(world: &mut World) {
    let orders = std::mem::take(&mut world.resource_mut::<CancelOrders>().0);
    for (order, building, job) in orders {
        let result = validate_cancel(world, order.empire, building, job).map(|(e, found)| {
            if let Some(mut p) = world.get_mut::<Production>(e) {
                p.queue.retain(|j| j.id != job);
            }
            world
                .resource_mut::<Stockpiles>()
                .add(order.empire, found.paid);
            job_event(world, order.empire, building, found, JobState::Cancelled);
            let site = world.get::<UnderConstruction>(e).is_some();
            let construction = world
                .resource::<EconomySettings>()
                .book
                .get(found.recipe)
                .is_some_and(|(r, _)| matches!(r.output, RecipeOutput::Building(_)));
            if site && construction {
                despawn_entity(world, e, building);
            }
        });
        world.resource_mut::<Replies>().0.push(order.reply(result));
    }
}

fn job_event(world: &mut World, empire: EmpireId, building: EntityId, job: Job, state: JobState) {
    world.resource_mut::<JobEvents>().0.push((
        empire,
        JobEvent {
            building,
            job: job.id,
            recipe: job.recipe,
            state,
        },
    ));
}

/// The ids of `empire`'s buildings, sorted (tests, tools).
pub fn buildings_of(world: &mut World, empire: EmpireId) -> Vec<EntityId> {
    let mut out: Vec<EntityId> = world
        .query_filtered::<(&StableId, &Owner), With<Production>>()
        .iter(world)
        .filter(|(_, o)| o.0 == empire)
        .map(|(id, _)| id.0)
        .collect();
    out.sort_unstable();
    out
}
