//! Encoding and decoding of the delta-update messages (SPEC.md §16):
//! `ServerMsg::EntityPacket` and `ClientMsg::Ack`. Sizes are in `delta_size.rs`.

use super::delta_size::*;
use super::prim::*;
use crate::bits::{BitReader, BitWriter};
use crate::client::DecodeError;
use crate::delta::*;
use crate::economy::{JobEvent, JobState};
use crate::memory::LastSeenEvent;
use crate::sharing::{SharingEvent, extended_kind};
use crate::types::*;

/// Bits of the `baseline_age` and `common_age` varint fields (values up to `MAX_BASELINE_AGE`).
const BASELINE_AGE_BITS: u32 = 15;
/// Minimum bits of one event entry: event id, tag and a one-group varint.
const EVENT_MIN_BITS: usize = 8 + EVENT_TAG_BITS as usize + 8;
/// Minimum bits of one entity record: id, `has_baseline`, `uses_common` and two presence bits
/// (a full record has four presence bits).
const RECORD_MIN_BITS: usize = 8 + 1 + 1 + 2;

/// Write the fields of an `EntityPacket` (after its type byte): the records sorted by id,
/// later records of an id already written dropped (SPEC.md §16.2).
pub(crate) fn write_entity_packet(w: &mut BitWriter, p: &EntityPacket) {
    let wire = WireRecords::new(&p.entities);
    w.write_bits(u64::from(p.seq), 16);
    write_varint(w, u64::from(p.tick));
    write_varint(w, u64::from(p.health_step));
    write_varint(w, u64::from(wire.common_age));
    write_count(w, p.events.len());
    for e in &p.events {
        write_event(w, e);
    }
    write_count(w, wire.records.len());
    for (rec, id_field, uses_common) in wire.fields() {
        write_record(w, rec, id_field, uses_common);
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
        Event::Combat(c) => {
            write_varint(w, u64::from(c.dealt));
            write_varint(w, u64::from(c.taken));
            write_varint(w, u64::from(c.kills));
            write_varint(w, u64::from(c.losses));
        }
        Event::Job(j) => {
            write_varint(w, u64::from(j.building));
            write_varint(w, u64::from(j.job));
            write_varint(w, u64::from(j.recipe));
            w.write_bits(u64::from(j.state.code()), 8);
        }
        Event::Sharing(s) => {
            w.write_bits(u64::from(extended_kind::SHARING), 8);
            write_varint(w, u64::from(s.empire));
            w.write_bit(s.outgoing);
            w.write_bit(s.active);
        }
        Event::LastSeen(m) => {
            w.write_bits(u64::from(extended_kind::LAST_SEEN), 8);
            write_varint(w, u64::from(m.id));
            w.write_bits(u64::from(m.kind.code()), 8);
            write_varint(w, u64::from(m.owner));
            write_hex(w, m.pos);
            write_varint(w, u64::from(m.age_secs));
        }
        Event::Forget { id } => {
            w.write_bits(u64::from(extended_kind::FORGET), 8);
            write_varint(w, u64::from(id));
        }
    }
}

fn write_record(w: &mut BitWriter, rec: &EntityRecord, id_field: u32, uses_common: bool) {
    write_varint(w, u64::from(id_field));
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
            if let Some(pos) = rec.pos {
                write_hex(w, pos);
            }
        }
        RecordBase::Delta { age } => {
            w.write_bit(true);
            w.write_bit(uses_common);
            if !uses_common {
                write_varint(w, u64::from(age));
            }
            w.write_bit(rec.pos.is_some());
            w.write_bit(rec.health.is_some());
            if let Some(d) = rec.pos {
                match step_index(d) {
                    Some(dir) => {
                        w.write_bit(true);
                        w.write_bits(u64::from(dir), STEP_DIR_BITS);
                    }
                    None => {
                        w.write_bit(false);
                        write_hex(w, d);
                    }
                }
            }
        }
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
    // read_varint(.., 15) never returns a value above u16::MAX.
    let common_age = read_varint(r, BASELINE_AGE_BITS)? as u16;
    let n = read_count(r, "events", MAX_EVENTS, EVENT_MIN_BITS)?;
    let mut events = Vec::with_capacity(n);
    for _ in 0..n {
        events.push(read_event(r)?);
    }
    let n = read_count(r, "entities", MAX_ENTITY_RECORDS, RECORD_MIN_BITS)?;
    let mut entities: Vec<EntityRecord> = Vec::with_capacity(n);
    for _ in 0..n {
        let prev = entities.last().map(|rec| rec.id);
        entities.push(read_record(r, prev, common_age)?);
    }
    if most_frequent_age(entities.iter().filter_map(delta_age)) != common_age {
        return Err(DecodeError::NonCanonical {
            field: "common_age",
        });
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
        5 => Event::Combat(CombatReport {
            dealt: read_varint_u32(r)?,
            taken: read_varint_u32(r)?,
            kills: read_varint_u16(r)?,
            losses: read_varint_u16(r)?,
        }),
        6 => Event::Job(JobEvent {
            building: read_varint_u32(r)?,
            job: read_varint_u32(r)?,
            recipe: read_varint_u16(r)?,
            state: read_enum(r, "job_state", JobState::from_u8)?,
        }),
        7 => read_extended(r)?,
        value => {
            return Err(DecodeError::BadEnum {
                field: "event_tag",
                value,
            });
        }
    };
    Ok(EventEntry { event_id, event })
}

