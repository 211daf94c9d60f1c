//! Client side of delta updates (SPEC.md §16.3), sans-IO.
//!
//! [`DeltaReceiver`] takes decoded [`EntityPacket`]s in arrival order and maintains the
//! client's view of entities, the per-packet states that later delta records may name as
//! baselines, the set of applied event ids, and the `Ack { newest, mask }` to send back.

use std::collections::{HashMap, HashSet, VecDeque};

use starlane_protocol::delta::{EntityPacket, Event, RecordBase};
use starlane_protocol::{EntityId, EntityState};

/// How many recent packets' states are kept as possible baselines.
pub const BASELINE_WINDOW: u16 = 64;

/// How many recently applied event ids are remembered for deduplication.
pub const EVENT_ID_MEMORY: usize = 4096;

/// How many removed-entity markers are remembered (they stop late packets resurrecting an
/// entity that a newer packet removed).
pub const TOMBSTONE_MEMORY: usize = 4096;

/// Largest distance, in packets, at which a sequence number still counts as newer.
const HALF_SEQ: u16 = 0x7FFF;

/// How a packet related to those received before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    /// Newer than every packet before it (or the first one).
    Newest,
    /// Older than the newest packet but not seen before: its events are applied, its records
    /// only where they are not older than the entity's current state.
    Late,
    /// A sequence number already received: ignored entirely.
    Duplicate,
    /// Older than the newest by more than 32767 packets: ignored entirely.
    TooOld,
}

/// The result of [`DeltaReceiver::handle_packet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// How the packet was treated.
    pub kind: PacketKind,
    /// Events applied for the first time, in packet order (already repeated ids are left out).
    /// `Disappeared` has already removed the entity from the view; the caller handles the rest.
    pub events: Vec<Event>,
    /// Records that updated the view.
    pub records_applied: usize,
    /// Records not applied to the view because it holds a newer state of the entity.
    pub records_stale: usize,
    /// Delta records skipped because their baseline packet's state is not held.
    pub missing_baseline: usize,
    /// Ids that entered the view with this packet, in record order. An id removed by a
    /// `Disappeared` event of the same packet and then set again by a record is in both
    /// `removed` and `appeared`: the removal came first.
    pub appeared: Vec<EntityId>,
    /// Ids already in the view whose state this packet changed, in record order, each with
    /// the state it had before (the new state is [`DeltaReceiver::entity`]).
    pub changed: Vec<(EntityId, EntityState)>,
    /// Ids that `Disappeared` events of this packet removed from the view.
    pub removed: Vec<EntityId>,
}

impl Applied {
    fn ignored(kind: PacketKind) -> Self {
        Self {
            kind,
            events: Vec::new(),
            records_applied: 0,
            records_stale: 0,
            missing_baseline: 0,
            appeared: Vec::new(),
            changed: Vec::new(),
            removed: Vec::new(),
        }
    }
}

/// Totals over the receiver's lifetime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeltaStats {
    /// Packets applied (newest or late).
    pub packets: u64,
    /// Packets ignored as duplicates.
    pub duplicates: u64,
    /// Packets ignored as too old.
    pub too_old: u64,
    /// Delta records skipped for a missing baseline.
    pub missing_baseline: u64,
    /// Events skipped because their id was already applied.
    pub duplicate_events: u64,
}

/// One packet's reconstructed entity states, kept as baselines.
#[derive(Debug)]
struct Snapshot {
    seq: u16,
    states: HashMap<EntityId, EntityState>,
}

/// An entity in the view: its state (`None` once removed) and the packet that set it.
#[derive(Debug, Clone)]
struct ViewEntry {
    seq: u16,
    state: Option<EntityState>,
}

/// Whether `a` is newer than `b` in sequence order (SPEC.md §16.3).
fn newer(a: u16, b: u16) -> bool {
    matches!(a.wrapping_sub(b), 1..=HALF_SEQ)
}

