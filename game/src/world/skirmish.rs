//! The skirmish load (`[load] pattern = "skirmish"`): NPC units of two sides that fight each
//! other for real around the first spawn point, for the bench's `skirmish` scenario. They are
//! [`Npc`]s (never saved, moved by their brains) that keep their weapons, are valid targets for
//! each other ([`Skirmisher`]), and are at war for good: every second each side is recorded as
//! hit by the other, and reinforced back to its strength at the spot, so the fight lasts the
//! whole run. Players are not hostile to them unless they attack (the usual retaliation rule).

use super::combat::Hostilities;
use super::components::{Npc, Owner};
use super::npc::{NpcBrain, NpcPlan, next_u64, random_near, spawn_npc};
use super::resources::{TickCount, WorldMap};
use crate::config::LoadConfig;
use crate::map::GameMap;
use bevy_ecs::prelude::*;
use starlane_protocol::{EmpireId, EntityKind, Hex};

/// The two sides' empire ids: at the top of the id space, where no player's empire is.
pub const SIDES: [EmpireId; 2] = [u32::MAX - 1, u32::MAX - 2];

/// Radius around the spot where reinforcements arrive.
const ARRIVAL_RADIUS: i32 = 3;

/// Marks an NPC that fights (a skirmisher): it may be fired at, unlike other NPCs.
#[derive(Component, Debug, Clone, Copy)]
pub struct Skirmisher;

/// The skirmish under way: its spot and each side's strength.
#[derive(Resource, Debug, Clone, Copy)]
pub struct SkirmishLoad {
    spot: Hex,
    per_side: u32,
    rng: u64,
}

/// Where a skirmish is fought: the first spawn point (the first player's start), or the
/// nearest passable hex to it.
pub fn skirmish_spot(map: &GameMap) -> Option<Hex> {
    map.spawns().first().and_then(|s| map.nearest_passable(*s))
}

/// Begin the skirmish of `load` (after its units were spawned).
pub(crate) fn start(world: &mut World, load: &LoadConfig) {
    let Some(spot) = skirmish_spot(&world.resource::<WorldMap>().map) else {
        return;
    };
    world.insert_resource(SkirmishLoad {
        spot,
        per_side: load.npc_count.div_ceil(2),
        rng: load.npc_seed ^ 0x5c1e_5c1e,
    });
}

/// Once a second: keep the sides at war and bring each back to its strength.
pub(crate) fn reinforce(world: &mut World) {
    let Some(mut load) = world.get_resource::<SkirmishLoad>().copied() else {
        return;
    };
    let tick = world.resource::<TickCount>().0;
    if !tick.is_multiple_of(20) {
        return;
    }
    {
        let mut h = world.resource_mut::<Hostilities>();
        h.hit(SIDES[0], SIDES[1], tick);
        h.hit(SIDES[1], SIDES[0], tick);
    }
    let mut alive = [0u32; 2];
    let mut q = world.query_filtered::<&Owner, (With<Skirmisher>, With<Npc>)>();
    for owner in q.iter(world) {
        if let Some(i) = SIDES.iter().position(|s| *s == owner.0) {
            alive[i] += 1;
        }
    }
    let map = world.resource::<WorldMap>().map.clone();
    for (side, n) in SIDES.iter().zip(alive) {
        for k in n..load.per_side {
            next_u64(&mut load.rng);
            let pos =
                random_near(&map, &mut load.rng, load.spot, ARRIVAL_RADIUS).unwrap_or(load.spot);
            let kind = if k.is_multiple_of(4) {
                EntityKind::Scout
            } else {
                EntityKind::Frigate
            };
            let brain = NpcBrain {
                plan: NpcPlan::Battle { spot: load.spot },
                rng: load.rng,
            };
            spawn_npc(world, kind, pos, brain, Some(*side));
        }
    }
    world.insert_resource(load);
}
