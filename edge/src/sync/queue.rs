//! [`PriorityQueue`]: the visible entities of one client, their priority and their age; the
//! types describing entities and planned packets.

use crate::bandwidth::{BandwidthProfile, PriorityConfig};
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_protocol::{EntityId, EntityKind};
use std::time::{Duration, Instant};

/// Bytes of every datagram reserved for the encoder's framing (sequence, tick, acks, counts).
pub const PACKET_HEADER_BYTES: usize = 13;

/// The payload one datagram of `max_packet_bytes` can carry after [`PACKET_HEADER_BYTES`].
pub const fn max_payload(max_packet_bytes: usize) -> usize {
    max_packet_bytes.saturating_sub(PACKET_HEADER_BYTES)
}

/// How an entity relates to the client it is sent to; picks the profile's base weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// One of the client's own units (`priority.own_units`).
    Own,
    /// A hostile entity (`priority.enemy`).
    Enemy,
    /// Owned by [`starlane_protocol::NEUTRAL_EMPIRE`]: neither own nor hostile
    /// (`priority.neutral`).
    Neutral,
}

/// What the prioritizer needs to know about a visible entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityInfo {
    /// The entity's kind (`priority.kinds.<name>`, keyed by [`EntityKind::name`]).
    pub kind: EntityKind,
    /// Its relation to the client (`priority.own_units` / `enemy` / `neutral`).
    pub relation: Relation,
    /// Distance in hexes from the client's nearest own unit (`priority.distance_tiers`).
    pub distance_hexes: u32,
}

/// One planned datagram: what goes in it and its total size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PacketPlan {
    /// Indices into the `reliable` sizes given to [`PriorityQueue::fill`], in order.
    pub reliable: Vec<usize>,
    /// Entities to encode, in priority order.
    pub entities: Vec<EntityId>,
    /// Total datagram size: [`PACKET_HEADER_BYTES`] plus every item's size. This is what was
    /// taken from the budget.
    pub bytes: usize,
}

/// One tracked entity.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) info: EntityInfo,
    /// Priority accumulated since the entity was last planned.
    pub(super) priority: f64,
    /// When the entity was last planned, or became visible.
    pub(super) since: Instant,
    /// The entity changed since it was last planned (used for own units).
    pub(super) changed: bool,
    /// The entity has something to send; a clean one is skipped by accumulate and fill.
    pub(super) pending: bool,
}

impl Entry {
    /// Time since planned, visible or pending; zero while clean.
    fn age(&self, now: Instant) -> Duration {
        if self.pending {
            now.saturating_duration_since(self.since)
        } else {
            Duration::ZERO
        }
    }
}

/// Per-client priority accumulator and packet planner (see the [module docs](super)).
#[derive(Debug, Clone)]
pub struct PriorityQueue {
    pub(super) weights: PriorityConfig,
    /// `max_staleness_ms` as a duration.
    pub(super) max_staleness: Duration,
    /// Time between send ticks.
    pub(super) interval: Duration,
    pub(super) entries: FxHashMap<EntityId, Entry>,
    /// The ids of the pending entries, so that a send tick costs what is pending, not
    /// everything the client sees.
    pub(super) pending: FxHashSet<EntityId>,
    /// The instant of the latest [`PriorityQueue::accumulate`] call.
    last_accumulate: Option<Instant>,
}

impl PriorityQueue {
    /// An empty queue using `profile`'s priority weights, staleness bound and send rate.
    pub fn new(profile: &BandwidthProfile) -> Self {
        let mut queue = Self {
            weights: profile.priority.clone(),
            max_staleness: Duration::ZERO,
            interval: Duration::ZERO,
            entries: FxHashMap::default(),
            pending: FxHashSet::default(),
            last_accumulate: None,
        };
        queue.set_profile(profile);
        queue
    }

    /// Switches to `profile` (reload): tracked entities keep their priority and age.
    pub fn set_profile(&mut self, profile: &BandwidthProfile) {
        self.weights = profile.priority.clone();
        self.max_staleness = Duration::from_millis(u64::from(profile.max_staleness_ms));
        self.interval = Duration::from_secs(1) / profile.send_rate_hz.max(1);
    }

    /// Starts tracking `id` as visible from `now`, or replaces its info if already tracked
    /// (keeping its priority and age). A new entity starts at priority 0, age 0 and changed.
    pub fn insert(&mut self, id: EntityId, info: EntityInfo, now: Instant) {
        let pending = &mut self.pending;
        self.entries
            .entry(id)
            .and_modify(|e| e.info = info)
            .or_insert_with(|| {
                pending.insert(id);
                Entry {
                    info,
                    priority: 0.0,
                    since: now,
                    changed: true,
                    pending: true,
                }
            });
    }

