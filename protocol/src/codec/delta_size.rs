//! Sizes of the delta-update messages (SPEC.md §16.4) and the packet-level choices the
//! encoder shares with them: record order (by id, later duplicates dropped), the common
//! baseline age and the six position steps.

use super::prim::zigzag_encode;
use crate::delta::*;
use crate::types::*;

/// Width of an event's tag.
pub(super) const EVENT_TAG_BITS: u32 = 3;
/// Width of the `Visibility` field.
pub(super) const VISIBILITY_BITS: u32 = 2;
/// Width of a position step's direction index.
pub(super) const STEP_DIR_BITS: u32 = 3;
/// Bits before the event count: type, seq (tick, health step and common age are counted
/// separately).
const FIXED_HEADER_BITS: usize = 8 + 16;
/// Bits the header bound reserves for `common_age`: one varint group, its exact size below 128.
/// A wider common age is paid for by a record that uses it (see [`EntityRecord::encoded_bits`]).
const COMMON_AGE_RESERVED_BITS: usize = 8;

/// The direction index of `d` if it is one of the six neighbour offsets: its index in
/// [`Hex::DIRECTIONS`], the order of a position step's direction (SPEC.md §16.2).
pub(super) fn step_index(d: Hex) -> Option<u8> {
    // At most 5, which fits a u8.
    Hex::DIRECTIONS
        .iter()
        .position(|&s| s == d)
        .map(|i| i as u8)
}

/// Bits of `v` as a varint: 8 per 7-bit group, at least one group.
pub(crate) const fn varint_bits(v: u64) -> usize {
    let significant = 64 - v.leading_zeros() as usize;
    8 * if significant == 0 {
        1
    } else {
        significant.div_ceil(7)
    }
}

fn zigzag_bits(v: i32) -> usize {
    varint_bits(u64::from(zigzag_encode(v)))
}

fn hex_bits(h: Hex) -> usize {
    zigzag_bits(h.q) + zigzag_bits(h.r)
}

/// The most frequent of `ages` (the smallest of those tied), or 0 if there are none: the
/// packet's `common_age`.
pub(super) fn most_frequent_age(ages: impl Iterator<Item = u16>) -> u16 {
    let mut ages: Vec<u16> = ages.collect();
    ages.sort_unstable();
    let mut best: (usize, u16) = (0, 0);
    for run in ages.chunk_by(|a, b| a == b) {
        if let Some(&age) = run.first()
            && run.len() > best.0
        {
            best = (run.len(), age);
        }
    }
    best.1
}

/// The baseline age of a delta record.
pub(super) fn delta_age(rec: &EntityRecord) -> Option<u16> {
    match rec.base {
        RecordBase::Delta { age } => Some(age),
        RecordBase::Full { .. } => None,
    }
}

/// An `EntityPacket`'s records in wire order, with the packet's common baseline age.
pub(super) struct WireRecords<'a> {
    /// The records sorted by id (stable), each id once: a later record of an id already
    /// present is dropped.
    pub records: Vec<&'a EntityRecord>,
    /// The most frequent baseline age among the delta records (smallest on ties), 0 if none.
    pub common_age: u16,
}

impl<'a> WireRecords<'a> {
    /// The wire order and common age of `entities`.
    pub fn new(entities: &'a [EntityRecord]) -> Self {
        let mut records: Vec<&EntityRecord> = entities.iter().collect();
        records.sort_by_key(|r| r.id);
        records.dedup_by_key(|r| r.id);
        let common_age = most_frequent_age(records.iter().filter_map(|r| delta_age(r)));
        Self {
            records,
            common_age,
        }
    }