/// Applies [`EntityPacket`]s and produces acknowledgements (SPEC.md §16.3).
#[derive(Debug)]
pub struct DeltaReceiver {
    /// Newest sequence number received.
    newest: Option<u16>,
    /// Bit `i`: packet `newest - 1 - i` received.
    history: u64,
    /// Ring of per-packet states, indexed by `seq % BASELINE_WINDOW`.
    snapshots: Vec<Option<Snapshot>>,
    view: HashMap<EntityId, ViewEntry>,
    tombstones: VecDeque<EntityId>,
    event_ids: HashSet<u32>,
    event_order: VecDeque<u32>,
    stats: DeltaStats,
}

impl Default for DeltaReceiver {
    fn default() -> Self {
        Self::new()
    }
}

impl DeltaReceiver {
    /// An empty receiver: no packets, no entities.
    pub fn new() -> Self {
        Self {
            newest: None,
            history: 0,
            snapshots: (0..BASELINE_WINDOW).map(|_| None).collect(),
            view: HashMap::new(),
            tombstones: VecDeque::new(),
            event_ids: HashSet::new(),
            event_order: VecDeque::new(),
            stats: DeltaStats::default(),
        }
    }

    /// The `Ack` fields `(newest, mask)` for the packets received so far (bit `i` of `mask`:
    /// packet `newest - 1 - i` received), or `None` before the first packet.
    pub fn ack(&self) -> Option<(u16, u32)> {
        // Truncation keeps the 32 bits the Ack carries.
        self.newest.map(|n| (n, self.history as u32))
    }

    /// The current view: each entity's state from the newest packet that carried it.
    pub fn entities(&self) -> impl Iterator<Item = (EntityId, &EntityState)> {
        self.view
            .iter()
            .filter_map(|(id, e)| e.state.as_ref().map(|s| (*id, s)))
    }

    /// The current state of `id`, if it is in view.
    pub fn entity(&self, id: EntityId) -> Option<&EntityState> {
        self.view.get(&id).and_then(|e| e.state.as_ref())
    }

    /// Lifetime totals.
    pub fn stats(&self) -> DeltaStats {
        self.stats
    }

    /// Apply one received packet: record its sequence number for the `Ack`, apply its new
    /// events (before its records), then its records. Never panics on bad input.
    pub fn handle_packet(&mut self, p: &EntityPacket) -> Applied {
        let kind = self.track_seq(p.seq);
        match kind {
            PacketKind::Duplicate => {
                self.stats.duplicates += 1;
                return Applied::ignored(kind);
            }
            PacketKind::TooOld => {
                self.stats.too_old += 1;
                return Applied::ignored(kind);
            }
            PacketKind::Newest | PacketKind::Late => {}
        }
        self.stats.packets += 1;
        let mut out = Applied::ignored(kind);
        for entry in &p.events {
            if !self.remember_event(entry.event_id) {
                self.stats.duplicate_events += 1;
                continue;
            }
            if let Event::Disappeared { id } = entry.event
                && self.remove(id, p.seq)
            {
                out.removed.push(id);
            }
            out.events.push(entry.event);
        }
        let mut produced = HashMap::new();
        for rec in &p.entities {
            let baseline = match rec.base {
                RecordBase::Full { .. } => None,
                RecordBase::Delta { age } => {
                    match self.baseline(p.seq.wrapping_sub(age), age, rec.id) {
                        Some(b) => Some(b),
                        None => {
                            out.missing_baseline += 1;
                            continue;
                        }
                    }
                }
            };
            let Some(state) = rec.apply(baseline.as_ref(), p.health_step) else {
                out.missing_baseline += 1;
                continue;
            };
            produced.insert(rec.id, state.clone());
            let entry = self.view.get(&rec.id);
            if entry.is_some_and(|e| newer(e.seq, p.seq)) {
                out.records_stale += 1;
            } else {
                let old = self.view.insert(
                    rec.id,
                    ViewEntry {
                        seq: p.seq,
                        state: Some(state.clone()),
                    },
                );
                match old.and_then(|e| e.state) {
                    None => out.appeared.push(rec.id),
                    Some(before) if before != state => out.changed.push((rec.id, before)),
                    Some(_) => {}
                }
                out.records_applied += 1;
            }
        }
        self.stats.missing_baseline += out.missing_baseline as u64;
        if out.missing_baseline > 0 && kind == PacketKind::Late {
            // Not acknowledged (SPEC.md §16.3): the edge must not take this packet as the
            // baseline of the records it could not apply; it sends them again instead.
            self.unreceive(p.seq);
        } else {
            self.store_snapshot(p.seq, produced);
        }
        out
    }

