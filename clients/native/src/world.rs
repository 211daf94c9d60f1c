//! The client's view of the world, built from the server's messages.

use starlane_protocol::economy::{JobEvent, JobState};
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{
    EmpireId, EntityId, EntityState, Hex, MapInfo, NEUTRAL_EMPIRE, Update, Visibility,
};
use starlane_protocol::{JobId, RecipeId};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What changed when an update was applied, for printing or for bots.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub appeared: Vec<EntityId>,
    pub moved: Vec<(EntityId, Hex)>,
    pub disappeared: Vec<EntityId>,
    pub vision_changes: usize,
}

/// Entities the client can see now, hex visibility, the map and resources.
#[derive(Debug, Default, Clone)]
pub struct WorldView {
    /// The player's empire ([`NEUTRAL_EMPIRE`] until the welcome names it).
    pub empire: EmpireId,
    pub tick: u32,
    pub map: Option<MapInfo>,
    /// The region's recipe catalog (protocol version 3), once received.
    pub catalog: Option<starlane_protocol::economy::Catalog>,
    pub entities: BTreeMap<EntityId, EntityState>,
    pub vision: HashMap<Hex, Visibility>,
    pub resources: BTreeMap<u8, u32>,
    /// Every entity id this client has ever been told about (for anti-ESP checks in tests).
    pub ever_seen: BTreeMap<EntityId, EntityState>,
    /// The jobs of the empire's buildings, from `Job` events (SPEC.md §19): per building,
    /// job id → recipe and whether it runs.
    pub jobs: BTreeMap<EntityId, BTreeMap<JobId, (RecipeId, bool)>>,
    /// Empires this empire shares its vision with, from `Sharing` events (SPEC.md §20).
    pub shares_to: BTreeSet<EmpireId>,
    /// Empires that share their vision with this empire.
    pub shared_from: BTreeSet<EmpireId>,
    /// Entities the empire remembers and no longer sees, as last seen (SPEC.md §20.6).
    pub last_seen: BTreeMap<EntityId, LastSeenEvent>,
    /// Chat, the empire's alliance and its invitations (SPEC.md §21).
    pub social: crate::social::SocialView,
}

impl WorldView {
    pub fn new(empire: EmpireId) -> Self {
        Self {
            empire,
            ..Self::default()
        }
    }

    /// Apply a vision-grant event: the grant is held while active.
    pub fn apply_sharing(&mut self, grant: &SharingEvent) {
        let set = if grant.outgoing {
            &mut self.shares_to
        } else {
            &mut self.shared_from
        };
        if grant.active {
            set.insert(grant.empire);
        } else {
            set.remove(&grant.empire);
        }
    }

    /// Apply a memory event: a snapshot is kept until forgotten or until its entity is in
    /// view again.
    pub fn apply_memory(&mut self, m: &crate::assembler::Memory) {
        match m {
            crate::assembler::Memory::LastSeen(seen) => {
                self.last_seen.insert(seen.id, *seen);
            }
            crate::assembler::Memory::Forget(id) => {
                self.last_seen.remove(id);
            }
        }
    }

    /// Apply a job event: queued and started jobs are held, the others dropped.
    pub fn apply_job(&mut self, job: &JobEvent) {
        let queue = self.jobs.entry(job.building).or_default();
        match job.state {
            JobState::Queued => {
                queue.insert(job.job, (job.recipe, false));
            }
            JobState::Started => {
                queue.insert(job.job, (job.recipe, true));
            }
            JobState::Completed | JobState::Cancelled | JobState::Stalled => {
                queue.remove(&job.job);
            }
        }
        if queue.is_empty() {
            self.jobs.remove(&job.building);
        }
    }

    pub fn apply(&mut self, update: &Update) -> Applied {
        let mut applied = Applied::default();
        self.tick = update.tick;
        for e in &update.appeared {
            self.entities.insert(e.id, e.clone());
            self.ever_seen.insert(e.id, e.clone());
            self.last_seen.remove(&e.id);
            applied.appeared.push(e.id);
        }
        for c in &update.changed {
            // A change for an entity we do not have is ignored: the server only sends changes
            // against what it sent us, so this can only follow a server bug.
            if let Some(e) = self.entities.get_mut(&c.id) {
                if let Some(pos) = c.pos {
                    e.pos = pos;
                    applied.moved.push((c.id, pos));
                }
                if let Some(h) = c.health {
                    e.health = h;
                }
                self.ever_seen.insert(c.id, e.clone());
            }
        }
        for id in &update.disappeared {
            if self.entities.remove(id).is_some() {
                applied.disappeared.push(*id);
                // A building gone (destroyed, or a cancelled site) takes its queue along.
                self.jobs.remove(id);
            }
        }
        for v in &update.vision {
            self.vision.insert(v.hex, v.state);
        }
        applied.vision_changes = update.vision.len();
        for (kind, amount) in &update.resources {
            self.resources.insert(*kind as u8, *amount);
        }
        applied
    }

    /// Own ships (the units that move and fight; not buildings), sorted by id (none while the
    /// empire is [`NEUTRAL_EMPIRE`], i.e. unknown: neutral units are nobody's).
    pub fn my_units(&self) -> impl Iterator<Item = &EntityState> {
        self.mine().filter(|e| !e.kind.is_building())
    }

