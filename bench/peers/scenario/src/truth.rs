//! The server's truth as the script replays it: every entity's state and each session's
//! visible set, advanced one tick at a time.

use crate::script::{Id, State, Tick};
use rustc_hash::{FxHashMap, FxHashSet};

/// Entity states and per-session views after the ticks applied so far.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// Every entity some session has seen, at its latest recorded state.
    pub states: FxHashMap<Id, State>,
    /// Per session: the ids in its view.
    pub views: Vec<FxHashSet<Id>>,
}

impl Truth {
    /// An empty world for `sessions` sessions.
    pub fn new(sessions: usize) -> Self {
        Self {
            states: FxHashMap::default(),
            views: vec![FxHashSet::default(); sessions],
        }
    }

    /// Apply one tick: full states, changed fields, then the view changes. Views of a session
    /// past `views.len()` are ignored (the script has more sessions than this run's clients).
    pub fn apply(&mut self, tick: &Tick) {
        for (id, state) in &tick.appeared {
            self.states.insert(*id, *state);
        }
        for c in &tick.changed {
            if let Some(s) = self.states.get_mut(&c.id) {
                if let Some(q) = c.q {
                    s.q = q;
                }
                if let Some(r) = c.r {
                    s.r = r;
                }
                if let Some(h) = c.health {
                    s.health = h;
                }
            }
        }
        for v in &tick.views {
            let Some(view) = self.views.get_mut(v.session) else {
                continue;
            };
            for id in &v.left {
                view.remove(id);
            }
            view.extend(v.entered.iter().copied());
        }
    }

    /// Mean ids per view.
    pub fn mean_view(&self) -> f64 {
        if self.views.is_empty() {
            return 0.0;
        }
        self.views.iter().map(FxHashSet::len).sum::<usize>() as f64 / self.views.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{Change, ViewDelta};

    #[test]
    fn merges_changes_and_moves_views() {
        let mut t = Truth::new(2);
        let s = State {
            kind: 1,
            owner: 3,
            q: 0,
            r: 0,
            health: 10,
        };
        t.apply(&Tick {
            tick: 1,
            appeared: vec![(7, s)],
            views: vec![ViewDelta {
                session: 0,
                entered: vec![7],
                left: vec![],
            }],
            ..Tick::default()
        });
        t.apply(&Tick {
            tick: 2,
            changed: vec![Change {
                id: 7,
                q: Some(1),
                r: None,
                health: Some(9),
            }],
            views: vec![
                ViewDelta {
                    session: 0,
                    entered: vec![],
                    left: vec![7],
                },
                ViewDelta {
                    session: 1,
                    entered: vec![7],
                    left: vec![],
                },
                ViewDelta {
                    session: 5,
                    entered: vec![7],
                    left: vec![],
                },
            ],
            ..Tick::default()
        });
        assert_eq!(
            t.states[&7],
            State {
                q: 1,
                health: 9,
                ..s
            }
        );
        assert!(t.views[0].is_empty());
        assert!(t.views[1].contains(&7));
        assert!((t.mean_view() - 0.5).abs() < 1e-9);
    }
}
