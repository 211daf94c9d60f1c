//! Building [`EntityPacket`]s from fuzz input, within the ranges every decoder accepts, so the
//! encoder round trip can be checked (`encode` then `decode` gives the canonical packet back).

use crate::input::Input;
use starlane_protocol::delta::{
    CombatReport, EntityPacket, EntityRecord, Event, EventEntry, MAX_BASELINE_AGE, RecordBase,
};
use starlane_protocol::economy::{JobEvent, JobState};
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{CommandError, EntityKind, Hex, ResourceKind, Visibility};

/// Most events in a generated packet.
const MAX_EVENTS: u8 = 24;
/// Most records in a generated packet.
const MAX_RECORDS: u8 = 48;

fn pick<T: Copy>(all: &[T], i: u8) -> Option<T> {
    usize::from(i)
        .checked_rem(all.len())
        .and_then(|i| all.get(i))
        .copied()
}

/// A hex: small values most of the time (steps and short moves), any `i32` otherwise.
fn hex(input: &mut Input<'_>) -> Hex {
    if input.bool() {
        let small = |b: u8| i32::from(b % 7) - 3;
        Hex::new(small(input.u8()), small(input.u8()))
    } else {
        Hex::new(input.i32(), input.i32())
    }
}

fn event(input: &mut Input<'_>) -> Option<Event> {
    Some(match input.u8() % 10 {
        0 => Event::Disappeared { id: input.u32() },
        1 => Event::Vision {
            hex: hex(input),
            state: pick(Visibility::ALL, input.u8())?,
        },
        2 => Event::Resource {
            kind: pick(ResourceKind::ALL, input.u8())?,
            amount: input.u32(),
        },
        3 => Event::CommandAck { seq: input.u32() },
        4 => Event::Combat(CombatReport {
            dealt: input.u32(),
            taken: input.u32(),
            kills: input.u16(),
            losses: input.u16(),
        }),
        5 => Event::Job(JobEvent {
            building: input.u32(),
            job: input.u32(),
            recipe: input.u16(),
            state: pick(JobState::ALL, input.u8())?,
        }),
        6 => Event::Sharing(SharingEvent {
            empire: input.u32(),
            outgoing: input.bool(),
            active: input.bool(),
        }),
        7 => Event::LastSeen(LastSeenEvent {
            id: input.u32(),
            kind: pick(EntityKind::ALL, input.u8())?,
            owner: input.u32(),
            pos: hex(input),
            age_secs: input.u32(),
        }),
        8 => Event::Forget { id: input.u32() },
        _ => Event::CommandRejected {
            seq: input.u32(),
            error: pick(CommandError::ALL, input.u8())?,
        },
    })
}

fn record(input: &mut Input<'_>) -> EntityRecord {
    // Small ids make duplicates (which the encoder drops) and gaps of every size likely.
    let id = if input.bool() {
        u32::from(input.u8())
    } else {
        input.u32()
    };
    let base = if input.bool() {
        // Ages cluster on a few values so that a common age is taken by several records.
        let age = match input.u8() % 4 {
            0 => 1,
            1 => 2,
            2 => 1 + input.u16() % MAX_BASELINE_AGE,
            _ => MAX_BASELINE_AGE,
        };
        RecordBase::Delta { age }
    } else {
        let kind = if input.bool() {
            pick(EntityKind::ALL, input.u8())
        } else {
            None
        };
        let owner = input.bool().then(|| input.u32());
        RecordBase::Full { kind, owner }
    };
    let pos = input.bool().then(|| hex(input));
    let health = input.bool().then(|| input.u16());
    EntityRecord {
        id,
        base,
        pos,
        health,
    }
}

/// A packet every decoder accepts once encoded: `health_step >= 1`, ages in
/// `1..=MAX_BASELINE_AGE`, lists within their limits.
pub fn entity_packet(input: &mut Input<'_>) -> EntityPacket {
    let seq = input.u16();
    let tick = input.u32();
    let health_step = input.u16().max(1);
    let n_events = input.u8() % (MAX_EVENTS + 1);
    let events = (0..n_events)
        .filter_map(|_| {
            let event_id = input.u32();
            event(input).map(|event| EventEntry { event_id, event })
        })
        .collect();
    let n_records = input.u8() % (MAX_RECORDS + 1);
    let entities = (0..n_records).map(|_| record(input)).collect();
    EntityPacket {
        seq,
        tick,
        health_step,
        events,
        entities,
    }
}

/// The packet as a decoder returns it: records sorted by id, later records of an id dropped.
pub fn canonical(p: &EntityPacket) -> EntityPacket {
    let mut entities = p.entities.clone();
    entities.sort_by_key(|r| r.id);
    entities.dedup_by_key(|r| r.id);
    EntityPacket {
        entities,
        ..p.clone()
    }
}
