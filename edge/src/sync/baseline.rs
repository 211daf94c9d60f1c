//! Per-client acknowledged baselines for delta encoding (SPEC.md §16), sans-IO.
//!
//! [`ClientBaselines`] allocates `EntityPacket` sequence numbers, remembers what each sent
//! packet carried, and turns the client's `Ack`s into per-entity baselines: the entity's
//! state in the newest acknowledged packet that carried it. [`ClientBaselines::encode_record`]
//! then encodes a delta against that baseline, or a full record when there is none.
//!
//! # Sequence numbers
//!
//! Sequence numbers are `u16` and wrap. Internally every allocation also gets a monotonic
//! `u64` index, so "newer than" and "how old" never depend on wraparound arithmetic, and a
//! baseline older than the largest nameable age is never aliased to a recent packet.
//!
//! # Bounds
//!
//! At most [`MAX_TRACKED_PACKETS`] sent packets are remembered, and none older than the
//! maximum baseline age. A packet more than 32 packets older than the newest acknowledged one
//! is treated as lost (SPEC.md §16.1): a later, stale `Ack` covering it does not acknowledge
//! it. Baselines themselves are kept per entity until [`ClientBaselines::forget`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;
use std::collections::hash_map::Entry;
use std::time::Instant;

use starlane_protocol::delta::{EntityRecord, MAX_BASELINE_AGE, ack_covers};
use starlane_protocol::{EntityId, EntityState};

/// Most sent packets a [`ClientBaselines`] remembers; older ones are dropped.
pub const MAX_TRACKED_PACKETS: usize = 1024;

/// How many packets before an `Ack`'s `newest` its mask can report (SPEC.md §16.1).
const ACK_WINDOW: u64 = 32;

/// What one sent packet carried.
#[derive(Debug)]
struct SentPacket {
    /// Monotonic allocation index of the packet's seq.
    index: u64,
    seq: u16,
    sent_at: Instant,
    entities: Vec<(EntityId, EntityState)>,
    event_ids: Vec<u32>,
    acked: bool,
}

/// An entity's acknowledged baseline.
#[derive(Debug, Clone)]
struct Baseline {
    index: u64,
    seq: u16,
    state: EntityState,
}

/// One client's sent packets and acknowledged per-entity baselines.
#[derive(Debug)]
pub struct ClientBaselines {
    /// The seq the next [`ClientBaselines::next_seq`] returns.
    next_seq: u16,
    /// The index the next allocation gets (= number of allocations so far).
    next_index: u64,
    max_age: u16,
    /// Largest coordinate delta (in hexes, each axis) a delta record may carry.
    max_pos_delta: i64,
    /// Recorded packets, ordered by index.
    sent: VecDeque<SentPacket>,
    baselines: HashMap<EntityId, Baseline>,
    /// Entities forgotten at allocation index `i`: packets with a lower index must not
    /// become their baseline.
    forgotten: HashMap<EntityId, u64>,
    /// Index of the newest `Ack::newest` seen.
    newest_acked: Option<u64>,
}

impl Default for ClientBaselines {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBaselines {
    /// A client with no packets sent, whose first packet is seq 0.
    pub fn new() -> Self {
        Self::starting_at(0)
    }

    /// A client whose first packet is `seq` (for example random, or near the wrap in tests).
    pub fn starting_at(seq: u16) -> Self {
        Self {
            next_seq: seq,
            next_index: 0,
            max_age: MAX_BASELINE_AGE,
            max_pos_delta: i64::from(i32::MAX),
            sent: VecDeque::new(),
            baselines: HashMap::default(),
            forgotten: HashMap::default(),
            newest_acked: None,
        }
    }

    /// Limits baseline age to `max_age` packets (clamped to `1..=MAX_BASELINE_AGE`), for
    /// clients that keep received states for fewer packets than the protocol allows.
    pub fn with_max_age(mut self, max_age: u16) -> Self {
        self.max_age = max_age.clamp(1, MAX_BASELINE_AGE);
        self
    }

    /// Allocates the next packet sequence number (+1 per packet, wrapping).
    pub fn next_seq(&mut self) -> u16 {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        self.next_index += 1;
        seq
    }

    /// The allocation index of `seq`, if it is one of the last 2^15 allocations.
    fn index_of(&self, seq: u16) -> Option<u64> {
        let back = u64::from(self.next_seq.wrapping_sub(seq));
        ((1..=u64::from(MAX_BASELINE_AGE) + 1).contains(&back) && back <= self.next_index)
            .then(|| self.next_index - back)
    }

    /// The position of the recorded packet with allocation index `index`.
    fn position(&self, index: u64) -> Result<usize, usize> {
        self.sent.binary_search_by_key(&index, |p| p.index)
    }

