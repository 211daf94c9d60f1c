//! The vision cache's entity snapshots (game/README.md, "Vision cache"; SPEC.md §20.6): per
//! empire, the buildings and resource fields it saw and no longer sees, as last seen. Kept
//! from the vision index's per-tick changes: an entity that leaves an empire's view is
//! remembered (if its kind is, and it still exists: one destroyed in sight is not), one that
//! comes back into view is dropped from memory (the live state replaces it), and one whose
//! hex the empire sees again without it is forgotten; timed entries expire. What an empire
//! remembers reaches only its own sessions ([`notify`]).

pub mod notify;
pub mod record;
mod store;

pub use store::Memory;

use super::components::{Kind, Owner, Position};
use super::resources::{EntityIndex, TickCount, WorldMap};
use super::schedule::{RegionPlugin, RegionSet};
use super::vision::{Vision, update_vision};
use crate::config::RegionConfig;
use bevy_ecs::prelude::*;
use notify::notify_memory;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex, Visibility};

/// The vision cache's slice of the configuration.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct MemorySettings {
    /// Per entity kind (by code): `None` not remembered, `Some(None)` until seen again,
    /// `Some(Some(ticks))` for that many ticks.
    pub keep: Vec<Option<Option<u32>>>,
    /// Ticks per second (ages are sent in seconds).
    pub tick_hz: u32,
}

impl MemorySettings {
    /// The slice of `config` the cache reads (a policy the config check refused remembers
    /// nothing).
    pub fn from_config(config: &RegionConfig) -> Self {
        let mut keep = vec![None; EntityKind::ALL.len()];
        for (kind, secs) in config.vision_cache.policy().unwrap_or_default() {
            if let Some(slot) = keep.get_mut(usize::from(kind.code())) {
                *slot = Some(secs.map(|s| s.saturating_mul(config.tick_hz)));
            }
        }
        Self {
            keep,
            tick_hz: config.tick_hz.max(1),
        }
    }

    /// How long `kind` is kept (`None`: not remembered).
    fn keep(&self, kind: EntityKind) -> Option<Option<u32>> {
        self.keep.get(usize::from(kind.code())).copied().flatten()
    }
}

/// What an empire remembers of one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remembered {
    /// Its kind.
    pub kind: EntityKind,
    /// Its owner when last seen.
    pub owner: EmpireId,
    /// Where it stood.
    pub pos: Hex,
    /// The map cell of `pos`.
    pub cell: u32,
    /// The tick it was last seen (below 0 for one seen before a restart).
    pub seen_tick: i64,
    /// The tick it is forgotten at; `None` until seen again.
    pub expires: Option<i64>,
}

/// A change to what an empire remembers, for its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryEvent {
    /// The entity left the view and is remembered.
    Remembered(EntityId),
    /// The entity is forgotten (expired, or its hex seen again without it).
    Forgot(EntityId),
}

/// Read-only inputs of [`remember`].
#[derive(bevy_ecs::system::SystemParam)]
struct MemoryInputs<'w, 's> {
    vision: Res<'w, Vision>,
    settings: Res<'w, MemorySettings>,
    index: Res<'w, EntityIndex>,
    tick: Res<'w, TickCount>,
    map: Res<'w, WorldMap>,
    entities: Query<'w, 's, (&'static Kind, &'static Owner, &'static Position)>,
}

/// Follow the tick's vision changes: drop what came back into view, remember what left it,
/// forget what is not where the empire looks again; expire timed entries.
fn remember(inputs: MemoryInputs, mut memory: ResMut<Memory>) {
    let now = i64::from(inputs.tick.0);
    let mut events = std::mem::take(&mut memory.events);
    for &empire in inputs.vision.changed_empires() {
        let Some(v) = inputs.vision.empire(empire) else {
            continue;
        };
        for id in &v.entered {
            memory.remove(empire, *id);
        }
        for id in &v.left {
            if let Some(r) = snapshot(&inputs, empire, *id, now) {
                memory.insert(empire, *id, r);
                events.push((empire, MemoryEvent::Remembered(*id)));
            }
        }
        for cell in &v.changed {
            if v.cells.get(*cell as usize) != Some(&Visibility::Visible) {
                continue;
            }
            let gone: Vec<EntityId> = memory
                .at(empire, *cell)
                .iter()
                .filter(|id| !inputs.vision.sees(empire, **id))
                .copied()
                .collect();
            for id in gone {
                memory.remove(empire, id);
                events.push((empire, MemoryEvent::Forgot(id)));
            }
        }
    }
    for (empire, id) in memory.expire(now) {
        events.push((empire, MemoryEvent::Forgot(id)));
    }
    memory.events = events;
}

/// What `empire` remembers of `id`, which just left its view: `None` if it is gone (seen
/// destroyed), its own, off the map or of a kind not remembered.
fn snapshot(inputs: &MemoryInputs, empire: EmpireId, id: EntityId, now: i64) -> Option<Remembered> {
    let entity = inputs.index.by_id.get(&id)?;
    let (kind, owner, pos) = inputs.entities.get(*entity).ok()?;
    if owner.0 == empire {
        return None;
    }
    let keep = inputs.settings.keep(kind.0)?;
    let cell = u32::try_from(inputs.map.map.cell_index(pos.0)?).ok()?;
    Some(Remembered {
        kind: kind.0,
        owner: owner.0,
        pos: pos.0,
        cell,
        seen_tick: now,
        expires: keep.map(|ticks| now + i64::from(ticks)),
    })
}

/// Installs the memory and its systems: [`remember`] after the vision update, the sessions'
/// events in the sync stage.
#[derive(Debug, Clone)]
pub struct MemoryPlugin {
    /// Its slice of the configuration.
    pub settings: MemorySettings,
}

impl RegionPlugin for MemoryPlugin {
    fn build(&self, world: &mut World, schedule: &mut Schedule) {
        world.insert_resource(self.settings.clone());
        world.insert_resource(Memory::default());
        schedule.add_systems((
            remember.in_set(RegionSet::Vision).after(update_vision),
            notify_memory.in_set(RegionSet::Sync),
        ));
    }
}
