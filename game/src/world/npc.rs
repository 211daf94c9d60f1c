//! Synthetic load: NPC units of the neutral empire that move by a pattern (`[load]`), or the
//! two fighting sides of a skirmish ([`super::skirmish`]).
//!
//! NPCs are ordinary units (seen by vision, sent by sync, moved by `move_units`) with an
//! [`NpcBrain`] that hands them a new short path when the last one is walked. Paths are
//! straight-line steps toward the goal with a passability check, and at most
//! [`NPC_PATH_BUDGET`] are planned per tick so a big crowd cannot stall the tick. NPCs are
//! never saved.

use super::components::{MoveTicks, NEUTRAL_EMPIRE, Npc, Path, Position, Weapon};
use super::resources::{Dirty, WorldMap};
use super::schedule::{RegionPlugin, SimulationStep};
use super::skirmish;
use super::spawn::{UnitSpec, spawn_entity};
use crate::config::{LoadConfig, MAX_NPCS, NpcPattern};
use crate::map::GameMap;
use bevy_ecs::prelude::*;
use starlane_protocol::{EntityKind, Hex};

/// Most NPC paths planned per tick; NPCs beyond it wait a tick (in rotating order).
pub const NPC_PATH_BUDGET: usize = 8192;
/// How far a wandering NPC picks its next destination.
pub const WANDER_RADIUS: i32 = 8;
/// Radius around its hot spot a battling NPC stays within.
pub const BATTLE_RADIUS: i32 = 3;
/// Number of battle hot spots.
pub const BATTLE_SPOTS: usize = 4;
/// Most hexes of one planned path.
const MAX_LEG: usize = 8;

/// What an NPC is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpcPlan {
    /// Random destinations near where it stands.
    Wander,
    /// Random destinations within [`BATTLE_RADIUS`] of `spot`.
    Battle { spot: Hex },
    /// Back and forth along row `r` between `q_min` and `q_max` (a fully passable run).
    Column {
        r: i32,
        q_min: i32,
        q_max: i32,
        east: bool,
    },
}

/// An NPC unit's plan and random state (the unit also carries the [`Npc`] marker).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpcBrain {
    /// Its movement plan.
    pub plan: NpcPlan,
    pub(crate) rng: u64,
}

/// Where the path planner resumes next tick (the budget rotates over the NPCs).
#[derive(Resource, Debug, Default)]
struct PlanCursor(usize);

/// Installs the NPC planner (in [`SimulationStep::Plan`], before movement).
#[derive(Debug, Clone, Copy)]
pub struct NpcPlugin;

impl RegionPlugin for NpcPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(PlanCursor::default());
        schedule.add_systems(
            (skirmish::reinforce, plan_npcs)
                .chain()
                .in_set(SimulationStep::Plan),
        );
    }
}

/// splitmix64: a small deterministic generator for NPC choices.
pub(crate) fn next_u64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform value in `lo..=hi`.
fn pick(state: &mut u64, lo: i32, hi: i32) -> i32 {
    let span = u64::try_from(i64::from(hi) - i64::from(lo) + 1)
        .unwrap_or(1)
        .max(1);
    lo + i32::try_from(next_u64(state) % span).unwrap_or(0)
}

/// A random passable hex within `radius` of `center`, or `None` after a few misses.
pub(crate) fn random_near(map: &GameMap, rng: &mut u64, center: Hex, radius: i32) -> Option<Hex> {
    (0..6).find_map(|_| {
        let dq = pick(rng, -radius, radius);
        let dr = pick(rng, (-radius).max(-dq - radius), radius.min(-dq + radius));
        let h = Hex::new(center.q + dq, center.r + dr);
        map.is_passable(h).then_some(h)
    })
}

/// Up to `MAX_LEG` (8) straight-line steps from `from` toward `to`, each to a passable
/// neighbour one hex closer; stops early where the line is blocked.
pub fn straight_steps(map: &GameMap, from: Hex, to: Hex) -> Vec<Hex> {
    let mut out = Vec::new();
    let mut cur = from;
    while cur != to && out.len() < MAX_LEG {
        let d = cur.distance(to);
        let Some(next) = cur
            .neighbors()
            .into_iter()
            .find(|n| n.distance(to) < d && map.is_passable(*n))
        else {
            break;
        };
        out.push(next);
        cur = next;
    }
    out
}

