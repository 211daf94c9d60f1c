//! Resource fields: neutral entities that extractors next to them mine, placed from the map
//! seed on a fresh map; and the building-site rule they share with buildings.

use super::EconomySettings;
use crate::map::{find_from, ring};
use crate::world::combat::mix;
use crate::world::components::{Deposit, Kind};
use crate::world::resources::{EntityIndex, Grid, WorldMap};
use crate::world::spawn::{UnitSpec, spawn_entity};
use bevy_ecs::prelude::*;
use starlane_protocol::{EntityKind, Hex, NEUTRAL_EMPIRE};

/// Whether `at` holds no building and no resource field.
pub fn site_free(world: &World, at: Hex) -> bool {
    let index = world.resource::<EntityIndex>();
    let mut free = true;
    world
        .resource::<Grid>()
        .0
        .for_each_in_range(at, 0, |id, _| {
            let taken = index
                .by_id
                .get(&id)
                .and_then(|e| world.get::<Kind>(*e))
                .is_some_and(|k| k.0.is_building() || k.0.deposit().is_some());
            free &= !taken;
        });
    free
}

/// Whether any resource field stands within one hex of `at`.
pub fn field_near(world: &World, at: Hex) -> bool {
    let index = world.resource::<EntityIndex>();
    let mut near = false;
    world
        .resource::<Grid>()
        .0
        .for_each_in_range(at, 1, |id, _| {
            near |= index
                .by_id
                .get(&id)
                .is_some_and(|e| world.get::<Deposit>(*e).is_some());
        });
    near
}

/// Number of resource fields in the world.
pub fn field_count(world: &mut World) -> usize {
    world.query::<&Deposit>().iter(world).count()
}

/// Spawn `fields_per_chunk` fields in every chunk, alternately metal and crystal, each on a
/// free passable hex 3 or more hexes from the chunk's center, drawn from the seed. Returns
/// how many were placed.
pub fn spawn_fields(world: &mut World) -> usize {
    let settings = world.resource::<EconomySettings>();
    let (per_chunk, seed) = (settings.fields_per_chunk, settings.seed);
    let map = world.resource::<WorldMap>().map.clone();
    let radius = map.chunk_radius();
    let mut placed = 0;
    for (c, center) in map.chunks().iter().enumerate() {
        for i in 0..per_chunk {
            let draw = mix(seed ^ ((c as u64) << 32) ^ u64::from(i));
            // Rings 3..radius-1 (at least ring 3 on the smallest maps).
            let span = u64::from(radius.saturating_sub(3).max(1));
            let r = 3 + (draw % span) as u32;
            let hexes: Vec<Hex> = ring(*center, r).collect();
            let spot = find_from(&hexes, (draw >> 32) as usize, |h| {
                map.is_passable(h) && site_free(world, h)
            });
            let Some(pos) = spot else { continue };
            let kind = if i % 2 == 0 {
                EntityKind::MetalField
            } else {
                EntityKind::CrystalField
            };
            spawn_entity(
                world,
                UnitSpec {
                    id: None,
                    owner: NEUTRAL_EMPIRE,
                    kind,
                    pos,
                    health: None,
                },
            );
            placed += 1;
        }
    }
    placed
}