    /// Remembers what packet `seq` (from [`ClientBaselines::next_seq`]) carried: the entity
    /// states its records describe and the ids of its events. Returns `false` (and records
    /// nothing) if `seq` was not allocated recently or was already recorded.
    pub fn record_sent(
        &mut self,
        seq: u16,
        now: Instant,
        entities: &[(EntityId, EntityState)],
        event_ids: &[u32],
    ) -> bool {
        let Some(index) = self.index_of(seq) else {
            return false;
        };
        let Err(at) = self.position(index) else {
            return false;
        };
        self.sent.insert(
            at,
            SentPacket {
                index,
                seq,
                sent_at: now,
                entities: entities.to_vec(),
                event_ids: event_ids.to_vec(),
                acked: false,
            },
        );
        self.prune();
        true
    }

    /// Drops packets beyond [`MAX_TRACKED_PACKETS`] or older than the maximum baseline age.
    fn prune(&mut self) {
        let oldest_allowed = self.next_index.saturating_sub(u64::from(self.max_age) + 1);
        while self
            .sent
            .front()
            .is_some_and(|p| self.sent.len() > MAX_TRACKED_PACKETS || p.index < oldest_allowed)
        {
            self.sent.pop_front();
        }
        let oldest_kept = self.sent.front().map_or(self.next_index, |p| p.index);
        self.forgotten.retain(|_, at| *at > oldest_kept);
    }

    /// When packet `seq` was recorded as sent, if it is still remembered.
    pub fn sent_at(&self, seq: u16) -> Option<Instant> {
        let index = self.index_of(seq)?;
        let at = self.position(index).ok()?;
        self.sent.get(at).map(|p| p.sent_at)
    }

    /// Applies the client's `Ack { newest, mask }`: every remembered, unacknowledged packet
    /// it covers becomes acknowledged, and each entity it carried takes that packet's state as
    /// its baseline unless its baseline is already newer. Returns the event ids carried by the
    /// newly acknowledged packets (each once per call; an id carried by several packets may
    /// be returned again by a later call). An ack whose `newest` was never recorded as sent,
    /// or is no longer remembered, changes nothing; duplicate and stale acks are harmless.
    pub fn handle_ack(&mut self, newest: u16, mask: u32) -> Vec<u32> {
        let Some(newest_index) = self.index_of(newest) else {
            return Vec::new();
        };
        if self.position(newest_index).is_err() {
            return Vec::new();
        }
        let newest_acked = self
            .newest_acked
            .map_or(newest_index, |n| n.max(newest_index));
        self.newest_acked = Some(newest_acked);
        let lost_before = newest_acked.saturating_sub(ACK_WINDOW);
        let from = self
            .position(newest_index.saturating_sub(ACK_WINDOW))
            .unwrap_or_else(|at| at);

        let mut events = Vec::new();
        let mut seen_events = HashSet::default();
        for packet in self.sent.range_mut(from..) {
            if packet.index > newest_index {
                break;
            }
            if packet.acked || packet.index < lost_before || !ack_covers(newest, mask, packet.seq) {
                continue;
            }
            packet.acked = true;
            events.extend(
                packet
                    .event_ids
                    .iter()
                    .copied()
                    .filter(|id| seen_events.insert(*id)),
            );
            for (id, state) in &packet.entities {
                if self.forgotten.get(id).is_some_and(|at| packet.index < *at) {
                    continue;
                }
                let newer = Baseline {
                    index: packet.index,
                    seq: packet.seq,
                    state: state.clone(),
                };
                // One probe: a newer packet's baseline stays.
                match self.baselines.entry(*id) {
                    Entry::Occupied(mut b) if b.get().index < packet.index => {
                        b.insert(newer);
                    }
                    Entry::Occupied(_) => {}
                    Entry::Vacant(v) => {
                        v.insert(newer);
                    }
                }
            }
        }
        events
    }

    /// The acknowledged baseline of `id` usable by a packet `seq_now`, with its age.
    fn usable_baseline(&self, id: EntityId, seq_now: u16) -> Option<(&EntityState, u16)> {
        let b = self.baselines.get(&id)?;
        let age = seq_now.wrapping_sub(b.seq);
        // Allocations since the baseline, up to the newest: guards against seq aliasing.
        let since = self.next_index.saturating_sub(b.index + 1);
        ((1..=self.max_age).contains(&age) && since <= u64::from(self.max_age))
            .then_some((&b.state, age))
    }