    /// Clears a late packet's bit in the received history, so acks do not report it.
    fn unreceive(&mut self, seq: u16) {
        let Some(newest) = self.newest else { return };
        let behind = newest.wrapping_sub(seq);
        if (1..=64).contains(&behind) {
            self.history &= !(1u64 << (behind - 1));
        }
    }

    /// Update the received-seq history; classify `seq`.
    fn track_seq(&mut self, seq: u16) -> PacketKind {
        let Some(newest) = self.newest else {
            self.newest = Some(seq);
            return PacketKind::Newest;
        };
        let ahead = seq.wrapping_sub(newest);
        if ahead == 0 {
            return PacketKind::Duplicate;
        }
        if ahead <= HALF_SEQ {
            let shifted = self.history.checked_shl(u32::from(ahead)).unwrap_or(0);
            let own = 1u64.checked_shl(u32::from(ahead - 1)).unwrap_or(0);
            self.history = shifted | own;
            self.newest = Some(seq);
            return PacketKind::Newest;
        }
        let behind = newest.wrapping_sub(seq);
        if behind > HALF_SEQ {
            return PacketKind::TooOld;
        }
        if behind <= 64 {
            let bit = 1u64 << (behind - 1);
            if self.history & bit != 0 {
                return PacketKind::Duplicate;
            }
            self.history |= bit;
        }
        PacketKind::Late
    }

    /// Record `id` as applied; `false` if it already was.
    fn remember_event(&mut self, id: u32) -> bool {
        if !self.event_ids.insert(id) {
            return false;
        }
        self.event_order.push_back(id);
        if self.event_order.len() > EVENT_ID_MEMORY
            && let Some(old) = self.event_order.pop_front()
        {
            self.event_ids.remove(&old);
        }
        true
    }

    /// Remove `id` from the view as of packet `seq`, unless a newer packet set its state.
    /// Returns whether the entity was in the view.
    fn remove(&mut self, id: EntityId, seq: u16) -> bool {
        if self.view.get(&id).is_some_and(|e| newer(e.seq, seq)) {
            return false;
        }
        let was_in_view = self
            .view
            .insert(id, ViewEntry { seq, state: None })
            .is_some_and(|e| e.state.is_some());
        self.tombstones.push_back(id);
        while self.tombstones.len() > TOMBSTONE_MEMORY {
            let Some(old) = self.tombstones.pop_front() else {
                break;
            };
            if self.view.get(&old).is_some_and(|e| e.state.is_none()) {
                self.view.remove(&old);
            }
        }
        was_in_view
    }

    /// The state of `id` produced by packet `seq` (`age` packets before the current one).
    fn baseline(&self, seq: u16, age: u16, id: EntityId) -> Option<EntityState> {
        if age == 0 || age > starlane_protocol::delta::MAX_BASELINE_AGE {
            return None;
        }
        let newest = self.newest?;
        if newest.wrapping_sub(seq) >= BASELINE_WINDOW {
            return None;
        }
        let snap = self.snapshots[usize::from(seq % BASELINE_WINDOW)].as_ref()?;
        if snap.seq != seq {
            return None;
        }
        snap.states.get(&id).cloned()
    }

    /// Keep packet `seq`'s states as baselines, if it is within the window.
    fn store_snapshot(&mut self, seq: u16, states: HashMap<EntityId, EntityState>) {
        let Some(newest) = self.newest else { return };
        if newest.wrapping_sub(seq) >= BASELINE_WINDOW {
            return;
        }
        self.snapshots[usize::from(seq % BASELINE_WINDOW)] = Some(Snapshot { seq, states });
    }
}