    /// Each record with the value of its id field (the id for the first, the gap to the
    /// previous id minus one after) and whether it takes the common age.
    pub fn fields(&self) -> impl Iterator<Item = (&'a EntityRecord, u32, bool)> + '_ {
        let mut prev: Option<u32> = None;
        self.records.iter().map(move |&rec| {
            // Ids are strictly increasing here, so the gap never wraps.
            let id_field = prev.map_or(rec.id, |p| rec.id.wrapping_sub(p).wrapping_sub(1));
            prev = Some(rec.id);
            let uses_common = delta_age(rec) == Some(self.common_age);
            (rec, id_field, uses_common)
        })
    }
}

/// Exact bits of `rec` written with id field `id_field`, taking the common age or not.
pub(super) fn record_bits(rec: &EntityRecord, id_field: u32, uses_common: bool) -> usize {
    let (base, pos) = match rec.base {
        RecordBase::Full { kind, owner } => (
            4 + kind.map_or(0, |_| 8) + owner.map_or(0, |o| varint_bits(u64::from(o))),
            rec.pos.map_or(0, hex_bits),
        ),
        RecordBase::Delta { age } => {
            let age_bits = if uses_common {
                0
            } else {
                varint_bits(u64::from(age))
            };
            let pos = rec.pos.map_or(0, |d| {
                1 + if step_index(d).is_some() {
                    STEP_DIR_BITS as usize
                } else {
                    hex_bits(d)
                }
            });
            (1 + age_bits + 2, pos)
        }
    };
    varint_bits(u64::from(id_field))
        + 1
        + base
        + pos
        + rec.health.map_or(0, |h| varint_bits(u64::from(h)))
}

impl EventEntry {
    /// Exact encoded size of this entry inside an [`EntityPacket`], in bits.
    pub fn encoded_bits(&self) -> usize {
        let payload = match self.event {
            Event::Disappeared { id } => varint_bits(u64::from(id)),
            Event::Vision { hex, .. } => hex_bits(hex) + VISIBILITY_BITS as usize,
            Event::Resource { amount, .. } => 8 + varint_bits(u64::from(amount)),
            Event::CommandAck { seq } => varint_bits(u64::from(seq)),
            Event::CommandRejected { seq, .. } => varint_bits(u64::from(seq)) + 8,
            Event::Combat(c) => {
                varint_bits(u64::from(c.dealt))
                    + varint_bits(u64::from(c.taken))
                    + varint_bits(u64::from(c.kills))
                    + varint_bits(u64::from(c.losses))
            }
            Event::Job(j) => {
                varint_bits(u64::from(j.building))
                    + varint_bits(u64::from(j.job))
                    + varint_bits(u64::from(j.recipe))
                    + 8
            }
            Event::Sharing(s) => 8 + varint_bits(u64::from(s.empire)) + 2,
            Event::LastSeen(m) => {
                8 + varint_bits(u64::from(m.id))
                    + 8
                    + varint_bits(u64::from(m.owner))
                    + hex_bits(m.pos)
                    + varint_bits(u64::from(m.age_secs))
            }
            Event::Forget { id } => 8 + varint_bits(u64::from(id)),
        };
        varint_bits(u64::from(self.event_id)) + EVENT_TAG_BITS as usize + payload
    }
}

impl EntityRecord {
    /// An upper bound of this record's size inside **any** [`EntityPacket`], in bits, whatever
    /// the packet's other records are: the id counted as a full varint (the wire carries the
    /// gap to the previous id, never larger) and a baseline age counted explicitly (a record
    /// taking the packet's common age omits it). Exact for the packet's first record when it
    /// does not take the common age.
    ///
    /// For every packet `p`, `p.encoded_len() * 8 <= p.header_bits(..) + Σ events' bits +
    /// Σ records' encoded_bits` (SPEC.md §16.4), so a sender can plan packets record by record.
    pub fn encoded_bits(&self) -> usize {
        record_bits(self, self.id, false)
    }
}

impl EntityPacket {
    /// Bits of everything but the entries, for a packet holding `events` events and
    /// `entities` records: type, `seq`, `tick`, `health_step`, the two list counts, and 8 bits
    /// for `common_age`. Exact when `common_age` is below 128; a wider one is covered by the
    /// record taking it, so this plus the entries' [`EventEntry::encoded_bits`] and
    /// [`EntityRecord::encoded_bits`] bounds the packet whatever its `common_age`.
    pub fn header_bits(&self, events: usize, entities: usize) -> usize {
        fixed_header_bits(self, events, entities) + COMMON_AGE_RESERVED_BITS
    }

    /// Exact length of [`crate::client::ServerMsg::EntityPacket`]`(self).encode()` in bytes,
    /// without encoding (sorting the records by id and dropping duplicate ids as the encoder
    /// does). Compare with [`MAX_DATAGRAM`].
    pub fn encoded_len(&self) -> usize {
        let wire = WireRecords::new(&self.entities);
        let bits = fixed_header_bits(self, self.events.len(), wire.records.len())
            + varint_bits(u64::from(wire.common_age))
            + self
                .events
                .iter()
                .map(EventEntry::encoded_bits)
                .sum::<usize>()
            + wire
                .fields()
                .map(|(rec, id_field, uses_common)| record_bits(rec, id_field, uses_common))
                .sum::<usize>();
        bits.div_ceil(8)
    }
}

/// Header bits without `common_age`.
fn fixed_header_bits(p: &EntityPacket, events: usize, entities: usize) -> usize {
    FIXED_HEADER_BITS
        + varint_bits(u64::from(p.tick))
        + varint_bits(u64::from(p.health_step))
        + varint_bits(events as u64)
        + varint_bits(entities as u64)
}