    /// Own buildings (stations, extractors, shipyards, construction sites), sorted by id.
    pub fn my_buildings(&self) -> impl Iterator<Item = &EntityState> {
        self.mine().filter(|e| e.kind.is_building())
    }

    fn mine(&self) -> impl Iterator<Item = &EntityState> {
        let me = self.empire;
        self.entities
            .values()
            .filter(move |e| me != NEUTRAL_EMPIRE && e.owner == me)
    }

    /// Visibility of a hex (shroud when never told).
    pub fn visibility(&self, hex: Hex) -> Visibility {
        self.vision.get(&hex).copied().unwrap_or(Visibility::Shroud)
    }

    /// Every hex of the map (chunk discs), empty before the map arrives.
    pub fn map_hexes(&self) -> Vec<Hex> {
        let Some(map) = &self.map else {
            return Vec::new();
        };
        let r = i32::from(map.chunk_radius);
        let mut out = Vec::new();
        for c in &map.chunks {
            for dq in -r..=r {
                for dr in (-r).max(-dq - r)..=r.min(-dq + r) {
                    // Wraps instead of overflowing on hostile chunk centers.
                    out.push(c.plus(Hex::new(dq, dr)));
                }
            }
        }
        out
    }

    /// Whether a hex is on the map and passable, as far as the client knows.
    pub fn is_passable(&self, hex: Hex) -> bool {
        let Some(map) = &self.map else { return false };
        let r = u32::from(map.chunk_radius);
        let on_map = map.chunks.iter().any(|c| c.distance(hex) <= r);
        on_map && map.blocked.binary_search(&hex).is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starlane_protocol::{EntityChange, EntityKind, VisionChange};

    fn unit(id: u32, owner: u32, q: i32, r: i32) -> EntityState {
        EntityState {
            id,
            kind: EntityKind::Scout,
            owner,
            pos: Hex::new(q, r),
            health: 100,
        }
    }

    #[test]
    fn applies_appear_change_disappear_and_vision() {
        let mut w = WorldView::new(7);
        let a = w.apply(&Update {
            tick: 1,
            appeared: vec![unit(1, 7, 0, 0), unit(2, 9, 3, 0)],
            vision: vec![VisionChange {
                hex: Hex::new(0, 0),
                state: Visibility::Visible,
            }],
            ..Update::default()
        });
        assert_eq!(a.appeared, vec![1, 2]);
        assert_eq!(w.my_units().count(), 1);
        let a = w.apply(&Update {
            tick: 2,
            changed: vec![EntityChange {
                id: 1,
                pos: Some(Hex::new(1, 0)),
                health: None,
            }],
            disappeared: vec![2],
            vision: vec![VisionChange {
                hex: Hex::new(0, 0),
                state: Visibility::Fog,
            }],
            ..Update::default()
        });
        assert_eq!(a.moved, vec![(1, Hex::new(1, 0))]);
        assert_eq!(a.disappeared, vec![2]);
        assert_eq!(w.entities[&1].pos, Hex::new(1, 0));
        assert_eq!(w.visibility(Hex::new(0, 0)), Visibility::Fog);
        assert_eq!(w.visibility(Hex::new(5, 5)), Visibility::Shroud);
        assert!(w.ever_seen.contains_key(&2));
    }

    #[test]
    fn map_hexes_counts_cells() {
        let mut w = WorldView::new(1);
        w.map = Some(MapInfo {
            chunk_radius: 9,
            chunks: vec![Hex::new(0, 0)],
            blocked: vec![],
        });
        assert_eq!(w.map_hexes().len(), 271);
        assert!(w.is_passable(Hex::new(9, 0)));
        assert!(!w.is_passable(Hex::new(10, 0)));
    }

    /// Coordinates from the wire may be any i32: nothing overflows (this runs with overflow
    /// checks in debug builds).
    #[test]
    fn hostile_coordinates_do_not_overflow() {
        let mut w = WorldView::new(1);
        w.map = Some(MapInfo {
            chunk_radius: 2,
            chunks: vec![Hex::new(i32::MAX, i32::MIN), Hex::new(i32::MIN, i32::MIN)],
            blocked: vec![],
        });
        assert_eq!(w.map_hexes().len(), 2 * 19);
        assert!(w.is_passable(Hex::new(i32::MAX, i32::MIN)));
        assert!(w.is_passable(Hex::new(i32::MAX - 2, i32::MIN)));
        assert!(!w.is_passable(Hex::new(i32::MAX, i32::MAX)));
        assert!(!w.is_passable(Hex::new(0, 0)));
    }

    #[test]
    fn neutral_units_are_nobodys() {
        let mut w = WorldView::default();
        assert_eq!(w.empire, NEUTRAL_EMPIRE);
        w.apply(&Update {
            appeared: vec![unit(1, NEUTRAL_EMPIRE, 0, 0), unit(2, 7, 1, 0)],
            ..Update::default()
        });
        assert_eq!(
            w.my_units().count(),
            0,
            "before the welcome nothing is ours"
        );
        w.empire = 7;
        assert_eq!(w.my_units().map(|e| e.id).collect::<Vec<_>>(), [2]);
    }
}
