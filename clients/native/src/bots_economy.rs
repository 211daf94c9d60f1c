//! The economy orders of [`crate::bots::Behaviour::Mixed`] bots: build a building next to a
//! frigate, train a recipe in a building, cancel a queued job. Each picks from what the
//! client's world view shows (the catalog, its own units, buildings and jobs) and returns
//! false when there is nothing sensible to order.

use crate::client::Client;
use rand::{Rng, rngs::StdRng};
use starlane_protocol::economy::RecipeOutput;
use starlane_protocol::{Command, EntityKind, Hex};

/// Order a random own frigate to build a building its kind makes on a free hex next to it
/// (an extractor only next to a resource field); false when none can.
pub fn build_near(client: &mut Client, rng: &mut StdRng) -> bool {
    let Some(catalog) = client.world.catalog.as_ref() else {
        return false;
    };
    let frigates: Vec<_> = client
        .world
        .my_units()
        .filter(|u| u.kind == EntityKind::Frigate)
        .map(|u| u.pos)
        .collect();
    let kinds: Vec<EntityKind> = catalog
        .recipes
        .iter()
        .filter(|r| r.producer == EntityKind::Frigate)
        .filter_map(|r| match r.output {
            RecipeOutput::Building(k) => Some(k),
            _ => None,
        })
        .collect();
    if frigates.is_empty() || kinds.is_empty() {
        return false;
    }
    let at = frigates[rng.random_range(0..frigates.len())];
    let kind = kinds[rng.random_range(0..kinds.len())];
    let unit = client
        .world
        .my_units()
        .find(|u| u.pos == at && u.kind == EntityKind::Frigate)
        .map(|u| u.id);
    let site = at
        .neighbors()
        .into_iter()
        .find(|h| site_ok(client, *h, kind));
    match (unit, site) {
        (Some(unit), Some(at)) => {
            client.send_command(Command::Build { unit, kind, at });
            true
        }
        _ => false,
    }
}

/// A hex the client sees as passable and free of buildings and fields; for an extractor, next
/// to a resource field.
fn site_ok(client: &Client, h: Hex, kind: EntityKind) -> bool {
    let w = &client.world;
    let taken = w
        .entities
        .values()
        .any(|e| e.pos == h && (e.kind.is_building() || e.kind.deposit().is_some()));
    let field_near = w
        .entities
        .values()
        .any(|e| e.kind.deposit().is_some() && e.pos.distance(h) <= 1);
    w.is_passable(h) && !taken && (kind != EntityKind::Extractor || field_near)
}

/// Queue a random recipe of a random own building (repeating one time in five); false when
/// the empire has no building or the catalog none for it.
pub fn train_one(client: &mut Client, rng: &mut StdRng) -> bool {
    let Some(catalog) = client.world.catalog.as_ref() else {
        return false;
    };
    let buildings: Vec<_> = client
        .world
        .my_buildings()
        .map(|b| (b.id, b.kind))
        .collect();
    if buildings.is_empty() {
        return false;
    }
    let (building, kind) = buildings[rng.random_range(0..buildings.len())];
    let recipes: Vec<_> = catalog
        .recipes
        .iter()
        .filter(|r| r.producer == kind && !matches!(r.output, RecipeOutput::Building(_)))
        .map(|r| r.id)
        .collect();
    if recipes.is_empty() {
        return false;
    }
    let recipe = recipes[rng.random_range(0..recipes.len())];
    let repeat = rng.random_range(0..5) == 0;
    client.send_command(Command::Train {
        building,
        recipe,
        repeat,
    });
    true
}

/// Cancel a random job of the empire, a waiting one if there is any (a running one is
/// refunded all the same); false when there is none.
pub fn cancel_one(client: &mut Client, rng: &mut StdRng) -> bool {
    let jobs: Vec<_> = client
        .world
        .jobs
        .iter()
        .flat_map(|(b, q)| q.iter().map(|(j, (_, running))| (*running, *b, *j)))
        .collect();
    let waiting: Vec<_> = jobs.iter().filter(|j| !j.0).copied().collect();
    let pool = if waiting.is_empty() { jobs } else { waiting };
    if pool.is_empty() {
        return false;
    }
    let (_, building, job) = pool[rng.random_range(0..pool.len())];
    client.send_command(Command::Cancel { building, job });
    true
}
