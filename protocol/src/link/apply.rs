//! How an [`EntityFrame`] applies to a mirror of entity states (LINK.md §6.5): the one
//! implementation the edge's mirror, the benchmark's stand-in edge and the tests use.

use super::msg::EntityFrame;
use crate::types::{EntityChange, EntityId, EntityState};
use std::collections::HashMap;
use std::hash::BuildHasher;

/// What applying one frame did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Entities inserted or replaced.
    pub appeared: usize,
    /// Entities whose fields were merged.
    pub changed: usize,
    /// Entities deleted (that were held).
    pub removed: usize,
    /// `changed` entries naming ids the mirror did not hold (ignored; a region bug if ever
    /// non-zero).
    pub unknown_changes: usize,
}

impl EntityChange {
    /// Merge the present fields into `state`.
    pub fn apply_to(&self, state: &mut EntityState) {
        if let Some(pos) = self.pos {
            state.pos = pos;
        }
        if let Some(health) = self.health {
            state.health = health;
        }
    }
}

impl EntityFrame {
    /// Apply to `mirror`: `reset` clears it, `appeared` inserts or replaces, `changed` merges
    /// the present fields of held ids, `removed` deletes.
    pub fn apply<S: BuildHasher>(&self, mirror: &mut HashMap<EntityId, EntityState, S>) -> Applied {
        self.apply_with(mirror, |_| {})
    }

    /// [`EntityFrame::apply`], calling `touched` with every id it inserted, merged or deleted,
    /// in that order.
    pub fn apply_with<S: BuildHasher>(
        &self,
        mirror: &mut HashMap<EntityId, EntityState, S>,
        mut touched: impl FnMut(EntityId),
    ) -> Applied {
        let mut applied = Applied::default();
        if self.reset {
            mirror.clear();
        }
        for state in &self.appeared {
            mirror.insert(state.id, state.clone());
            touched(state.id);
            applied.appeared += 1;
        }
        for change in &self.changed {
            match mirror.get_mut(&change.id) {
                Some(state) => {
                    change.apply_to(state);
                    touched(change.id);
                    applied.changed += 1;
                }
                None => applied.unknown_changes += 1,
            }
        }
        for id in &self.removed {
            if mirror.remove(id).is_some() {
                touched(*id);
                applied.removed += 1;
            }
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{EntityKind, Hex};

    fn state(id: EntityId, q: i32) -> EntityState {
        EntityState {
            id,
            kind: EntityKind::Scout,
            owner: 1,
            pos: Hex::new(q, 0),
            health: 50,
        }
    }

    #[test]
    fn frames_apply_in_order_reset_appeared_changed_removed() {
        let mut mirror = HashMap::new();
        let first = EntityFrame {
            tick: 1,
            reset: true,
            appeared: vec![state(1, 0), state(2, 0)],
            ..Default::default()
        };
        assert_eq!(first.apply(&mut mirror).appeared, 2);
        let second = EntityFrame {
            tick: 2,
            reset: false,
            appeared: vec![state(3, 5)],
            changed: vec![
                EntityChange {
                    id: 1,
                    pos: Some(Hex::new(1, 0)),
                    health: None,
                },
                EntityChange {
                    id: 9,
                    pos: None,
                    health: Some(1),
                },
            ],
            removed: vec![2, 8],
        };
        let mut touched = Vec::new();
        let applied = second.apply_with(&mut mirror, |id| touched.push(id));
        assert_eq!(
            applied,
            Applied {
                appeared: 1,
                changed: 1,
                removed: 1,
                unknown_changes: 1
            }
        );
        assert_eq!(touched, [3, 1, 2]);
        assert_eq!(mirror.get(&1).map(|s| s.pos), Some(Hex::new(1, 0)));
        assert_eq!(mirror.get(&1).map(|s| s.health), Some(50));
        assert!(!mirror.contains_key(&2));
        let reset = EntityFrame {
            tick: 3,
            reset: true,
            appeared: vec![state(7, 0)],
            ..Default::default()
        };
        reset.apply(&mut mirror);
        assert_eq!(mirror.keys().copied().collect::<Vec<_>>(), [7]);
    }
}
