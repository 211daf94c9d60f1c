//! Vision stage: per empire, hexes within its units' vision ranges are visible, hexes seen
//! before are fog, the rest shroud; and the entities each empire sees, with what came into
//! and went out of sight this tick.
//!
//! The [`Vision`] index is kept up to date from the tick's changes (bevy change detection on
//! positions, owners and vision ranges, and removals), so the stage costs what moved, not
//! what exists: a static observer is never computed again. Shared vision: an empire granted
//! another's vision ([`crate::world::sharing::Grants`]) sees through its observers too, from
//! the tick the grant was accepted ([`Vision::set_grant`]). Explored cells survive restarts
//! ([`Vision::explored`], [`Vision::restore_explored`]). Vision types (SPEC.md §20.7): a
//! [`Cloaked`] unit is seen only where an observer with a [`Detector`] reaches; a cloaked
//! unit always detects its own hex for its owner.

mod cover;
mod explored;
mod grants;
mod index;
mod moves;
#[cfg(test)]
mod tests;

pub use index::{EmpireVision, Observer, Vision};

use super::components::{
    Cloaked, Detector, NEUTRAL_EMPIRE, Owner, Position, StableId, VisionRange,
};
use super::parallel::Parallel;
use super::resources::WorldMap;
use super::schedule::{RegionPlugin, RegionSet};
use super::sharing::Grants;
use super::social::{Alliances, SocialSettings};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityId};

/// Installs the vision resource and system.
#[derive(Debug, Clone, Copy)]
pub struct VisionPlugin;

impl RegionPlugin for VisionPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(Vision::default());
        schedule.add_systems(update_vision.in_set(RegionSet::Vision));
    }
}

/// Entities whose position changed (or that are new) since the last run.
type Moved<'w, 's> =
    Query<'w, 's, (Entity, &'static StableId, &'static Position), Changed<Position>>;

/// What makes a unit an observer.
type ObserverData = (
    &'static StableId,
    &'static Position,
    &'static Owner,
    &'static VisionRange,
    Option<&'static Detector>,
    Has<Cloaked>,
);

/// Units whose position, owner, vision or detection range or cloak changed since the last
/// run.
type ObserverChanges<'w, 's> = Query<
    'w,
    's,
    ObserverData,
    Or<(
        Changed<Position>,
        Changed<Owner>,
        Changed<VisionRange>,
        Changed<Detector>,
        Added<Cloaked>,
    )>,
>;

/// Units cloaked since the last run.
type NewlyCloaked<'w, 's> = Query<'w, 's, &'static StableId, Added<Cloaked>>;

/// Feed the tick's changes to the vision index: entities removed, moved or new, observers
/// lost, moved or new, grants begun or ended; then close the tick.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update_vision(
    map: Res<WorldMap>,
    mut vision: ResMut<Vision>,
    moved: Moved,
    observers: ObserverChanges,
    still: Query<ObserverData>,
    mut gone: RemovedComponents<Position>,
    mut blind: RemovedComponents<VisionRange>,
    (cloaked, mut uncloaked, mut undetecting): (
        NewlyCloaked,
        RemovedComponents<Cloaked>,
        RemovedComponents<Detector>,
    ),
    mut ids: Local<FxHashMap<Entity, EntityId>>,
    (mut grants, mut alliances, social): (ResMut<Grants>, ResMut<Alliances>, Res<SocialSettings>),
    parallel: Option<Res<Parallel>>,
) {
    let map = &map.map;
    vision.fit(map);
    for entity in gone.read() {
        if let Some(id) = ids.remove(&entity) {
            vision.locate(map, id, None);
            vision.set_observer(map, id, None);
            vision.set_cloak(id, false);
        }
    }
    for entity in blind.read() {
        if let Some(id) = ids.get(&entity)
            && still.get(entity).is_err()
        {
            vision.set_observer(map, *id, None);
        }
    }
    let lost: Vec<Entity> = uncloaked.read().chain(undetecting.read()).collect();
    for entity in &lost {
        if let Some(id) = ids.get(entity)
            && !still.get(*entity).is_ok_and(|(.., cloak)| cloak)
        {
            vision.set_cloak(*id, false);
        }
    }
    for id in &cloaked {
        vision.set_cloak(id.0, true);
    }
    for (entity, id, pos) in &moved {
        ids.insert(entity, id.0);
        vision.locate(map, id.0, Some(pos.0));
    }
    // An observer that lost its detector or its cloak is looked at again.
    let changes = lost
        .iter()
        .filter_map(|e| still.get(*e).ok())
        .chain(&observers)
        .map(|(id, pos, owner, range, detector, cloak)| {
            let observer = (owner.0 != NEUTRAL_EMPIRE).then_some(Observer {
                empire: owner.0,
                hex: pos.0,
                range: range.0,
                detect: detection(detector, cloak),
            });
            (id.0, observer)
        });
    let parallel = parallel.map_or_else(Parallel::serial, |p| *p);
    vision.set_observers(map, &parallel, changes);
    // A pair's sight is an explicit grant or, when allies share, an alliance (SPEC.md §21.2):
    // each change of either re-derives it from both.
    let changes: Vec<(EmpireId, EmpireId)> = grants
        .for_vision
        .drain(..)
        .map(|c| (c.from, c.to))
        .chain(
            alliances
                .for_vision
                .drain(..)
                .flat_map(|(a, b)| [(a, b), (b, a)]),
        )
        .collect();
    for (from, to) in changes {
        let sees =
            grants.shares(from, to) || (social.alliance_vision && alliances.allied(from, to));
        vision.set_grant(map, from, to, sees);
    }
    vision.finish_tick();
}

/// An observer's detection range: its detector's, and at least its own hex when cloaked (its
/// owner always sees it).
fn detection(detector: Option<&Detector>, cloaked: bool) -> Option<u32> {
    match (detector, cloaked) {
        (Some(d), _) => Some(d.0),
        (None, true) => Some(0),
        (None, false) => None,
    }
}
