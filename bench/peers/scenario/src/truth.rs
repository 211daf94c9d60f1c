//! The server's truth as the script replays it: every entity's state and each session's
//! visible set, advanced one tick at a time, with when each entity's earlier values ended, so
//! a client's value can be aged (the platform's definition of staleness).

use crate::script::{Id, State, Tick};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;
use std::time::Instant;

/// What a client's value is compared on: position and health.
pub type Seen = (i32, i32, u16);

/// Earlier values kept per entity: at 20 Hz, 6.4 s of an entity that changes every tick.
const HISTORY: usize = 128;

/// Entity states and per-session views after the ticks applied so far.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// Every entity some session has seen, at its latest recorded state.
    pub states: FxHashMap<Id, State>,
    /// Per session: the ids in its view.
    pub views: Vec<FxHashSet<Id>>,
    /// Per entity: its earlier values, each with the instant the truth left it, oldest first.
    ended: FxHashMap<Id, VecDeque<(Seen, Instant)>>,
}

fn seen(s: &State) -> Seen {
    (s.q, s.r, s.health)
}

impl Truth {
    /// An empty world for `sessions` sessions.
    pub fn new(sessions: usize) -> Self {
        Self {
            states: FxHashMap::default(),
            views: vec![FxHashSet::default(); sessions],
            ended: FxHashMap::default(),
        }
    }

    /// Apply one tick: full states, changed fields, then the view changes. Views of a session
    /// past `views.len()` are ignored (the script has more sessions than this run's clients).
    pub fn apply(&mut self, tick: &Tick) {
        self.apply_at(tick, Instant::now());
    }

    /// [`Truth::apply`], the values it replaces ending at `at`.
    pub fn apply_at(&mut self, tick: &Tick, at: Instant) {
        for (id, state) in &tick.appeared {
            if let Some(old) = self.states.insert(*id, *state) {
                self.ended(*id, seen(&old), seen(state), at);
            }
        }
        for c in &tick.changed {
            if let Some(s) = self.states.get_mut(&c.id) {
                let old = seen(s);
                if let Some(q) = c.q {
                    s.q = q;
                }
                if let Some(r) = c.r {
                    s.r = r;
                }
                if let Some(h) = c.health {
                    s.health = h;
                }
                let new = seen(s);
                self.ended(c.id, old, new, at);
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

    fn ended(&mut self, id: Id, old: Seen, new: Seen, at: Instant) {
        if old == new {
            return;
        }
        let h = self.ended.entry(id).or_default();
        if h.len() == HISTORY {
            h.pop_front();
        }
        h.push_back((old, at));
    }

    /// How old a client's value `held` of entity `id` is at `now`, in milliseconds: 0 if the
    /// truth holds it (health compared in steps of `step`), else the time since the truth last
    /// held it. `None` for an entity the truth does not know, or a value it has not held within
    /// its history.
    pub fn age_ms(&self, id: Id, held: Seen, step: u16, now: Instant) -> Option<f64> {
        let step = step.max(1);
        let same = |t: Seen| (t.0, t.1, (t.2 / step).saturating_mul(step)) == held;
        if same(seen(self.states.get(&id)?)) {
            return Some(0.0);
        }
        let (_, left) = self.ended.get(&id)?.iter().rev().find(|(v, _)| same(*v))?;
        Some(now.saturating_duration_since(*left).as_secs_f64() * 1000.0)
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
    use std::time::Duration;

    fn moved(tick: u32, id: Id, q: i32) -> Tick {
        Tick {
            tick,
            changed: vec![Change {
                id,
                q: Some(q),
                r: None,
                health: None,
            }],
            ..Tick::default()
        }
    }

    #[test]
    fn a_value_is_as_old_as_the_time_since_the_truth_left_it() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut truth = Truth::new(1);
        let state = State {
            kind: 0,
            owner: 0,
            q: 0,
            r: 0,
            health: 97,
        };
        truth.apply_at(
            &Tick {
                tick: 0,
                appeared: vec![(1, state)],
                ..Tick::default()
            },
            ms(0),
        );
        // A unit moving every tick, and a client always one move behind: each of its values
        // is as old as the move that replaced it, not as old as the last time it was equal.
        for k in 1..=20 {
            truth.apply_at(&moved(k, 1, k as i32), ms(50 * u64::from(k)));
        }
        assert_eq!(truth.age_ms(1, (20, 0, 97), 1, ms(1010)), Some(0.0));
        assert_eq!(truth.age_ms(1, (19, 0, 97), 1, ms(1010)), Some(10.0));
        assert_eq!(truth.age_ms(1, (5, 0, 97), 1, ms(1010)), Some(710.0));
        // Health in steps: 95 stands for 97 in steps of 5, not in steps of 1.
        assert_eq!(truth.age_ms(1, (20, 0, 95), 5, ms(1010)), Some(0.0));
        assert_eq!(truth.age_ms(1, (20, 0, 95), 1, ms(1010)), None);
        // An entity the truth does not know.
        assert_eq!(truth.age_ms(2, (0, 0, 97), 1, ms(1010)), None);
    }

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
