//! [`RegionSim`]: the region's world with every plugin installed, stepped one tick at a time
//! by the runtime's tick thread or by tests.

use super::ai::{AiPlugin, AiSettings, spawn_ai_empires};
use super::combat::{CombatPlugin, CombatSettings};
use super::commands::{CommandPlugin, CommandSettings, RestoreNotice};
use super::components::{Deposit, Health, Kind, NEUTRAL_EMPIRE, Npc, Owner, Position, StableId};
use super::economy::fields::{field_count, spawn_fields};
use super::economy::record::{restore_record, take_record};
use super::economy::{EconomyPlugin, EconomySettings};
use super::io::{Inbox, LinkId, Outbox, TickInput};
use super::memory::{Memory, MemoryPlugin, MemorySettings};
use super::movement::SimulationPlugin;
use super::npc::{NpcPlugin, spawn_load};
use super::parallel::Parallel;
use super::resources::{CorePlugin, Counters, Dirty, EntityIndex, TickCount, WorldMap};
use super::schedule::{self, RegionPlugin};
use super::sessions::Sessions;
use super::sharing::{Grants, SharingPlugin, SharingSettings};
use super::social::{SocialPlugin, SocialSettings};
use super::spawn::{SpawnPlugin, UnitSpec, UnitStats, spawn_unit};
use super::sync::{LinkBackpressure, SyncPlugin};
use super::timing::{SetClock, TimingPlugin};
use super::vision::{Vision, VisionPlugin};
use crate::config::{LoadConfig, RegionConfig};
use crate::map::GameMap;
use crate::metrics::{TickSample, Truth};
use crate::records::{EconomyRecord, UnitRecord, VisionRecord};
use bevy_ecs::prelude::*;
use starlane_protocol::link::RegionToEdge;
use starlane_protocol::{EmpireId, EntityId, EntityKind, Hex};
use std::time::Instant;

/// A region world and its schedule, stepped by the runtime's tick thread or by tests.
pub struct RegionSim {
    world: World,
    schedule: Schedule,
    last_sample: TickSample,
    /// Neutral pirates spawned when none were stored (the `pirates` setting).
    pirates: u32,
}

impl std::fmt::Debug for RegionSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionSim")
            .field("world", &self.world)
            .finish_non_exhaustive()
    }
}

impl RegionSim {
    /// A world with the map and every plugin installed, and no entities. Each plugin gets
    /// its slice of `config`.
    pub fn new(config: RegionConfig, map: GameMap) -> Self {
        let mut world = World::new();
        let mut schedule = Schedule::default();
        schedule::configure(&mut schedule);
        let core = CorePlugin { map };
        let spawning = SpawnPlugin {
            stats: UnitStats::from_config(&config),
        };
        let commands = CommandPlugin {
            settings: CommandSettings::from_config(&config),
        };
        let combat = CombatPlugin {
            settings: CombatSettings::from_config(&config),
        };
        let economy = EconomyPlugin {
            settings: EconomySettings::from_config(&config).unwrap_or_else(|e| {
                // `RegionConfig::load` checks the recipe file; an unchecked config that
                // names a bad one runs with no recipes rather than not at all.
                tracing::error!("{e}; the region runs without recipes");
                EconomySettings::with_book(&config, Default::default())
            }),
        };
        let sync = SyncPlugin {
            delta_log_ticks: config.sync.delta_log_ticks,
        };
        let ai = AiPlugin {
            settings: AiSettings::from_config(&config),
        };
        let sharing = SharingPlugin {
            settings: SharingSettings::from_config(&config),
        };
        let memory = MemoryPlugin {
            settings: MemorySettings::from_config(&config),
        };
        let social = SocialPlugin {
            settings: SocialSettings::from_config(&config),
        };
        let plugins: [&dyn RegionPlugin; 14] = [
            &core,
            &spawning,
            &commands,
            &SimulationPlugin,
            &NpcPlugin,
            &combat,
            &economy,
            &ai,
            &sharing,
            &social,
            &VisionPlugin,
            &memory,
            &sync,
            &TimingPlugin,
        ];
        for plugin in plugins {
            plugin.build(&mut world, &mut schedule);
        }
        world.insert_resource(Parallel::new(config.tick_threads));
        Self {
            world,
            schedule,
            last_sample: TickSample::default(),
            pirates: config.pirates,
        }
    }

    /// Mark the links whose outgoing frame queue is congested for the next
    /// [`RegionSim::step`] (replacing the previous set): the sync stage skips their entity
    /// frames and views until they are no longer marked, then catches them up.
    pub fn set_congested(&mut self, links: impl IntoIterator<Item = LinkId>) {
        let mut bp = self.world.resource_mut::<LinkBackpressure>();
        bp.0.clear();
        bp.0.extend(links);
    }

    /// Tell the sessions opened in the next `window_ticks` ticks `text` (a region restored
    /// from a snapshot: a `WorldRestored` notice after their `Joined`, once per client).
    pub fn announce_restore(&mut self, text: String, window_ticks: u32) {
        let notice = RestoreNotice::new(text, self.tick(), window_ticks);
        self.world.insert_resource(notice);
    }

