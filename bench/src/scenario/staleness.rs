//! Staleness and convergence of what clients see against the server's truth.
//!
//! Staleness: each sample, for every entity a client sees, compare its position and health to
//! the truth. Equal means age 0; otherwise the age is the time since the truth last equalled
//! the client's value (the instant the pair started to differ). Convergence: at the end, the
//! fraction of client-visible entities equal to a truth that had been stable for a while.

use crate::scenario::stats::{Histogram, Summary};
use starlane_protocol::delta::{dequantize, quantize};
use starlane_protocol::{EmpireId, EntityId, EntityState, Hex, NEUTRAL_EMPIRE};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// What the server says about every entity: position and health.
pub type TruthMap = HashMap<EntityId, (Hex, u16)>;

/// A new staleness histogram: 1 ms buckets up to 10 s.
pub fn staleness_histogram() -> Histogram {
    Histogram::new(1.0, 10_000)
}

/// Staleness ages by the entity's relation to the client's empire: its own, another
/// player's (hostile), or neutral (pirates, the synthetic NPC load, resource fields).
#[derive(Debug, Clone)]
pub struct RelationHistograms {
    pub own: Histogram,
    pub hostile: Histogram,
    pub neutral: Histogram,
}

impl Default for RelationHistograms {
    fn default() -> Self {
        Self {
            own: staleness_histogram(),
            hostile: staleness_histogram(),
            neutral: staleness_histogram(),
        }
    }
}

impl RelationHistograms {
    fn of(&mut self, owner: EmpireId, empire: EmpireId) -> &mut Histogram {
        if owner == empire {
            &mut self.own
        } else if owner == NEUTRAL_EMPIRE {
            &mut self.neutral
        } else {
            &mut self.hostile
        }
    }

    /// Add another client's ages.
    pub fn merge(&mut self, other: &RelationHistograms) {
        self.own.merge(&other.own);
        self.hostile.merge(&other.hostile);
        self.neutral.merge(&other.neutral);
    }

    /// The summaries, per class.
    pub fn summary(&self) -> RelationSummary {
        RelationSummary {
            own: self.own.summary(),
            hostile: self.hostile.summary(),
            neutral: self.neutral.summary(),
        }
    }
}

/// Staleness (ms) per relation class, as in `result.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RelationSummary {
    pub own: Option<Summary>,
    pub hostile: Option<Summary>,
    pub neutral: Option<Summary>,
}

/// One client's staleness state.
#[derive(Debug, Default)]
pub struct StalenessTracker {
    last_equal: HashMap<EntityId, Instant>,
    /// The profile's health quantization step (0 and 1: exact).
    health_step: u16,
}

impl StalenessTracker {
    /// A tracker for a client whose profile sends health in steps of `step`: a client value
    /// equal to the truth's health rounded down to its step is current (the edge sends
    /// `health / step`, SPEC.md §16), not stale.
    pub fn with_health_step(step: u16) -> Self {
        Self {
            health_step: step,
            ..Self::default()
        }
    }

    /// Compare the client's entities to a truth taken at `at`; record one age (ms) per entity
    /// the client (of `empire`) sees and the truth knows, overall and by relation.
    pub fn sample(
        &mut self,
        at: Instant,
        truth: &TruthMap,
        seen: &BTreeMap<EntityId, EntityState>,
        empire: EmpireId,
        (ages_ms, by_relation): (&mut Histogram, &mut RelationHistograms),
    ) {
        self.last_equal.retain(|id, _| seen.contains_key(id));
        for (id, e) in seen {
            let Some(&(pos, health)) = truth.get(id) else {
                continue; // gone at the server; the client hears about it next
            };
            let shown = dequantize(quantize(health, self.health_step), self.health_step);
            let age = if pos == e.pos && shown == e.health {
                self.last_equal.insert(*id, at);
                0.0
            } else {
                let since = *self.last_equal.entry(*id).or_insert(at);
                at.saturating_duration_since(since).as_secs_f64() * 1000.0
            };
            ages_ms.record(age);
            by_relation.of(e.owner, empire).record(age);
        }
    }
}

/// When each entity's truth last changed.
#[derive(Debug, Default)]
pub struct TruthHistory {
    last: HashMap<EntityId, ((Hex, u16), Instant)>,
    tick: Option<u32>,
}

impl TruthHistory {
    /// Take in a truth of `tick` taken at `at` (ignored if not newer than the last one).
    pub fn observe(&mut self, tick: u32, at: Instant, truth: &TruthMap) {
        if self.tick.is_some_and(|t| t >= tick) {
            return;
        }
        self.tick = Some(tick);
        self.last.retain(|id, _| truth.contains_key(id));
        for (id, value) in truth {
            match self.last.get_mut(id) {
                Some((v, _)) if v == value => {}
                Some(slot) => *slot = (*value, at),
                None => {
                    self.last.insert(*id, (*value, at));
                }
            }
        }
    }