    /// Replaces the info of a tracked entity (it moved, changed sides); `false` if untracked.
    pub fn update(&mut self, id: EntityId, info: EntityInfo) -> bool {
        self.entries.get_mut(&id).map(|e| e.info = info).is_some()
    }

    /// Records that `id`'s state changed since it was last planned; `false` if untracked.
    /// Changed own units are planned before everything but reliable events.
    pub fn mark_changed(&mut self, id: EntityId) -> bool {
        self.entries
            .get_mut(&id)
            .map(|e| e.changed = true)
            .is_some()
    }

    /// Marks `id` as having something to send (`pending`) or not (clean); `false` if
    /// untracked. A clean entity takes no bytes and does not age: [`PriorityQueue::accumulate`]
    /// and [`PriorityQueue::fill`] skip it, its priority is reset to 0 and its age stays 0.
    /// Becoming pending again starts its age at `now`. Tracked entities start pending.
    pub fn set_pending(&mut self, id: EntityId, pending: bool, now: Instant) -> bool {
        let Some(e) = self.entries.get_mut(&id) else {
            return false;
        };
        if pending && !e.pending {
            e.since = now;
            e.priority = 0.0;
        } else if !pending {
            e.priority = 0.0;
            e.changed = false;
            e.since = now;
        }
        e.pending = pending;
        if pending {
            self.pending.insert(id);
        } else {
            self.pending.remove(&id);
        }
        true
    }

    /// Whether `id` has something to send, `None` if untracked.
    pub fn is_pending(&self, id: EntityId) -> Option<bool> {
        self.entries.get(&id).map(|e| e.pending)
    }

    /// Number of tracked entities with something to send.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// The tracked entities with something to send, in no particular order.
    pub fn pending_ids(&self) -> impl Iterator<Item = EntityId> + '_ {
        self.pending.iter().copied()
    }

    /// The info of a tracked entity.
    pub fn info(&self, id: EntityId) -> Option<&EntityInfo> {
        self.entries.get(&id).map(|e| &e.info)
    }

    /// Stops tracking `id` (it left the client's view); `false` if untracked.
    pub fn remove(&mut self, id: EntityId) -> bool {
        self.pending.remove(&id);
        self.entries.remove(&id).is_some()
    }

    /// Number of tracked entities.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entity is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The per-tick priority increment of `info` under the current profile:
    /// `relation weight × kind multiplier × distance tier weight`.
    pub fn weight(&self, info: &EntityInfo) -> f64 {
        weight_of(&self.weights, info)
    }

    /// Adds one send tick's worth of priority to every tracked entity.
    ///
    /// The increment is [`PriorityQueue::weight`] times the time since the previous call in
    /// send intervals (one interval on the first call), so calling it twice at the same
    /// instant adds nothing and a late tick makes up for the time missed.
    pub fn accumulate(&mut self, now: Instant) {
        let ticks = match self.last_accumulate {
            None => 1.0,
            Some(last) => {
                now.saturating_duration_since(last).as_secs_f64()
                    / self.interval.as_secs_f64().max(f64::MIN_POSITIVE)
            }
        };
        self.last_accumulate = Some(self.last_accumulate.map_or(now, |last| last.max(now)));
        if ticks <= 0.0 {
            return;
        }
        let weights = &self.weights;
        for id in &self.pending {
            if let Some(e) = self.entries.get_mut(id) {
                e.priority += weight_of(weights, &e.info) * ticks;
            }
        }
    }

    /// Accumulated priority of `id`, `None` if untracked.
    pub fn priority(&self, id: EntityId) -> Option<f64> {
        self.entries.get(&id).map(|e| e.priority)
    }

    /// Sum of every tracked entity's priority (the "queued priority" metric).
    pub fn queued_priority(&self) -> f64 {
        // Clean entities hold no priority (it is reset when they become clean).
        self.pending
            .iter()
            .filter_map(|id| self.entries.get(id))
            .map(|e| e.priority)
            .sum()
    }

    /// Time since `id` was last planned (or became visible, or pending) at `now`, `None` if
    /// untracked; zero while it is clean.
    pub fn age(&self, id: EntityId, now: Instant) -> Option<Duration> {
        self.entries.get(&id).map(|e| e.age(now))
    }

    /// The largest age of any tracked entity at `now` (zero when empty).
    pub fn max_age(&self, now: Instant) -> Duration {
        self.entries
            .values()
            .map(|e| e.age(now))
            .max()
            .unwrap_or_default()
    }
}

/// `relation weight × kind multiplier × distance tier weight` of `info` under `weights`.
fn weight_of(weights: &PriorityConfig, info: &EntityInfo) -> f64 {
    let base = match info.relation {
        Relation::Own => weights.own_units,
        Relation::Enemy => weights.enemy,
        Relation::Neutral => weights.neutral,
    };
    f64::from(base)
        * f64::from(weights.kind_multiplier(info.kind))
        * f64::from(weights.distance_weight(info.distance_hexes))
}
