//! One AI empire's decision: what it sees of its own empire (its units, buildings, queues and
//! stock, and the entities its vision shows) turned into at most a few commands, in this
//! order of needs: keep stations and extractors working, get an extractor next to a resource
//! field, get a shipyard, build frigates, then send idle frigates at pirates in sight (once it
//! has four) and idle scouts exploring. Recipes are found by what they make, not by name, so
//! another recipe file works too.

use crate::map::find_from;
use crate::world::combat::mix;
use crate::world::components::{
    AttackOrder, Deposit, Kind, NEUTRAL_EMPIRE, Npc, Owner, Path, Position, Production, StableId,
    UnderConstruction,
};
use crate::world::economy::fields::site_free;
use crate::world::economy::production::deposits_near;
use crate::world::economy::{EconomySettings, Stockpiles};
use crate::world::resources::WorldMap;
use crate::world::vision::Vision;
use bevy_ecs::prelude::*;
use starlane_protocol::economy::{Recipe, RecipeOutput};
use starlane_protocol::{Command, EmpireId, EntityId, EntityKind, Hex, ResourceKind};

/// Most commands one decision sends.
const MAX_COMMANDS: usize = 4;
/// Frigates an empire keeps at home before it hunts pirates.
const HUNT_AT: usize = 4;
/// How far (hexes) an idle frigate looks for pirates to hunt.
const HUNT_RANGE: u32 = 14;

/// One of the empire's entities as the brain sees it.
#[derive(Debug, Clone, Copy)]
struct Mine {
    id: EntityId,
    kind: EntityKind,
    pos: Hex,
    idle: bool,
    queue: usize,
    site: bool,
}

/// The commands `empire` sends this turn; `seed` drives its random choices.
pub fn decide(world: &mut World, empire: EmpireId, seed: u64) -> Vec<Command> {
    let mine = survey(world, empire);
    let mut out = Vec::new();
    keep_buildings_busy(world, empire, &mine, &mut out);
    expand(world, empire, &mine, &mut out);
    fight_and_explore(world, empire, &mine, seed, &mut out);
    out.truncate(MAX_COMMANDS);
    out
}

fn survey(world: &mut World, empire: EmpireId) -> Vec<Mine> {
    let mut q = world.query::<(
        &StableId,
        &Owner,
        &Kind,
        &Position,
        Option<&Path>,
        Has<AttackOrder>,
        Option<&Production>,
        Has<UnderConstruction>,
    )>();
    let mut mine: Vec<Mine> = q
        .iter(world)
        .filter(|(_, o, ..)| o.0 == empire)
        .map(|(id, _, kind, pos, path, attacking, prod, site)| Mine {
            id: id.0,
            kind: kind.0,
            pos: pos.0,
            idle: path.is_none_or(|p| p.hexes.is_empty()) && !attacking,
            queue: prod.map_or(0, |p| p.queue.len()),
            site,
        })
        .collect();
    mine.sort_unstable_by_key(|m| m.id);
    mine
}

fn recipes(world: &World) -> Vec<(Recipe, bool)> {
    let book = &world.resource::<EconomySettings>().book;
    book.catalog
        .recipes
        .iter()
        .cloned()
        .zip(book.deposit.iter().copied())
        .collect()
}

fn affordable(world: &World, empire: EmpireId, r: &Recipe) -> bool {
    world
        .resource::<Stockpiles>()
        .can_pay(empire, Stockpiles::cost(&r.inputs))
}

/// Idle stations levy (a free resource recipe, repeating), idle extractors mine what lies
/// next to them (repeating), idle shipyards build a frigate.
fn keep_buildings_busy(world: &World, empire: EmpireId, mine: &[Mine], out: &mut Vec<Command>) {
    let recipes = recipes(world);
    for b in mine
        .iter()
        .filter(|m| m.kind.is_building() && !m.site && m.queue == 0)
    {
        let pick = recipes.iter().find(|(r, deposit)| {
            r.producer == b.kind
                && match &r.output {
                    RecipeOutput::Resources(o) if *deposit => {
                        o.iter().any(|(k, _)| deposits_near(world, b.pos, *k) > 0)
                    }
                    RecipeOutput::Resources(_) => r.inputs.is_empty(),
                    RecipeOutput::Unit(k) => *k == EntityKind::Frigate,
                    RecipeOutput::Building(_) => false,
                }
                && affordable(world, empire, r)
        });
        if let Some((r, _)) = pick {
            let repeat = matches!(r.output, RecipeOutput::Resources(_));
            out.push(Command::Train {
                building: b.id,
                recipe: r.id,
                repeat,
            });
        }
    }
}