    /// The truth of `id` if it has not changed for at least `min` before `at`.
    pub fn stable(&self, id: EntityId, at: Instant, min: Duration) -> Option<(Hex, u16)> {
        let (value, since) = self.last.get(&id)?;
        (at.saturating_duration_since(*since) >= min).then_some(*value)
    }
}

/// How many client-visible entities matched a stable truth at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Convergence {
    /// Client-entity pairs whose truth had been stable long enough to be checked.
    pub checked: u64,
    /// Of those, pairs where the client's state equals the truth.
    pub equal: u64,
    /// `equal / checked` (1 when nothing was checked).
    pub fraction: f64,
}

impl Convergence {
    /// Add one client's final view, checked against truth stable for `min` at `at`.
    pub fn add(
        &mut self,
        history: &TruthHistory,
        at: Instant,
        min: Duration,
        seen: &BTreeMap<EntityId, EntityState>,
    ) {
        for (id, e) in seen {
            if let Some((pos, health)) = history.stable(*id, at, min) {
                self.checked += 1;
                if pos == e.pos && health == e.health {
                    self.equal += 1;
                }
            }
        }
        self.fraction = if self.checked == 0 {
            1.0
        } else {
            self.equal as f64 / self.checked as f64
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starlane_protocol::EntityKind;

    fn seen(pos: Hex) -> BTreeMap<EntityId, EntityState> {
        let e = EntityState {
            id: 1,
            kind: EntityKind::Scout,
            owner: 0,
            pos,
            health: 50,
        };
        BTreeMap::from([(1, e)])
    }

    #[test]
    fn health_is_compared_in_the_profiles_steps() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(100);
        let a = Hex::new(0, 0);
        // The client holds 50 (seen() above); the truth is 53: in steps of 5 the client shows
        // the truth (53 / 5 * 5 = 50), exactly it is 100 ms stale after a first difference.
        let truth = TruthMap::from([(1, (a, 53))]);
        for (step, max) in [(5, 0.0), (1, 100.0)] {
            let mut tracker = StalenessTracker::with_health_step(step);
            let mut h = staleness_histogram();
            let mut by = RelationHistograms::default();
            tracker.sample(
                t0,
                &TruthMap::from([(1, (a, 50))]),
                &seen(a),
                7,
                (&mut h, &mut by),
            );
            tracker.sample(t1, &truth, &seen(a), 7, (&mut h, &mut by));
            assert_eq!(h.summary().map(|s| s.max), Some(max), "step {step}");
        }
    }

    #[test]
    fn age_counts_from_the_last_equal_truth() {
        let t0 = Instant::now();
        let mut tracker = StalenessTracker::default();
        let mut h = staleness_histogram();
        let mut by = RelationHistograms::default();
        let a = Hex::new(0, 0);
        let b = Hex::new(1, 0);
        tracker.sample(
            t0,
            &TruthMap::from([(1, (a, 50))]),
            &seen(a),
            7,
            (&mut h, &mut by),
        );
        let t1 = t0 + Duration::from_millis(100);
        tracker.sample(
            t1,
            &TruthMap::from([(1, (b, 50))]),
            &seen(a),
            7,
            (&mut h, &mut by),
        );
        let t2 = t0 + Duration::from_millis(150);
        tracker.sample(
            t2,
            &TruthMap::from([(1, (b, 50))]),
            &seen(b),
            7,
            (&mut h, &mut by),
        );
        let s = h.summary().expect("three samples");
        assert_eq!((s.count, s.max), (3, 100.0));
        // The entity is neutral (owner 0) to empire 7: every age is in that class only.
        let r = by.summary();
        assert_eq!(r.neutral.map(|n| (n.count, n.max)), Some((3, 100.0)));
        assert_eq!((r.own, r.hostile), (None, None));
        let mut own = RelationHistograms::default();
        tracker.sample(
            t2,
            &TruthMap::from([(1, (b, 50))]),
            &seen(b),
            0,
            (&mut h, &mut own),
        );
        assert_eq!(own.summary().own.map(|s| s.count), Some(1));
    }

    #[test]
    fn convergence_checks_only_stable_truth() {
        let t0 = Instant::now();
        let mut hist = TruthHistory::default();
        let a = Hex::new(0, 0);
        hist.observe(1, t0, &TruthMap::from([(1, (a, 50))]));
        let mut c = Convergence::default();
        c.add(&hist, t0, Duration::from_secs(1), &seen(a));
        assert_eq!(c.checked, 0);
        let later = t0 + Duration::from_secs(2);
        c.add(&hist, later, Duration::from_secs(1), &seen(a));
        c.add(&hist, later, Duration::from_secs(1), &seen(Hex::new(3, 3)));
        assert_eq!((c.checked, c.equal, c.fraction), (2, 1, 0.5));
    }
}
