//! Production: each tick, every building starts its first job if it is waiting and
//! delivers it once its ticks have passed; repeating jobs queue again if the empire can pay.
//! Buildings are visited in stable-id order, so a replay of the same commands produces the
//! same units with the same ids.

use super::EconomySettings;
use super::notify::JobEvents;
use super::stock::{Stock, Stockpiles};
use crate::config::slot;
use crate::world::components::{
    Deposit, Job, Kind, Owner, Position, Production, StableId, UnderConstruction,
};
use crate::world::resources::{Grid, TickCount};
use crate::world::spawn::{UnitSpec, spawn_entity};
use bevy_ecs::prelude::*;
use starlane_protocol::economy::{JobEvent, JobState, RecipeOutput};
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex, ResourceKind};

/// A building with a job to look at this tick.
struct Busy {
    entity: Entity,
    id: EntityId,
    owner: EmpireId,
    kind: EntityKind,
    pos: Hex,
}

/// Start and complete the first job of every building.
pub(super) fn run_production(world: &mut World) {
    let tick = world.resource::<TickCount>().0;
    let mut busy: Vec<Busy> = world
        .query::<(Entity, &StableId, &Owner, &Kind, &Position, &Production)>()
        .iter(world)
        .filter(|(.., p)| !p.queue.is_empty())
        .map(|(entity, id, owner, kind, pos, _)| Busy {
            entity,
            id: id.0,
            owner: owner.0,
            kind: kind.0,
            pos: pos.0,
        })
        .collect();
    busy.sort_unstable_by_key(|b| b.id);
    for b in busy {
        step_building(world, &b, tick);
    }
}

/// Start the building's first job if it waits; complete it if its time has come.
fn step_building(world: &mut World, b: &Busy, tick: u32) {
    let Some(head) = world
        .get::<Production>(b.entity)
        .and_then(|p| p.queue.front().copied())
    else {
        return;
    };
    let Some(done_at) = head.done_at else {
        start(world, b, head, tick);
        return;
    };
    if tick < done_at {
        return;
    }
    if let Some(mut p) = world.get_mut::<Production>(b.entity) {
        p.queue.pop_front();
    }
    deliver(world, b, head);
    event(world, b, head, JobState::Completed);
    if head.repeat {
        requeue(world, b, head);
    }
    // The next job starts at once, so a queue never idles a tick between jobs.
    if let Some(next) = world
        .get::<Production>(b.entity)
        .and_then(|p| p.queue.front().copied())
    {
        start(world, b, next, tick);
    }
}

fn start(world: &mut World, b: &Busy, job: Job, tick: u32) {
    let ticks = world
        .resource::<EconomySettings>()
        .book
        .get(job.recipe)
        .map_or(1, |(r, _)| r.ticks.max(1));
    let done_at = tick.saturating_add(ticks);
    if let Some(mut p) = world.get_mut::<Production>(b.entity)
        && let Some(first) = p.queue.front_mut()
    {
        first.done_at = Some(done_at);
    }
    event(world, b, job, JobState::Started);
}

/// Hand over what the job made.
fn deliver(world: &mut World, b: &Busy, job: Job) {
    let settings = world.resource::<EconomySettings>();
    let Some((recipe, deposit)) = settings.book.get(job.recipe) else {
        return;
    };
    let output = recipe.output.clone();
    let efficiency = settings.efficiency.get(b.kind);
    let max_deposits = settings.max_deposits;
    match output {
        RecipeOutput::Resources(amounts) => {
            let mut made = Stock::default();
            for (kind, amount) in amounts {
                let permille = if deposit {
                    efficiency * deposits_near(world, b.pos, kind).min(max_deposits)
                } else {
                    efficiency
                };
                let scaled = u64::from(amount) * u64::from(permille) / 1000;
                made[slot(kind)] = u32::try_from(scaled).unwrap_or(u32::MAX);
            }
            world.resource_mut::<Stockpiles>().add(b.owner, made);
        }
        RecipeOutput::Unit(kind) => {
            spawn_entity(
                world,
                UnitSpec {
                    id: None,
                    owner: b.owner,
                    kind,
                    pos: b.pos,
                    health: None,
                },
            );
        }
        RecipeOutput::Building(_) => {
            world.entity_mut(b.entity).remove::<UnderConstruction>();
        }
    }
}

/// Queue a repeating job again if the empire can pay its inputs; a stalled event if not.
fn requeue(world: &mut World, b: &Busy, job: Job) {
    let Some(cost) = world
        .resource::<EconomySettings>()
        .book
        .get(job.recipe)
        .map(|(r, _)| Stockpiles::cost(&r.inputs))
    else {
        return;
    };
    if world
        .resource_mut::<Stockpiles>()
        .pay(b.owner, cost)
        .is_err()
    {
        event(world, b, job, JobState::Stalled);
        return;
    }
    let again = Job {
        done_at: None,
        paid: cost,
        ..job
    };
    if let Some(mut p) = world.get_mut::<Production>(b.entity) {
        p.queue.push_back(again);
    }
    event(world, b, again, JobState::Queued);
}

/// Resource fields yielding `kind` next to `at` (within one hex).
pub fn deposits_near(world: &World, at: Hex, kind: ResourceKind) -> u32 {
    let index = world.resource::<crate::world::resources::EntityIndex>();
    let mut n = 0;
    world
        .resource::<Grid>()
        .0
        .for_each_in_range(at, 1, |id, _| {
            let yields = index
                .by_id
                .get(&id)
                .and_then(|e| world.get::<Deposit>(*e))
                .is_some_and(|d| d.0 == kind);
            n += u32::from(yields);
        });
    n
}

fn event(world: &mut World, b: &Busy, job: Job, state: JobState) {
    world.resource_mut::<JobEvents>().0.push((
        b.owner,
        JobEvent {
            building: b.id,
            job: job.id,
            recipe: job.recipe,
            state,
        },
    ));
}
