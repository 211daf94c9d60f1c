//! Encoding, decoding and exact sizes of the delta-update messages (SPEC.md §16):
//! `ServerMsg::EntityPacket` and `ClientMsg::Ack`.

use super::prim::*;
use crate::bits::{BitReader, BitWriter};
use crate::client::DecodeError;
use crate::delta::*;
use crate::types::*;

/// Width of an event's tag.
const EVENT_TAG_BITS: u32 = 3;
/// Width of the `Visibility` field.
const VISIBILITY_BITS: u32 = 2;
/// Bits of the `baseline_age` varint field (values `1..=MAX_BASELINE_AGE`).
const BASELINE_AGE_BITS: u32 = 15;
/// Minimum bits of one event entry: event id, tag and a one-group varint.
const EVENT_MIN_BITS: usize = 8 + EVENT_TAG_BITS as usize + 8;
/// Minimum bits of one entity record: id, `has_baseline`, four presence bits.
const RECORD_MIN_BITS: usize = 8 + 1 + 4;
/// Bits before the event count: type, seq (tick and health step are counted separately).
const FIXED_HEADER_BITS: usize = 8 + 16;

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

impl EventEntry {
    /// Exact encoded size of this entry inside an [`EntityPacket`], in bits.
    pub fn encoded_bits(&self) -> usize {
        let payload = match self.event {
            Event::Disappeared { id } => varint_bits(u64::from(id)),
            Event::Vision { hex, .. } => hex_bits(hex) + VISIBILITY_BITS as usize,
            Event::Resource { amount, .. } => 8 + varint_bits(u64::from(amount)),
            Event::CommandAck { seq } => varint_bits(u64::from(seq)),
            Event::CommandRejected { seq, .. } => varint_bits(u64::from(seq)) + 8,
        };
        varint_bits(u64::from(self.event_id)) + EVENT_TAG_BITS as usize + payload
    }
}

impl EntityRecord {
    /// Exact encoded size of this record inside an [`EntityPacket`], in bits.
    pub fn encoded_bits(&self) -> usize {
        let base = match self.base {
            RecordBase::Full { kind, owner } => {
                4 + kind.map_or(0, |_| 8) + owner.map_or(0, |o| varint_bits(u64::from(o)))
            }
            RecordBase::Delta { age } => varint_bits(u64::from(age)) + 2,
        };
        varint_bits(u64::from(self.id))
            + 1
            + base
            + self.pos.map_or(0, hex_bits)
            + self.health.map_or(0, |h| varint_bits(u64::from(h)))
    }
}

impl EntityPacket {
    /// Bits of everything but the entries: type, `seq`, `tick`, `health_step` and the two list
    /// counts, for a packet holding `events` events and `entities` records.
    pub fn header_bits(&self, events: usize, entities: usize) -> usize {
        FIXED_HEADER_BITS
            + varint_bits(u64::from(self.tick))
            + varint_bits(u64::from(self.health_step))
            + varint_bits(events as u64)
            + varint_bits(entities as u64)
    }

    /// Exact length of [`crate::client::ServerMsg::EntityPacket`]`(self).encode()` in bytes,
    /// without encoding. Compare with [`MAX_DATAGRAM`].
    pub fn encoded_len(&self) -> usize {
        let bits = self.header_bits(self.events.len(), self.entities.len())
            + self
                .events
                .iter()
                .map(EventEntry::encoded_bits)
                .sum::<usize>()
            + self
                .entities
                .iter()
                .map(EntityRecord::encoded_bits)
                .sum::<usize>();
        bits.div_ceil(8)
    }
}

/// Write the fields of an `EntityPacket` (after its type byte).
pub(crate) fn write_entity_packet(w: &mut BitWriter, p: &EntityPacket) {
    w.write_bits(u64::from(p.seq), 16);
    write_varint(w, u64::from(p.tick));
    write_varint(w, u64::from(p.health_step));
    write_count(w, p.events.len());
    for e in &p.events {
        write_event(w, e);
    }
    write_count(w, p.entities.len());
    for rec in &p.entities {
        write_record(w, rec);
    }
}

fn write_event(w: &mut BitWriter, e: &EventEntry) {
    write_varint(w, u64::from(e.event_id));
    w.write_bits(u64::from(e.event.tag()), EVENT_TAG_BITS);
    match e.event {
        Event::Disappeared { id } => write_varint(w, u64::from(id)),
        Event::Vision { hex, state } => {
            write_hex(w, hex);
            w.write_bits(state as u64, VISIBILITY_BITS);
        }
        Event::Resource { kind, amount } => {
            w.write_bits(kind as u64, 8);
            write_varint(w, u64::from(amount));
        }
        Event::CommandAck { seq } => write_varint(w, u64::from(seq)),
        Event::CommandRejected { seq, error } => {
            write_varint(w, u64::from(seq));
            w.write_bits(error as u64, 8);
        }
    }
}

