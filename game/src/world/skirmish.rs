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
use super::npc::{NpcBrain, NpcPlan, next_u64, random_near, spawn_npc};
use super::resources::{TickCount, WorldMap};
use crate::config::{LoadConfig, NpcPattern};
use crate::map::GameMap;
use bevy_ecs::lifecycle::HookContext;
use bevy_ecs::prelude::*;
use bevy_ecs::world::DeferredWorld;
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

/// Marks an NPC that fights (a skirmisher): it may be fired at, unlike other NPCs. Holds its
/// fight (an index into the load's spots) and side (an index into [`SIDES`]); leaving the
/// world takes it off its fight's count.
#[derive(Component, Debug, Clone, Copy)]
#[component(on_remove = left_the_fight)]
pub struct Skirmisher {
    /// Index of its fight.
    pub fight: u32,
    /// Index of its side in [`SIDES`].
    pub side: u8,
}

/// The fights under way: their spots and each side's strength per fight.
#[derive(Resource, Debug, Clone)]
pub struct SkirmishLoad {
    spots: Vec<Hex>,
    per_side: u32,
    rng: u64,
    /// Skirmishers alive per fight and side, kept as they arrive and leave (so a
    /// reinforcement does not walk every fighter).
    alive: Vec<[u32; 2]>,
}

/// A skirmisher leaves the world (destroyed, or its region stopped): one fewer on its side.
fn left_the_fight(mut world: DeferredWorld, ctx: HookContext) {
    let Some(s) = world.get::<Skirmisher>(ctx.entity).copied() else {
        return;
    };
    if let Some(mut load) = world.get_resource_mut::<SkirmishLoad>()
        && let Some(n) = load
            .alive
            .get_mut(s.fight as usize)
            .and_then(|a| a.get_mut(usize::from(s.side)))
    {
        *n = n.saturating_sub(1);
    }
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

/// The fight's spot and the skirmisher of NPC `i` of `load`, among `spots` fights: every NPC
/// under `skirmish`, every [`FRONT_SHARE`]th under `front` (fights and sides in turn).
pub fn fighter(load: &LoadConfig, i: u32, spots: &[Hex]) -> Option<(Hex, Skirmisher)> {
    let n = u32::try_from(spots.len()).ok().filter(|n| *n > 0)?;
    let k = match load.pattern {
        NpcPattern::Skirmish => i,
        NpcPattern::Front if i.is_multiple_of(FRONT_SHARE) => i / FRONT_SHARE,
        _ => return None,
    };
    let spot = spots.get((k % n) as usize)?;
    let side = u8::from((k / n) % 2 == 1);
    Some((*spot, Skirmisher { fight: k % n, side }))
}

/// The empire of side `side` (an index into [`SIDES`]).
pub fn side_empire(side: u8) -> EmpireId {
    SIDES[usize::from(side.min(1))]
}

/// Begin the fights of `load` (after its units were spawned).
pub(crate) fn start(world: &mut World, load: &LoadConfig, spots: Vec<Hex>, per_side: u32) {
    if spots.is_empty() {
        return;
    }
    let mut alive = vec![[0u32; 2]; spots.len()];
    let mut q = world.query::<&Skirmisher>();
    for s in q.iter(world) {
        if let Some(n) = alive
            .get_mut(s.fight as usize)
            .and_then(|a| a.get_mut(usize::from(s.side)))
        {
            *n += 1;
        }
    }
    world.insert_resource(SkirmishLoad {
        spots,
        per_side,
        rng: load.npc_seed ^ 0x5c1e_5c1e,
        alive,
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
    if !(0..load.spots.len()).any(due) {
        world.insert_resource(load);
        return;
    }
    let mut arrivals = Vec::new();
    {
        let map = &world.resource::<WorldMap>().map;
        for (i, (spot, alive)) in load.spots.iter().zip(load.alive.iter_mut()).enumerate() {
            if !due(i) {
                continue;
            }
            for (side, n) in (0u8..).zip(alive.iter_mut()) {
                for k in *n..load.per_side {
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
                    let fight = u32::try_from(i).unwrap_or(u32::MAX);
                    arrivals.push((kind, pos, brain, Skirmisher { fight, side }));
                }
                *n = (*n).max(load.per_side);
            }
        }
    }
    for (kind, pos, brain, fighter) in arrivals {
        spawn_npc(world, kind, pos, brain, Some(fighter));
    }
    world.insert_resource(load);
}
