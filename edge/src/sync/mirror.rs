//! [`Mirror`]: the edge's copy of the entity states its sessions can see, fed by the region's
//! `RegionToEdge::Entities` frames.

use rustc_hash::FxHashMap;
use starlane_protocol::link::EntityFrame;
use starlane_protocol::{EntityId, EntityState};
use std::collections::VecDeque;

/// Most frames whose touched ids are kept for [`Mirror::changes_since`].
const CHANGE_LOG_FRAMES: usize = 64;

/// The edge's copy of entity states (see [`EntityFrame`] for how frames apply).
///
/// Besides the states it keeps a short log of which ids each recent frame touched, so a
/// session can find what changed since it last looked without comparing every entity.
#[derive(Debug, Clone, Default)]
pub struct Mirror {
    /// Keyed by the region's ids (the region link is trusted), hence the fast hasher.
    entities: FxHashMap<EntityId, EntityState>,
    tick: u32,
    /// Frames applied so far (the mirror's version).
    version: u64,
    /// The version after the latest reset or [`Mirror::clear`]: older versions must rescan.
    reset_version: u64,
    /// `(version, ids touched by that frame)`, oldest first.
    log: VecDeque<(u64, Vec<EntityId>)>,
    unknown_changes: u64,
}

impl Mirror {
    /// An empty mirror at tick 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one frame as LINK.md §6.5 says ([`EntityFrame::apply_with`]: `reset` clears,
    /// `appeared` inserts or replaces, `changed` merges the present fields (a change for an id
    /// not held is ignored and counted), `removed` deletes), noting the ids it touched.
    pub fn apply(&mut self, frame: &EntityFrame) {
        self.version += 1;
        if frame.reset {
            self.log.clear();
            self.reset_version = self.version;
        }
        let mut touched =
            Vec::with_capacity(frame.appeared.len() + frame.changed.len() + frame.removed.len());
        let applied = frame.apply_with(&mut self.entities, |id| touched.push(id));
        self.unknown_changes += applied.unknown_changes as u64;
        self.tick = frame.tick;
        self.log.push_back((self.version, touched));
        while self.log.len() > CHANGE_LOG_FRAMES {
            self.log.pop_front();
        }
    }

    /// The mirrored state of `id`.
    pub fn get(&self, id: EntityId) -> Option<&EntityState> {
        self.entities.get(&id)
    }

    /// Number of mirrored entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether no entity is mirrored.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Tick of the last frame applied (0 before any).
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// Drops every entity (the region link went away); sessions rescan on their next poll.
    pub fn clear(&mut self) {
        self.entities.clear();
        self.log.clear();
        self.version += 1;
        self.reset_version = self.version;
    }

    /// `changed` entries naming ids the mirror did not hold (a region bug if ever non-zero).
    pub fn unknown_changes(&self) -> u64 {
        self.unknown_changes
    }

    /// The mirror's version: +1 per applied frame or [`Mirror::clear`].
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The ids touched (appeared, changed or removed) by the frames after `version`, possibly
    /// with repeats; `None` when the log no longer reaches back that far or the mirror was
    /// reset since, and the caller has to look at everything it cares about.
    pub fn changes_since(&self, version: u64) -> Option<impl Iterator<Item = EntityId> + '_> {
        if version < self.reset_version {
            return None;
        }
        let oldest = self.log.front().map_or(self.version + 1, |(v, _)| *v);
        if version + 1 < oldest && version < self.version {
            return None;
        }
        Some(
            self.log
                .iter()
                .filter(move |(v, _)| *v > version)
                .flat_map(|(_, ids)| ids.iter().copied()),
        )
    }

    /// Every mirrored entity, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (EntityId, &EntityState)> {
        self.entities.iter().map(|(id, s)| (*id, s))
    }
}