    /// The record of `current` for packet `seq_now`: a delta against the entity's
    /// acknowledged baseline when it has one no older than the maximum age and with the same
    /// kind and owner, otherwise a full record. Fields equal to the base are omitted; health
    /// is quantized by `health_step`.
    pub fn encode_record(
        &self,
        id: EntityId,
        current: &EntityState,
        seq_now: u16,
        health_step: u16,
    ) -> EntityRecord {
        let mut state = current.clone();
        state.id = id;
        self.usable_baseline(id, seq_now)
            .and_then(|(base, age)| self.delta(&state, base, age, health_step))
            .unwrap_or_else(|| EntityRecord::full(&state, health_step))
    }

    /// Whether `current` equals the entity's acknowledged baseline (exactly, health
    /// unquantized), so the planner may skip sending it.
    pub fn unchanged(&self, id: EntityId, current: &EntityState) -> bool {
        self.baselines.get(&id).is_some_and(|b| b.state == *current)
    }

    /// The acknowledged baseline state of `id` (the state as the client holds it, health
    /// unquantized), whatever its age.
    pub fn baseline(&self, id: EntityId) -> Option<&EntityState> {
        self.baselines.get(&id).map(|b| &b.state)
    }

    /// Whether `id`'s acknowledged baseline comes from packet `seq` or a newer one, so the
    /// client holds exactly the baseline state. A `seq` too old to place counts as covered
    /// (nothing that old is in flight); no baseline is not covered.
    pub fn acked_through(&self, id: EntityId, seq: u16) -> bool {
        let Some(b) = self.baselines.get(&id) else {
            return false;
        };
        self.index_of(seq).is_none_or(|index| b.index >= index)
    }

    /// The seq the next [`ClientBaselines::next_seq`] will return.
    pub fn peek_seq(&self) -> u16 {
        self.next_seq
    }

    /// An upper bound, in bits, of the record [`ClientBaselines::encode_record`] gives for
    /// `current` in any of the next `packets_ahead` packets (at least the next one): the delta
    /// at the oldest age it could be sent with while the baseline stays usable, the full record
    /// once it cannot, or the larger of the two when that changes within those packets.
    pub fn record_bits_bound(
        &self,
        id: EntityId,
        current: &EntityState,
        packets_ahead: u16,
        health_step: u16,
    ) -> usize {
        let mut state = current.clone();
        state.id = id;
        let full = || EntityRecord::full(&state, health_step).encoded_bits();
        let Some(b) = self.baselines.get(&id) else {
            return full();
        };
        let max_age = u64::from(self.max_age);
        // Allocation indices of the first and last packets that may carry the record.
        let first = self.next_index.saturating_sub(b.index);
        let last = first + u64::from(packets_ahead.max(1)) - 1;
        let delta = |age: u64| {
            // At most max_age, which is a u16.
            let age = u16::try_from(age.clamp(1, max_age)).unwrap_or(self.max_age);
            self.delta(&state, &b.state, age, health_step)
                .map(|r| r.encoded_bits())
        };
        if first == 0 || first > max_age {
            full()
        } else if last <= max_age {
            delta(last).unwrap_or_else(full)
        } else {
            delta(max_age).map_or_else(full, |d| d.max(full()))
        }
    }

    /// Limits delta records to coordinate deltas that fit `bits` signed bits per axis
    /// (`quantization.position_delta_bits`, 2..=32); a larger move is sent as a full record.
    pub fn set_position_bits(&mut self, bits: u8) {
        let bits = u32::from(bits.clamp(2, 32));
        self.max_pos_delta = (1i64 << (bits - 1)) - 1;
    }

    /// The delta record of `state` against `base`, unless kind or owner changed or the move
    /// is larger than the position bits allow.
    fn delta(
        &self,
        state: &EntityState,
        base: &EntityState,
        age: u16,
        health_step: u16,
    ) -> Option<EntityRecord> {
        let fits = |a: i32, b: i32| (i64::from(a) - i64::from(b)).abs() <= self.max_pos_delta;
        if !fits(state.pos.q, base.pos.q) || !fits(state.pos.r, base.pos.r) {
            return None;
        }
        EntityRecord::delta(state, base, age, health_step)
    }

    /// Whether `id` has an acknowledged baseline.
    pub fn has_baseline(&self, id: EntityId) -> bool {
        self.baselines.contains_key(&id)
    }

    /// Drops `id`'s baseline when it leaves the client's view. Packets sent before this call
    /// never become its baseline, so if it comes back it is sent as a full record.
    pub fn forget(&mut self, id: EntityId) {
        self.baselines.remove(&id);
        self.forgotten.insert(id, self.next_index);
    }

    /// Number of sent packets currently remembered.
    pub fn tracked_packets(&self) -> usize {
        self.sent.len()
    }

    /// Number of entities with an acknowledged baseline.
    pub fn baseline_count(&self) -> usize {
        self.baselines.len()
    }
}
