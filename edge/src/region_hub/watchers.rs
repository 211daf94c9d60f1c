//! Which sessions an entity frame concerns: per entity, the sessions whose view it entered
//! (from the `View` changes the hub routes), so a frame wakes the sessions that see what it
//! changed instead of every session of the edge.
//!
//! The sets may hold more than a session's view, never less: an entity that entered and was
//! not yet announced as left counts, even when the session skipped it (the mirror lacked it).
//! A spurious wake costs the session one look at the frame's log.

use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::EntityId;
use starlane_protocol::link::{EntityFrame, SessionId, ViewChange};

/// Sessions per entity and entities per session.
#[derive(Debug, Default)]
pub(super) struct Watchers {
    by_entity: FxHashMap<EntityId, Vec<SessionId>>,
    by_session: FxHashMap<SessionId, FxHashSet<EntityId>>,
}

impl Watchers {
    /// Apply `session`'s view change.
    pub(super) fn view(&mut self, session: SessionId, view: &ViewChange) {
        if view.left.is_empty() && view.entered.is_empty() {
            return;
        }
        let seen = self.by_session.entry(session).or_default();
        for id in &view.left {
            if seen.remove(id) {
                unwatch(&mut self.by_entity, *id, session);
            }
        }
        for &id in &view.entered {
            if seen.insert(id) {
                self.by_entity.entry(id).or_default().push(session);
            }
        }
    }

    /// Forget `session` (it ended).
    pub(super) fn forget(&mut self, session: SessionId) {
        let Some(seen) = self.by_session.remove(&session) else {
            return;
        };
        for id in seen {
            unwatch(&mut self.by_entity, id, session);
        }
    }

    /// The sessions that see an entity `frame` touched, each once, with the ids it touched
    /// that each sees.
    pub(super) fn concerned(&self, frame: &EntityFrame) -> FxHashMap<SessionId, Vec<EntityId>> {
        let ids = frame
            .changed
            .iter()
            .map(|c| c.id)
            .chain(frame.removed.iter().copied())
            .chain(frame.appeared.iter().map(|s| s.id));
        let mut sessions: FxHashMap<SessionId, Vec<EntityId>> = FxHashMap::default();
        for id in ids {
            if let Some(watching) = self.by_entity.get(&id) {
                for &s in watching {
                    sessions.entry(s).or_default().push(id);
                }
            }
        }
        sessions
    }

    /// Entities watched by at least one session.
    #[cfg(test)]
    fn entities(&self) -> usize {
        self.by_entity.len()
    }
}

fn unwatch(by_entity: &mut FxHashMap<EntityId, Vec<SessionId>>, id: EntityId, session: SessionId) {
    if let Some(watching) = by_entity.get_mut(&id) {
        watching.retain(|s| *s != session);
        if watching.is_empty() {
            by_entity.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starlane_protocol::EntityChange;

    fn view(entered: &[EntityId], left: &[EntityId]) -> ViewChange {
        ViewChange {
            entered: entered.to_vec(),
            left: left.to_vec(),
            ..ViewChange::default()
        }
    }

    fn changed(ids: &[EntityId]) -> EntityFrame {
        EntityFrame {
            changed: ids
                .iter()
                .map(|&id| EntityChange {
                    id,
                    pos: None,
                    health: Some(1),
                })
                .collect(),
            ..EntityFrame::default()
        }
    }

    fn sorted(map: FxHashMap<SessionId, Vec<EntityId>>) -> Vec<SessionId> {
        let mut v: Vec<_> = map.into_keys().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn a_frame_concerns_the_sessions_that_see_what_it_changed() {
        let mut w = Watchers::default();
        w.view(1, &view(&[10, 11], &[]));
        w.view(2, &view(&[11, 12], &[]));
        w.view(3, &view(&[13], &[]));
        assert_eq!(sorted(w.concerned(&changed(&[11]))), vec![1, 2]);
        assert_eq!(sorted(w.concerned(&changed(&[10, 12]))), vec![1, 2]);
        let each = w.concerned(&changed(&[10, 11, 12, 99]));
        assert_eq!(each[&1], vec![10, 11], "each session gets the ids it sees");
        assert_eq!(each[&2], vec![11, 12]);
        assert!(w.concerned(&changed(&[99])).is_empty());
        let removed = EntityFrame {
            removed: vec![13],
            ..EntityFrame::default()
        };
        assert_eq!(sorted(w.concerned(&removed)), vec![3]);

        // Left, entered again, twice: counted once; a session that ended is forgotten.
        w.view(1, &view(&[], &[11]));
        assert_eq!(sorted(w.concerned(&changed(&[11]))), vec![2]);
        w.view(1, &view(&[11], &[]));
        w.view(1, &view(&[11], &[]));
        assert_eq!(sorted(w.concerned(&changed(&[11]))), vec![1, 2]);
        w.forget(2);
        assert_eq!(sorted(w.concerned(&changed(&[11, 12]))), vec![1]);
        w.forget(1);
        w.forget(3);
        assert_eq!(w.entities(), 0, "nothing is kept for sessions that ended");
    }
}
