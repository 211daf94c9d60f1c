//! The fighting loads: NPC units of two sides that fight each other for real.
//!
//! - `[load] pattern = "skirmish"`: one fight, all the NPCs, around the first spawn point
//!   (the bench's `skirmish` scenario).
//! - `[load] pattern = "front"`: every fourth NPC fights, in fights of [`FRONT_SIZE`] spread
//!   over the map; the rest wander (the `capacity-region` ladder, where at least a fifth of
//!   the units must be in combat: a quarter, so losses between reinforcements never take it
//!   below).
//!
//! Fighters are [`Npc`]s (never saved, moved by their brains) that keep their weapons, are
//! valid targets for each other ([`Skirmisher`]), and are at war for good: every second each
//! side is recorded as hit by the other, and each fight's sides are reinforced back to their
//! strength at its spot (the fights in turn over the second), so the fights last the whole
//! run. Players are not hostile to them
//! unless they attack (the usual retaliation rule).

use super::combat::Hostilities;
use super::components::{Npc, Owner};
use super::npc::{NpcBrain, NpcPlan, next_u64, random_near, spawn_npc};
use super::resources::{TickCount, WorldMap};
use crate::config::{LoadConfig, NpcPattern};
use crate::map::GameMap;
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityKind, Hex};

/// The two sides' empire ids: at the top of the id space, where no player's empire is.
pub const SIDES: [EmpireId; 2] = [u32::MAX - 1, u32::MAX - 2];

/// Units per fight of the `front` load (half a side each).
pub const FRONT_SIZE: u32 = 100;

/// One NPC in this many fights under the `front` load.
pub const FRONT_SHARE: u32 = 4;

/// Ticks between two reinforcements of one fight, and between two declarations of war.
const REINFORCE_TICKS: u32 = 20;

/// Radius around the spot where reinforcements arrive.
const ARRIVAL_RADIUS: i32 = 3;

/// Marks an NPC that fights (a skirmisher): it may be fired at, unlike other NPCs.
#[derive(Component, Debug, Clone, Copy)]
pub struct Skirmisher;

/// The fights under way: their spots and each side's strength per fight.
#[derive(Resource, Debug, Clone)]
pub struct SkirmishLoad {
    spots: Vec<Hex>,
    per_side: u32,
    rng: u64,
}

/// Where the `skirmish` load fights: the first spawn point (the first player's start), or
/// the nearest passable hex to it.
pub fn skirmish_spot(map: &GameMap) -> Option<Hex> {
    map.spawns().first().and_then(|s| map.nearest_passable(*s))
}

/// The fights of `load` and each side's strength in one: one fight of all the NPCs for
/// `skirmish`, fights of [`FRONT_SIZE`] over `passable` (the map's passable hexes, in map
/// order) for `front`, none otherwise.
pub fn fights(map: &GameMap, load: &LoadConfig, passable: &[Hex]) -> (Vec<Hex>, u32) {
    match load.pattern {
        NpcPattern::Skirmish => (
            skirmish_spot(map).into_iter().collect(),
            load.npc_count.div_ceil(2),
        ),
        NpcPattern::Front => {
            let fighters = load.npc_count.div_ceil(FRONT_SHARE);
            let n = fighters.div_ceil(FRONT_SIZE) as usize;
            let len = passable.len();
            // Evenly spaced through the map's rows, each in the middle of its share.
            let spots = (0..n)
                .filter_map(|j| passable.get((2 * j + 1) * len / (2 * n).max(1)).copied())
                .collect();
            (spots, FRONT_SIZE / 2)
        }
        _ => (Vec::new(), 0),
    }
}

/// The fight and side of NPC `i` of `load`, among `spots` fights: every NPC under
/// `skirmish`, every [`FRONT_SHARE`]th under `front` (fights and sides in turn).
pub fn fighter(load: &LoadConfig, i: u32, spots: &[Hex]) -> Option<(Hex, EmpireId)> {
    let n = u32::try_from(spots.len()).ok().filter(|n| *n > 0)?;
    let k = match load.pattern {
        NpcPattern::Skirmish => i,
        NpcPattern::Front if i.is_multiple_of(FRONT_SHARE) => i / FRONT_SHARE,
        _ => return None,
    };
    let spot = spots.get((k % n) as usize)?;
    Some((*spot, SIDES[((k / n) % 2) as usize]))
}

/// Begin the fights of `load` (after its units were spawned).
pub(crate) fn start(world: &mut World, load: &LoadConfig, spots: Vec<Hex>, per_side: u32) {
    if spots.is_empty() {
        return;
    }
    world.insert_resource(SkirmishLoad {
        spots,
        per_side,
        rng: load.npc_seed ^ 0x5c1e_5c1e,
    });
}

/// Once a second keep the sides at war, and bring each fight's sides back to strength once a
/// second, the fights in turn (fight `i` on the ticks `t` with `(t + i) % 20 == 0`), so
/// reinforcements arrive over the second rather than all on one tick.
pub(crate) fn reinforce(world: &mut World) {
    let tick = world.resource::<TickCount>().0;
    let Some(mut load) = world.remove_resource::<SkirmishLoad>() else {
        return;
    };
    if tick.is_multiple_of(REINFORCE_TICKS) {
        let mut h = world.resource_mut::<Hostilities>();
        h.hit(SIDES[0], SIDES[1], tick);
        h.hit(SIDES[1], SIDES[0], tick);
    }
    let due = |i: usize| {
        (tick as usize)
            .wrapping_add(i)
            .is_multiple_of(REINFORCE_TICKS as usize)
    };
    let at: FxHashMap<Hex, usize> = load
        .spots
        .iter()
        .enumerate()
        .filter(|(i, _)| due(*i))
        .map(|(i, s)| (*s, i))
        .collect();
    if at.is_empty() {
        world.insert_resource(load);
        return;
    }
    let mut alive = vec![[0u32; 2]; load.spots.len()];
    let mut q = world.query_filtered::<(&Owner, &NpcBrain), (With<Skirmisher>, With<Npc>)>();
    for (owner, brain) in q.iter(world) {
        let NpcPlan::Battle { spot } = brain.plan else {
            continue;
        };
        let side = SIDES.iter().position(|s| *s == owner.0);
        if let (Some(f), Some(side)) = (at.get(&spot), side)
            && let Some(n) = alive.get_mut(*f).and_then(|a| a.get_mut(side))
        {
            *n += 1;
        }
    }
    let mut arrivals = Vec::new();
    {
        let map = &world.resource::<WorldMap>().map;
        for (i, (spot, alive)) in load.spots.iter().zip(alive).enumerate() {
            if !due(i) {
                continue;
            }
            for (side, n) in SIDES.iter().zip(alive) {
                for k in n..load.per_side {
                    next_u64(&mut load.rng);
                    let pos =
                        random_near(map, &mut load.rng, *spot, ARRIVAL_RADIUS).unwrap_or(*spot);
                    let kind = if k.is_multiple_of(4) {
                        EntityKind::Scout
                    } else {
                        EntityKind::Frigate
                    };
                    let brain = NpcBrain {
                        plan: NpcPlan::Battle { spot: *spot },
                        rng: load.rng,
                    };
                    arrivals.push((kind, pos, brain, *side));
                }
            }
        }
    }
    for (kind, pos, brain, side) in arrivals {
        spawn_npc(world, kind, pos, brain, Some(side));
    }
    world.insert_resource(load);
}