/// The next leg of an NPC standing at `pos`.
fn plan_leg(map: &GameMap, npc: &mut NpcBrain, pos: Hex) -> Vec<Hex> {
    match &mut npc.plan {
        NpcPlan::Wander => random_near(map, &mut npc.rng, pos, WANDER_RADIUS)
            .map(|goal| straight_steps(map, pos, goal))
            .unwrap_or_default(),
        NpcPlan::Battle { spot } => random_near(map, &mut npc.rng, *spot, BATTLE_RADIUS)
            .map(|goal| straight_steps(map, pos, goal))
            .unwrap_or_default(),
        NpcPlan::Column {
            r,
            q_min,
            q_max,
            east,
        } => {
            if (*east && pos.q >= *q_max) || (!*east && pos.q <= *q_min) {
                *east = !*east;
            }
            let (step, end) = if *east { (1, *q_max) } else { (-1, *q_min) };
            let mut out = Vec::new();
            let mut q = pos.q;
            while q != end && out.len() < MAX_LEG {
                q += step;
                out.push(Hex::new(q, *r));
            }
            out
        }
    }
}

/// Give idle NPCs their next leg, at most [`NPC_PATH_BUDGET`] per tick, starting where the
/// previous tick stopped.
fn plan_npcs(
    map: Res<WorldMap>,
    mut cursor: ResMut<PlanCursor>,
    mut npcs: Query<(&mut NpcBrain, &Position, &mut Path, &MoveTicks)>,
) {
    let total = npcs.iter().len();
    if total == 0 {
        return;
    }
    let start = cursor.0 % total;
    let mut budget = NPC_PATH_BUDGET;
    let mut last = start;
    let order = npcs.iter_mut().enumerate().skip(start);
    let mut plan = |i: usize,
                    (mut npc, pos, mut path, ticks): (
        Mut<NpcBrain>,
        &Position,
        Mut<Path>,
        &MoveTicks,
    )| {
        if !path.hexes.is_empty() {
            return true;
        }
        if budget == 0 {
            return false;
        }
        budget -= 1;
        last = i + 1;
        let leg = plan_leg(&map.map, &mut npc, pos.0);
        path.hexes.extend(leg);
        // Each leg starts at a phase of its own within the kind's ticks per hex: units spawned
        // or reinforced on one tick would otherwise all step on the same tick ever after, and
        // the load would come in bursts no crowd of players makes.
        path.progress = (npc.rng >> 33) as u32 % ticks.0.max(1);
        true
    };
    let mut stopped = false;
    for (i, item) in order {
        if !plan(i, item) {
            stopped = true;
            break;
        }
    }
    if !stopped {
        for (i, item) in npcs.iter_mut().enumerate().take(start) {
            if !plan(i, item) {
                break;
            }
        }
    }
    cursor.0 = last;
}

/// The battle hot spots: the map centre and three points around it.
pub fn battle_spots(map: &GameMap) -> Vec<Hex> {
    let centre = map.pirate_den();
    let offset = i32::try_from(map.chunk_radius() / 2).unwrap_or(1).max(1);
    let mut around = Hex::new(offset, 0);
    let mut spots = vec![centre];
    for _ in 1..BATTLE_SPOTS {
        spots.push(centre.plus(around));
        around = around.rotate60().rotate60();
    }
    spots
        .into_iter()
        .filter_map(|s| map.nearest_passable(s))
        .collect()
}

/// Rows of the map with their longest fully passable run `(r, q_min, q_max)`, by row.
pub fn column_rows(map: &GameMap) -> Vec<(i32, i32, i32)> {
    let mut rows: std::collections::BTreeMap<i32, Vec<i32>> = Default::default();
    for h in map.cells().iter().filter(|h| map.is_passable(**h)) {
        rows.entry(h.r).or_default().push(h.q);
    }
    let mut out = Vec::new();
    for (r, mut qs) in rows {
        qs.sort_unstable();
        let (mut best, mut run_start) = ((0, 0), 0);
        for (i, q) in qs.iter().enumerate() {
            if i > 0 && qs.get(i - 1).is_none_or(|p| p + 1 != *q) {
                run_start = i;
            }
            if i - run_start > best.1 - best.0 {
                best = (run_start, i);
            }
        }
        if let (Some(lo), Some(hi)) = (qs.get(best.0), qs.get(best.1))
            && hi - lo >= 3
        {
            out.push((r, *lo, *hi));
        }
    }
    out
}

