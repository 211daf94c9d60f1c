//! Per edge link: the union of what its sessions' empires see, as a count per entity (how
//! many of the link's empires see it), kept from each tick's vision changes. A tick costs
//! what entered and left the empires' sight, plus the full view of an empire that joins or
//! leaves the link; nothing walks every entity of every empire.

use crate::world::vision::Vision;
use rustc_hash::FxHashMap;
use starlane_protocol::{EmpireId, EntityId};

/// The union of what one link's empires see.
#[derive(Debug, Default)]
pub struct LinkInterest {
    /// Entities at least one of the link's empires sees, with how many do.
    counts: FxHashMap<EntityId, u32>,
    /// The empires with a session on the link as of the last update, sorted.
    empires: Vec<EmpireId>,
    /// Ids that joined or left the union in the last update (in no order, may repeat).
    flipped: Vec<EntityId>,
}

impl LinkInterest {
    /// Whether some empire of the link sees `id`.
    pub fn contains(&self, id: EntityId) -> bool {
        self.counts.contains_key(&id)
    }

    /// Set `out` to the whole union, sorted.
    pub fn union(&self, out: &mut Vec<EntityId>) {
        out.clear();
        out.extend(self.counts.keys().copied());
        out.sort_unstable();
    }

    /// Ids that joined or left the union in the last update.
    pub fn flipped(&self) -> &[EntityId] {
        &self.flipped
    }

    /// Bring the union to the empires `now` on the link (sorted, distinct) as `vision` sees
    /// them after its last finished tick. `scratch` is reused across calls.
    pub fn update(&mut self, now: &[EmpireId], vision: &Vision, scratch: &mut Vec<EntityId>) {
        let Self {
            counts,
            empires,
            flipped,
        } = self;
        flipped.clear();
        for empire in empires.iter() {
            if let Some(v) = vision.empire(*empire) {
                v.entered.iter().for_each(|id| add(counts, flipped, *id));
                v.left.iter().for_each(|id| sub(counts, flipped, *id));
            }
        }
        for empire in empires.iter().filter(|e| now.binary_search(e).is_err()) {
            vision.entities(*empire, scratch);
            scratch.iter().for_each(|id| sub(counts, flipped, *id));
        }
        for empire in now.iter().filter(|e| empires.binary_search(e).is_err()) {
            vision.entities(*empire, scratch);
            scratch.iter().for_each(|id| add(counts, flipped, *id));
        }
        empires.clear();
        empires.extend_from_slice(now);
    }
}

fn add(counts: &mut FxHashMap<EntityId, u32>, flipped: &mut Vec<EntityId>, id: EntityId) {
    let count = counts.entry(id).or_insert(0);
    *count += 1;
    if *count == 1 {
        flipped.push(id);
    }
}

fn sub(counts: &mut FxHashMap<EntityId, u32>, flipped: &mut Vec<EntityId>, id: EntityId) {
    if let Some(count) = counts.get_mut(&id) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&id);
            flipped.push(id);
        }
    }
}
