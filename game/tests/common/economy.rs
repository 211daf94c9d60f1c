//! Helpers of the economy scenarios: recipes by name, stock, buildings, fields, job events.

use super::combat::arena_with;
use super::session_msgs;
use starlane_game::RegionConfig;
use starlane_game::world::commands::economy_orders::buildings_of;
use starlane_game::world::components::{Deposit, Position, StableId};
use starlane_game::world::economy::{EconomySettings, Stock, Stockpiles};
use starlane_game::world::{LinkId, RegionSim};
use starlane_protocol::economy::JobEvent;
use starlane_protocol::link::{LinkServerMsg, RegionToEdge, SessionId};
use starlane_protocol::{EmpireId, EntityId, Hex, RecipeId, ResourceKind};

/// The arena (empires 7 and 8 joined, each with its starting station) without pirates or
/// asteroids, with the default economy: resource fields and the built-in recipes.
pub fn economy_arena() -> RegionSim {
    arena_with(RegionConfig {
        asteroid_percent: 0,
        pirates: 0,
        ..RegionConfig::default()
    })
}

/// The id of the recipe called `name`.
pub fn recipe(sim: &mut RegionSim, name: &str) -> RecipeId {
    let book = &sim.world_mut().resource::<EconomySettings>().book;
    let found = book.catalog.recipes.iter().find(|r| r.name == name);
    found.unwrap_or_else(|| panic!("no recipe {name}")).id
}

/// The ticks of the recipe called `name`.
pub fn recipe_ticks(sim: &mut RegionSim, name: &str) -> u32 {
    let id = recipe(sim, name);
    let book = &sim.world_mut().resource::<EconomySettings>().book;
    book.get(id).expect("recipe").0.ticks
}

/// `empire`'s stock.
pub fn stock(sim: &mut RegionSim, empire: EmpireId) -> Stock {
    sim.world_mut().resource::<Stockpiles>().get(empire)
}

/// Set `empire`'s stock.
pub fn set_stock(sim: &mut RegionSim, empire: EmpireId, stock: Stock) {
    sim.world_mut()
        .resource_mut::<Stockpiles>()
        .set(empire, stock);
}

/// `empire`'s buildings (sites included), by id.
pub fn buildings(sim: &mut RegionSim, empire: EmpireId) -> Vec<EntityId> {
    buildings_of(sim.world_mut(), empire)
}

/// Every resource field yielding `kind`: id and hex, by id.
pub fn fields(sim: &mut RegionSim, kind: ResourceKind) -> Vec<(EntityId, Hex)> {
    let world = sim.world_mut();
    let mut out: Vec<_> = world
        .query::<(&StableId, &Position, &Deposit)>()
        .iter(world)
        .filter(|(.., d)| d.0 == kind)
        .map(|(id, pos, _)| (id.0, pos.0))
        .collect();
    out.sort_unstable();
    out
}

/// The job events for `session` in `frames`.
pub fn jobs(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Vec<JobEvent> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Job(j) => Some(j),
            _ => None,
        })
        .collect()
}

/// The last stock sent to `session` in `frames`, as a [`Stock`].
pub fn stock_sent(frames: &[(LinkId, RegionToEdge)], session: SessionId) -> Option<Stock> {
    session_msgs(frames, session)
        .into_iter()
        .filter_map(|m| match m {
            LinkServerMsg::Resources(r) => {
                let mut s = Stock::default();
                for (k, v) in r {
                    s[usize::from(k.code())] = v;
                }
                Some(s)
            }
            _ => None,
        })
        .next_back()
}
