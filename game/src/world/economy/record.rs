//! The economy as stored in a world snapshot: taken from the world, and put back after the
//! snapshot's units are loaded.

use super::Stockpiles;
use crate::records::{EconomyRecord, JobRecord};
use crate::world::components::{Job, Production, StableId, UnderConstruction};
use crate::world::resources::{EntityIndex, TickCount};
use bevy_ecs::prelude::*;

/// The world's economy as stored: stocks, every job (with the ticks left of started ones)
/// and the construction sites.
pub fn take_record(world: &mut World) -> EconomyRecord {
    let tick = world.resource::<TickCount>().0;
    let stocks = world.resource::<Stockpiles>().all();
    let mut jobs = Vec::new();
    let mut sites = Vec::new();
    let mut q = world.query::<(&StableId, &Production, Has<UnderConstruction>)>();
    for (id, p, site) in q.iter(world) {
        if site {
            sites.push(id.0);
        }
        for (position, job) in p.queue.iter().enumerate() {
            jobs.push(JobRecord {
                building: id.0,
                job: job.id,
                position: u32::try_from(position).unwrap_or(u32::MAX),
                recipe: job.recipe,
                repeat: job.repeat,
                remaining: job.done_at.map(|at| at.saturating_sub(tick)),
                paid: job.paid,
            });
        }
    }
    jobs.sort_unstable_by_key(|j| (j.building, j.position));
    sites.sort_unstable();
    EconomyRecord {
        stocks,
        jobs,
        sites,
    }
}

/// Put a stored economy back into a world whose units (buildings included) are loaded. Jobs
/// and sites of buildings that are gone are dropped; a started job resumes with the ticks it
/// had left. Returns how many jobs were restored.
pub fn restore_record(world: &mut World, record: &EconomyRecord) -> usize {
    let tick = world.resource::<TickCount>().0;
    {
        let mut stock = world.resource_mut::<Stockpiles>();
        for (empire, s) in &record.stocks {
            stock.set(*empire, *s);
        }
    }
    let mut restored = 0;
    for j in &record.jobs {
        let Some(entity) = world
            .resource::<EntityIndex>()
            .by_id
            .get(&j.building)
            .copied()
        else {
            continue;
        };
        let Some(mut p) = world.get_mut::<Production>(entity) else {
            continue;
        };
        p.queue.push_back(Job {
            id: j.job,
            recipe: j.recipe,
            repeat: j.repeat,
            done_at: j.remaining.map(|r| tick.saturating_add(r)),
            paid: j.paid,
        });
        p.next_job = p.next_job.max(j.job.saturating_add(1));
        restored += 1;
    }
    for id in &record.sites {
        if let Some(entity) = world.resource::<EntityIndex>().by_id.get(id).copied()
            && world.get::<Production>(entity).is_some()
        {
            world.entity_mut(entity).insert(UnderConstruction);
        }
    }
    restored
}