/// Without an extractor: take an idle frigate to the nearest metal field and build one next
/// to it. With one but no shipyard: build a shipyard next to an idle frigate.
fn expand(world: &mut World, empire: EmpireId, mine: &[Mine], out: &mut Vec<Command>) {
    let has = |k: EntityKind| mine.iter().any(|m| m.kind == k);
    let Some(frigate) = mine
        .iter()
        .find(|m| m.kind == EntityKind::Frigate && m.idle)
    else {
        return;
    };
    let recipes = recipes(world);
    let build_recipe = |kind: EntityKind| {
        recipes
            .iter()
            .find(|(r, _)| r.producer == frigate.kind && r.output == RecipeOutput::Building(kind))
            .map(|(r, _)| r.clone())
    };
    let range = world.resource::<EconomySettings>().build_range;
    if !has(EntityKind::Extractor) {
        let Some(recipe) = build_recipe(EntityKind::Extractor) else {
            return;
        };
        let Some(field) = nearest_field(world, frigate.pos, ResourceKind::Metal) else {
            return;
        };
        let map = world.resource::<WorldMap>().map.clone();
        let sites: Vec<Hex> = field
            .neighbors()
            .into_iter()
            .filter(|h| map.is_passable(*h) && site_free(world, *h))
            .collect();
        if let Some(at) = sites.iter().find(|h| h.distance(frigate.pos) <= range) {
            if affordable(world, empire, &recipe) {
                out.push(Command::Build {
                    unit: frigate.id,
                    kind: EntityKind::Extractor,
                    at: *at,
                });
            }
        } else if let Some(to) = sites
            .iter()
            .min_by_key(|h| (h.distance(frigate.pos), h.q, h.r))
        {
            out.push(Command::Move {
                unit: frigate.id,
                to: *to,
            });
        }
        return;
    }
    if !has(EntityKind::Shipyard)
        && let Some(recipe) = build_recipe(EntityKind::Shipyard)
        && affordable(world, empire, &recipe)
    {
        let map = world.resource::<WorldMap>().map.clone();
        let at = frigate
            .pos
            .neighbors()
            .into_iter()
            .find(|h| map.is_passable(*h) && site_free(world, *h));
        if let Some(at) = at {
            out.push(Command::Build {
                unit: frigate.id,
                kind: EntityKind::Shipyard,
                at,
            });
        }
    }
}

/// The resource field of `kind` nearest to `from` (lowest id on ties).
fn nearest_field(world: &mut World, from: Hex, kind: ResourceKind) -> Option<Hex> {
    world
        .query::<(&StableId, &Position, &Deposit)>()
        .iter(world)
        .filter(|(.., d)| d.0 == kind)
        .min_by_key(|(id, pos, _)| (pos.0.distance(from), id.0))
        .map(|(_, pos, _)| pos.0)
}

/// With enough frigates, idle ones attack the nearest pirate the empire sees; idle scouts
/// fly to a random passable hex a few hexes away.
fn fight_and_explore(
    world: &mut World,
    empire: EmpireId,
    mine: &[Mine],
    seed: u64,
    out: &mut Vec<Command>,
) {
    let frigates: Vec<&Mine> = mine
        .iter()
        .filter(|m| m.kind == EntityKind::Frigate)
        .collect();
    if frigates.len() >= HUNT_AT {
        let pirates: Vec<(EntityId, Hex)> = world
            .query_filtered::<(&StableId, &Owner, &Position, &Kind), (Without<Npc>, Without<Deposit>)>()
            .iter(world)
            .filter(|(_, o, _, k)| o.0 == NEUTRAL_EMPIRE && !k.0.is_building())
            .map(|(id, _, pos, _)| (id.0, pos.0))
            .collect();
        let vision = world.resource::<Vision>();
        for f in frigates.iter().filter(|f| f.idle) {
            let target = pirates
                .iter()
                .filter(|(id, pos)| pos.distance(f.pos) <= HUNT_RANGE && vision.sees(empire, *id))
                .min_by_key(|(id, pos)| (pos.distance(f.pos), *id));
            if let Some((target, _)) = target {
                out.push(Command::Attack {
                    unit: f.id,
                    target: *target,
                });
            }
        }
    }
    let map = world.resource::<WorldMap>().map.clone();
    for s in mine
        .iter()
        .filter(|m| m.kind == EntityKind::Scout && m.idle)
    {
        let draw = mix(seed ^ u64::from(s.id));
        let radius = 4 + (draw % 5) as u32;
        let ring: Vec<Hex> = crate::map::ring(s.pos, radius).collect();
        let to = find_from(&ring, (draw >> 32) as usize, |h| map.is_passable(h));
        if let Some(to) = to {
            out.push(Command::Move { unit: s.id, to });
        }
    }
}