fn write_record(w: &mut BitWriter, rec: &EntityRecord) {
    write_varint(w, u64::from(rec.id));
    match rec.base {
        RecordBase::Full { kind, owner } => {
            w.write_bit(false);
            w.write_bit(kind.is_some());
            w.write_bit(owner.is_some());
            w.write_bit(rec.pos.is_some());
            w.write_bit(rec.health.is_some());
            if let Some(kind) = kind {
                w.write_bits(kind as u64, 8);
            }
            if let Some(owner) = owner {
                write_varint(w, u64::from(owner));
            }
        }
        RecordBase::Delta { age } => {
            w.write_bit(true);
            write_varint(w, u64::from(age));
            w.write_bit(rec.pos.is_some());
            w.write_bit(rec.health.is_some());
        }
    }
    if let Some(pos) = rec.pos {
        write_hex(w, pos);
    }
    if let Some(health) = rec.health {
        write_varint(w, u64::from(health));
    }
}

/// Read the fields of an `EntityPacket` (after its type byte).
pub(crate) fn read_entity_packet(r: &mut BitReader<'_>) -> Result<EntityPacket, DecodeError> {
    // Sixteen bits always fit in a u16.
    let seq = r.read_bits(16)? as u16;
    let tick = read_varint_u32(r)?;
    let health_step = read_varint_u16(r)?;
    if health_step == 0 {
        return Err(DecodeError::OutOfRange {
            field: "health_step",
        });
    }
    let n = read_count(r, "events", MAX_EVENTS, EVENT_MIN_BITS)?;
    let mut events = Vec::with_capacity(n);
    for _ in 0..n {
        events.push(read_event(r)?);
    }
    let n = read_count(r, "entities", MAX_ENTITY_RECORDS, RECORD_MIN_BITS)?;
    let mut entities = Vec::with_capacity(n);
    for _ in 0..n {
        entities.push(read_record(r)?);
    }
    Ok(EntityPacket {
        seq,
        tick,
        health_step,
        events,
        entities,
    })
}

fn read_event(r: &mut BitReader<'_>) -> Result<EventEntry, DecodeError> {
    let event_id = read_varint_u32(r)?;
    // Three bits always fit in a u8.
    let tag = r.read_bits(EVENT_TAG_BITS)? as u8;
    let event = match tag {
        0 => Event::Disappeared {
            id: read_varint_u32(r)?,
        },
        1 => {
            let hex = read_hex(r)?;
            // Two bits always fit in a u8.
            let value = r.read_bits(VISIBILITY_BITS)? as u8;
            let state = Visibility::from_u8(value).ok_or(DecodeError::BadEnum {
                field: "visibility",
                value,
            })?;
            Event::Vision { hex, state }
        }
        2 => {
            let kind = read_enum(r, "resource_kind", ResourceKind::from_u8)?;
            let amount = read_varint_u32(r)?;
            Event::Resource { kind, amount }
        }
        3 => Event::CommandAck {
            seq: read_varint_u32(r)?,
        },
        4 => {
            let seq = read_varint_u32(r)?;
            let error = read_enum(r, "command_error", CommandError::from_u8)?;
            Event::CommandRejected { seq, error }
        }
        value => {
            return Err(DecodeError::BadEnum {
                field: "event_tag",
                value,
            });
        }
    };
    Ok(EventEntry { event_id, event })
}

fn read_record(r: &mut BitReader<'_>) -> Result<EntityRecord, DecodeError> {
    let id = read_varint_u32(r)?;
    let (base, has_kind, has_owner) = if r.read_bit()? {
        // read_varint(.., 15) never returns a value above u16::MAX.
        let age = read_varint(r, BASELINE_AGE_BITS)? as u16;
        if age == 0 {
            return Err(DecodeError::OutOfRange {
                field: "baseline_age",
            });
        }
        (RecordBase::Delta { age }, false, false)
    } else {
        let has_kind = r.read_bit()?;
        let has_owner = r.read_bit()?;
        let base = RecordBase::Full {
            kind: None,
            owner: None,
        };
        (base, has_kind, has_owner)
    };
    let has_pos = r.read_bit()?;
    let has_health = r.read_bit()?;
    let base = match base {
        RecordBase::Full { .. } => RecordBase::Full {
            kind: if has_kind {
                Some(read_enum(r, "entity_kind", EntityKind::from_u8)?)
            } else {
                None
            },
            owner: if has_owner {
                Some(read_varint_u32(r)?)
            } else {
                None
            },
        },
        delta => delta,
    };
    let pos = if has_pos { Some(read_hex(r)?) } else { None };
    let health = if has_health {
        Some(read_varint_u16(r)?)
    } else {
        None
    };
    Ok(EntityRecord {
        id,
        base,
        pos,
        health,
    })
}

/// Write the fields of an `Ack` (after its type byte).
pub(crate) fn write_ack(w: &mut BitWriter, newest: u16, mask: u32) {
    w.write_bits(u64::from(newest), 16);
    w.write_bits(u64::from(mask), 32);
}

/// Read the fields of an `Ack` (after its type byte).
pub(crate) fn read_ack(r: &mut BitReader<'_>) -> Result<(u16, u32), DecodeError> {
    // Sixteen and thirty-two bits always fit.
    let newest = r.read_bits(16)? as u16;
    let mask = r.read_bits(32)? as u32;
    Ok((newest, mask))
}