/// The body of an extended event (tag 7): its 8-bit kind, then the kind's fields.
fn read_extended(r: &mut BitReader<'_>) -> Result<Event, DecodeError> {
    match r.read_u8()? {
        extended_kind::SHARING => Ok(Event::Sharing(SharingEvent {
            empire: read_varint_u32(r)?,
            outgoing: r.read_bit()?,
            active: r.read_bit()?,
        })),
        extended_kind::LAST_SEEN => Ok(Event::LastSeen(LastSeenEvent {
            id: read_varint_u32(r)?,
            kind: read_enum(r, "entity_kind", EntityKind::from_u8)?,
            owner: read_varint_u32(r)?,
            pos: read_hex(r)?,
            age_secs: read_varint_u32(r)?,
        })),
        extended_kind::FORGET => Ok(Event::Forget {
            id: read_varint_u32(r)?,
        }),
        value => Err(DecodeError::BadEnum {
            field: "event_kind",
            value,
        }),
    }
}

/// Read one record; `prev` is the previous record's id, `common_age` the packet's.
fn read_record(
    r: &mut BitReader<'_>,
    prev: Option<u32>,
    common_age: u16,
) -> Result<EntityRecord, DecodeError> {
    let id_field = read_varint_u32(r)?;
    let id = match prev {
        None => id_field,
        Some(p) => p
            .checked_add(id_field)
            .and_then(|id| id.checked_add(1))
            .ok_or(DecodeError::OutOfRange { field: "id" })?,
    };
    if r.read_bit()? {
        let age = read_baseline_age(r, common_age)?;
        let has_pos = r.read_bit()?;
        let has_health = r.read_bit()?;
        let pos = if has_pos {
            Some(read_pos_delta(r)?)
        } else {
            None
        };
        let health = read_health(r, has_health)?;
        return Ok(EntityRecord {
            id,
            base: RecordBase::Delta { age },
            pos,
            health,
        });
    }
    let has_kind = r.read_bit()?;
    let has_owner = r.read_bit()?;
    let has_pos = r.read_bit()?;
    let has_health = r.read_bit()?;
    let kind = if has_kind {
        Some(read_enum(r, "entity_kind", EntityKind::from_u8)?)
    } else {
        None
    };
    let owner = if has_owner {
        Some(read_varint_u32(r)?)
    } else {
        None
    };
    let pos = if has_pos { Some(read_hex(r)?) } else { None };
    let health = read_health(r, has_health)?;
    Ok(EntityRecord {
        id,
        base: RecordBase::Full { kind, owner },
        pos,
        health,
    })
}

/// `uses_common`, then the explicit age if it is 0.
fn read_baseline_age(r: &mut BitReader<'_>, common_age: u16) -> Result<u16, DecodeError> {
    if r.read_bit()? {
        if common_age == 0 {
            return Err(DecodeError::OutOfRange {
                field: "uses_common",
            });
        }
        return Ok(common_age);
    }
    // read_varint(.., 15) never returns a value above u16::MAX.
    let age = read_varint(r, BASELINE_AGE_BITS)? as u16;
    if age == 0 {
        return Err(DecodeError::OutOfRange {
            field: "baseline_age",
        });
    }
    if age == common_age {
        return Err(DecodeError::NonCanonical {
            field: "baseline_age",
        });
    }
    Ok(age)
}

/// `is_step`, then a direction index or `(dq, dr)` that is not a step.
fn read_pos_delta(r: &mut BitReader<'_>) -> Result<Hex, DecodeError> {
    if r.read_bit()? {
        // Three bits always fit in a u8.
        let value = r.read_bits(STEP_DIR_BITS)? as u8;
        return Hex::DIRECTIONS
            .get(usize::from(value))
            .copied()
            .ok_or(DecodeError::BadEnum {
                field: "step_direction",
                value,
            });
    }
    let d = read_hex(r)?;
    if step_index(d).is_some() {
        return Err(DecodeError::NonCanonical { field: "pos_delta" });
    }
    Ok(d)
}

fn read_health(r: &mut BitReader<'_>, present: bool) -> Result<Option<u16>, DecodeError> {
    if present {
        Ok(Some(read_varint_u16(r)?))
    } else {
        Ok(None)
    }
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