    /// Whether sessions opened now would be told of a restore.
    pub fn restore_notice_pending(&self) -> bool {
        self.world.resource::<RestoreNotice>().is_pending()
    }

    /// Queue an input for the next [`RegionSim::step`].
    pub fn push(&mut self, input: TickInput) {
        self.world.resource_mut::<Inbox>().0.push(input);
    }

    /// Run one tick and return the frames to send, per link. Its timing is in
    /// [`RegionSim::last_sample`].
    pub fn step(&mut self) -> Vec<(LinkId, RegionToEdge)> {
        let start = Instant::now();
        self.schedule.run(&mut self.world);
        let frames = self.world.resource_mut::<Outbox>().drain();
        let [commands_ns, simulation_ns, vision_ns, sync_ns] =
            self.world.resource::<SetClock>().set_ns();
        self.last_sample = TickSample {
            tick: self.tick(),
            total_ns: u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX),
            commands_ns,
            simulation_ns,
            vision_ns,
            sync_ns,
            entities: self.entity_count(),
            sessions: self.session_count(),
        };
        frames
    }

    /// Timing of the last [`RegionSim::step`]: `total_ns` covers the schedule and draining
    /// the outbox (the runtime widens it to the whole tick).
    pub fn last_sample(&self) -> TickSample {
        self.last_sample
    }

    /// Entities in the world.
    pub fn entity_count(&self) -> u32 {
        let n = self.world.resource::<EntityIndex>().by_id.len();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Open sessions.
    pub fn session_count(&self) -> u32 {
        let n = self.world.resource::<Sessions>().map.len();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Every entity's position and health now (the bench's server truth).
    pub fn truth(&mut self) -> Truth {
        let tick = self.tick();
        let mut q = self.world.query::<(&StableId, &Position, &Health)>();
        let entities = q
            .iter(&self.world)
            .map(|(id, pos, health)| (id.0, (pos.0, health.0)))
            .collect();
        Truth {
            tick,
            at: Instant::now(),
            entities,
        }
    }

    /// Spawn synthetic NPC load (see `[load]`); returns how many units were spawned.
    pub fn spawn_load(&mut self, load: &LoadConfig) -> usize {
        spawn_load(&mut self.world, load)
    }

    /// The current tick number.
    pub fn tick(&self) -> u32 {
        self.world.resource::<TickCount>().0
    }

    /// The map.
    pub fn map(&self) -> &GameMap {
        &self.world.resource::<WorldMap>().map
    }

    /// Counters of accepted and rejected work.
    pub fn counters(&self) -> Counters {
        self.world.resource::<Counters>().clone()
    }

    /// Shots that hit and units destroyed in combat so far.
    pub fn combat_totals(&self) -> (u64, u64) {
        let c = self.world.resource::<Counters>();
        (c.shots, c.destroyed)
    }

    /// Commands accepted (applied) so far, and commands answered from the dedup window
    /// instead of being applied again (a client that moved edges sent them twice).
    pub fn command_totals(&self) -> (u64, u64) {
        let applied = self.world.resource::<Counters>().commands_ok;
        let replayed = self
            .world
            .get_resource::<crate::world::commands::CommandDedup>()
            .map_or(0, |d| d.duplicates);
        (applied, replayed)
    }

    /// Direct access to the world (tests, tools).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Spawn a unit with the kind's configured stats; returns its stable id.
    pub fn spawn_unit(&mut self, spec: UnitSpec) -> EntityId {
        spawn_unit(&mut self.world, spec)
    }

    /// Position of a unit by stable id.
    pub fn position_of(&self, id: EntityId) -> Option<Hex> {
        let entity = *self.world.resource::<EntityIndex>().by_id.get(&id)?;
        self.world.get::<Position>(entity).map(|p| p.0)
    }

    /// Units owned by `empire`, sorted by id.
    pub fn units_of(&mut self, empire: EmpireId) -> Vec<UnitRecord> {
        let mut out: Vec<UnitRecord> = self
            .all_units()
            .into_iter()
            .filter(|u| u.owner == empire)
            .collect();
        out.sort_by_key(|u| u.id);
        out
    }

    /// Every unit, as stored.
    pub fn all_units(&mut self) -> Vec<UnitRecord> {
        let mut q = self
            .world
            .query::<(&StableId, &Owner, &Kind, &Position, &Health)>();
        q.iter(&self.world)
            .map(|(id, owner, kind, pos, health)| UnitRecord {
                id: id.0,
                owner: owner.0,
                kind: kind.0,
                pos: pos.0,
                health: health.0,
            })
            .collect()
    }

    /// Every unit that survives a restart, as stored in a world snapshot: all but the
    /// synthetic NPC load (`[load]`, spawned anew at each start).
    pub fn persistent_units(&mut self) -> Vec<UnitRecord> {
        let mut q = self
            .world
            .query_filtered::<(&StableId, &Owner, &Kind, &Position, &Health), Without<Npc>>();
        q.iter(&self.world)
            .map(|(id, owner, kind, pos, health)| UnitRecord {
                id: id.0,
                owner: owner.0,
                kind: kind.0,
                pos: pos.0,
                health: health.0,
            })
            .collect()
    }

    /// The economy as stored in a snapshot (stocks, jobs, construction sites).
    pub fn economy_record(&mut self) -> EconomyRecord {
        take_record(&mut self.world)
    }

    /// Put a stored economy back, after [`RegionSim::load_units`]; returns the jobs restored.
    pub fn load_economy(&mut self, record: &EconomyRecord) -> usize {
        restore_record(&mut self.world, record)
    }

    /// Take entity `id` out of the world (tests, tools: as if destroyed); false if there is
    /// none.
    pub fn despawn(&mut self, id: EntityId) -> bool {
        let Some(entity) = self.world.resource::<EntityIndex>().by_id.get(&id).copied() else {
            return false;
        };
        super::spawn::despawn_entity(&mut self.world, entity, id);
        true
    }

    /// Shared vision, explored cells and remembered entities as stored in a snapshot.
    pub fn vision_record(&mut self) -> VisionRecord {
        let now = i64::from(self.tick());
        VisionRecord {
            grants: self.world.resource::<Grants>().all(),
            explored: self.world.resource::<Vision>().explored(),
            remembered: self.world.resource::<Memory>().take_record(now),
        }
    }

    /// Put stored grants, explored cells and remembered entities back, before the first tick
    /// (the grants take effect in it, without `Sharing` events: sessions hear of them, and of
    /// what their empire remembers, when they join).
    /// Returns how many explored records were skipped for another map size.
    pub fn load_vision(&mut self, record: &VisionRecord) -> usize {
        let mut grants = self.world.resource_mut::<Grants>();
        for (from, to) in &record.grants {
            grants.set(*from, *to, true, false);
        }
        let skipped = self.world.resource_scope(|world, mut vision: Mut<Vision>| {
            let map = &world.resource::<WorldMap>().map;
            record
                .explored
                .iter()
                .filter(|r| !vision.restore_explored(map, r))
                .count()
        });
        let now = i64::from(self.tick());
        self.world.resource_scope(|world, mut memory: Mut<Memory>| {
            let map = &world.resource::<WorldMap>().map;
            memory.restore_record(map, now, &record.remembered)
        });
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "explored cells of another map size were not restored (the map changed)"
            );
        }
        skipped
    }

    /// Units changed since the last call (for the periodic save).
    pub fn take_dirty(&mut self) -> Vec<UnitRecord> {
        let dirty = std::mem::take(&mut self.world.resource_mut::<Dirty>().0);
        let index = self.world.resource::<EntityIndex>();
        let world = &self.world;
        dirty
            .into_iter()
            .filter_map(|id| {
                let e = world.get_entity(*index.by_id.get(&id)?).ok()?;
                Some(UnitRecord {
                    id,
                    owner: e.get::<Owner>()?.0,
                    kind: e.get::<Kind>()?.0,
                    pos: e.get::<Position>()?.0,
                    health: e.get::<Health>()?.0,
                })
            })
            .collect()
    }

    /// Mark units dirty again (their save could not be queued; the next save takes them).
    pub fn restore_dirty(&mut self, ids: impl IntoIterator<Item = EntityId>) {
        self.world.resource_mut::<Dirty>().0.extend(ids);
    }

    /// Load stored units, moving any that stand off the map or on an asteroid (after a map
    /// change) to the nearest passable hex. Spawns the configured pirates if none were stored.
    pub fn load_units(&mut self, units: &[UnitRecord]) {
        for u in units {
            let map = self.map();
            let pos = if map.is_passable(u.pos) {
                Some(u.pos)
            } else {
                map.nearest_passable(u.pos)
            };
            let Some(pos) = pos else { continue };
            self.spawn_unit(UnitSpec {
                id: Some(u.id),
                owner: u.owner,
                kind: u.kind,
                pos,
                health: Some(u.health),
            });
        }
        // Loaded units are already stored (except moved ones, which stay dirty).
        let moved: Vec<EntityId> = units
            .iter()
            .filter(|u| !self.map().is_passable(u.pos))
            .map(|u| u.id)
            .collect();
        self.world.resource_mut::<Dirty>().0 = moved.into_iter().collect();
        if field_count(&mut self.world) == 0 {
            spawn_fields(&mut self.world);
        }
        spawn_ai_empires(&mut self.world);
        let pirates = self.pirates as usize;
        let have = self
            .world
            .query_filtered::<&Owner, Without<Deposit>>()
            .iter(&self.world)
            .filter(|o| o.0 == NEUTRAL_EMPIRE)
            .count();
        if have == 0 && pirates > 0 {
            let den = self.map().pirate_den();
            for (i, pos) in self.map().placements(den, pirates).into_iter().enumerate() {
                let kind = if i % 2 == 0 {
                    EntityKind::Frigate
                } else {
                    EntityKind::Scout
                };
                self.spawn_unit(UnitSpec {
                    id: None,
                    owner: NEUTRAL_EMPIRE,
                    kind,
                    pos,
                    health: None,
                });
            }
        }
    }
}