/// Where NPC `i` starts and its plan.
fn place(
    map: &GameMap,
    load: &LoadConfig,
    i: u32,
    rng: &mut u64,
    ctx: &PlaceCtx,
) -> Option<(Hex, NpcPlan)> {
    let i = i as usize;
    match load.pattern {
        // A `front`'s NPCs that do not fight wander.
        NpcPattern::Wander | NpcPattern::Front => {
            let n = ctx.passable.len().max(1);
            let idx = usize::try_from(next_u64(rng) % n as u64).unwrap_or(0);
            ctx.passable.get(idx).map(|h| (*h, NpcPlan::Wander))
        }
        NpcPattern::Battle => {
            let spot = *ctx.spots.get(i % ctx.spots.len().max(1))?;
            let pos = random_near(map, rng, spot, BATTLE_RADIUS).unwrap_or(spot);
            Some((pos, NpcPlan::Battle { spot }))
        }
        // Every NPC fights ([`skirmish::fighter`]): none is placed here without a spot.
        NpcPattern::Skirmish => None,
        NpcPattern::Columns => {
            let n = ctx.rows.len().max(1);
            let (r, q_min, q_max) = *ctx.rows.get(i % n)?;
            let len = usize::try_from(q_max - q_min + 1).unwrap_or(1).max(1);
            let q = q_min + i32::try_from((i / n) % len).unwrap_or(0);
            let east = (i % n).is_multiple_of(2);
            Some((
                Hex::new(q, r),
                NpcPlan::Column {
                    r,
                    q_min,
                    q_max,
                    east,
                },
            ))
        }
    }
}

/// Spawn one NPC unit with `brain`: of the neutral empire and not a combatant (it neither
/// fires nor is fired at), or, as `fighter`, a skirmisher of its side that fights for real.
pub(crate) fn spawn_npc(
    world: &mut World,
    kind: EntityKind,
    pos: Hex,
    brain: NpcBrain,
    fighter: Option<skirmish::Skirmisher>,
) {
    let spec = UnitSpec {
        id: None,
        owner: fighter.map_or(NEUTRAL_EMPIRE, |f| skirmish::side_empire(f.side)),
        kind,
        pos,
        health: None,
    };
    let (id, entity) = spawn_entity(world, spec);
    let mut e = world.entity_mut(entity);
    e.insert((Npc, brain));
    if let Some(fighter) = fighter {
        e.insert(fighter);
    } else {
        e.remove::<Weapon>();
    }
    world.resource_mut::<Dirty>().0.remove(&id);
}

/// Precomputed placement inputs.
struct PlaceCtx {
    passable: Vec<Hex>,
    spots: Vec<Hex>,
    rows: Vec<(i32, i32, i32)>,
}

/// Spawn `load.npc_count` (at most [`MAX_NPCS`]) NPC units deterministically from
/// `load.npc_seed`; returns how many were spawned.
pub fn spawn_load(world: &mut World, load: &LoadConfig) -> usize {
    let map = world.resource::<WorldMap>().map.clone();
    let ctx = PlaceCtx {
        passable: map.passable_cells(),
        spots: battle_spots(&map),
        rows: column_rows(&map),
    };
    let (fights, per_side) = skirmish::fights(&map, load, &ctx.passable);
    let mut spawned = 0;
    for i in 0..load.npc_count.min(MAX_NPCS) {
        let mut rng = load.npc_seed ^ u64::from(i).wrapping_mul(0xd6e8_feb8_6659_fd93);
        next_u64(&mut rng);
        let fighter = skirmish::fighter(load, i, &fights);
        let placed = match fighter {
            Some((spot, _)) => {
                let pos = random_near(&map, &mut rng, spot, BATTLE_RADIUS).unwrap_or(spot);
                Some((pos, NpcPlan::Battle { spot }))
            }
            None => place(&map, load, i, &mut rng, &ctx),
        };
        let Some((pos, plan)) = placed else {
            continue;
        };
        let kind = if i.is_multiple_of(4) {
            EntityKind::Scout
        } else {
            EntityKind::Frigate
        };
        let fighter = fighter.map(|(_, skirmisher)| skirmisher);
        spawn_npc(world, kind, pos, NpcBrain { plan, rng }, fighter);
        spawned += 1;
    }
    skirmish::start(world, load, fights, per_side);
    spawned
}
