//! Vectors of the delta-update messages (SPEC.md §16): `Ack` and `EntityPacket`. Appended
//! after the version-1 vectors, which stay byte-identical.

use starlane_protocol::bits::BitWriter;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::*;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    vec![
        ("ack_zero", ClientMsg::Ack { newest: 0, mask: 0 }),
        (
            "ack_typical",
            ClientMsg::Ack {
                newest: 1000,
                mask: 0xFFFF_FFF5,
            },
        ),
        (
            "ack_max",
            ClientMsg::Ack {
                newest: u16::MAX,
                mask: u32::MAX,
            },
        ),
    ]
}

fn full(id: u32, kind: Option<EntityKind>, owner: Option<u32>) -> EntityRecord {
    EntityRecord {
        id,
        base: RecordBase::Full { kind, owner },
        pos: None,
        health: None,
    }
}

fn delta(id: u32, age: u16, pos: Option<Hex>, health: Option<u16>) -> EntityRecord {
    EntityRecord {
        id,
        base: RecordBase::Delta { age },
        pos,
        health,
    }
}

fn ev(event_id: u32, event: Event) -> EventEntry {
    EventEntry { event_id, event }
}

fn all_events(base: u32) -> Vec<EventEntry> {
    vec![
        ev(base, Event::Disappeared { id: 5 }),
        ev(
            base + 1,
            Event::Vision {
                hex: Hex::new(1, -1),
                state: Visibility::Visible,
            },
        ),
        ev(
            base + 2,
            Event::Resource {
                kind: ResourceKind::Metal,
                amount: 1500,
            },
        ),
        ev(base + 3, Event::CommandAck { seq: 300 }),
        ev(
            base + 4,
            Event::CommandRejected {
                seq: 7,
                error: CommandError::NoPath,
            },
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let packet = |seq, tick, health_step, events, entities| {
        ServerMsg::EntityPacket(EntityPacket {
            seq,
            tick,
            health_step,
            events,
            entities,
        })
    };
    let max_full = EntityRecord {
        pos: Some(Hex::new(i32::MIN, i32::MAX)),
        health: Some(u16::MAX),
        ..full(u32::MAX, Some(EntityKind::Station), Some(u32::MAX))
    };
    vec![
        ("entity_packet_empty", packet(0, 0, 1, vec![], vec![])),
        (
            "entity_packet_full_records",
            packet(
                1,
                1000,
                1,
                vec![],
                vec![
                    EntityRecord {
                        pos: Some(Hex::new(-3, 2)),
                        health: Some(100),
                        ..full(1, Some(EntityKind::Frigate), Some(7))
                    },
                    full(2, None, None),
                    full(3, Some(EntityKind::Station), None),
                    EntityRecord {
                        pos: Some(Hex::new(12, -20)),
                        ..full(4, None, Some(300))
                    },
                ],
            ),
        ),
        (
            "entity_packet_deltas",
            packet(
                500,
                1001,
                10,
                vec![],
                vec![
                    delta(1, 1, Some(Hex::new(1, 0)), None),
                    delta(2, 3, None, Some(9)),
                    delta(3, 2, None, None),
                    delta(16_384, MAX_BASELINE_AGE, Some(Hex::new(-1, 1)), Some(0)),
                ],
            ),
        ),
        (
            "entity_packet_all_events",
            packet(7, 1002, 1, all_events(0), vec![]),
        ),
        (
            "entity_packet_mixed",
            packet(
                65_535,
                123_456,
                5,
                all_events(300),
                vec![
                    delta(10, 4, Some(Hex::new(0, -1)), None),
                    EntityRecord {
                        pos: Some(Hex::new(5, -5)),
                        health: Some(50),
                        ..full(11, Some(EntityKind::Scout), Some(2))
                    },
                ],
            ),
        ),
        (
            "entity_packet_max_values",
            packet(
                u16::MAX,
                u32::MAX,
                u16::MAX,
                vec![
                    ev(u32::MAX, Event::Disappeared { id: u32::MAX }),
                    ev(
                        u32::MAX,
                        Event::Vision {
                            hex: Hex::new(i32::MIN, i32::MIN),
                            state: Visibility::Fog,
                        },
                    ),
                    ev(
                        u32::MAX,
                        Event::Resource {
                            kind: ResourceKind::Crystal,
                            amount: u32::MAX,
                        },
                    ),
                    ev(u32::MAX, Event::CommandAck { seq: u32::MAX }),
                    ev(
                        u32::MAX,
                        Event::CommandRejected {
                            seq: u32::MAX,
                            error: CommandError::Immobile,
                        },
                    ),
                ],
                vec![
                    max_full,
                    delta(
                        u32::MAX,
                        MAX_BASELINE_AGE,
                        Some(Hex::new(i32::MAX, i32::MIN)),
                        Some(u16::MAX),
                    ),
                ],
            ),
        ),
    ]
}

/// Writes `v` as a varint (SPEC.md §3.1), independently of the codec under test.
fn varint(w: &mut BitWriter, mut v: u64) {
    loop {
        let group = v & 0x7F;
        v >>= 7;
        w.write_bit(v != 0);
        w.write_bits(group, 7);
        if v == 0 {
            return;
        }
    }
}

/// An `EntityPacket` header: type, seq 1, tick 0, health step `step`.
fn header(step: u64) -> BitWriter {
    let mut w = BitWriter::new();
    w.write_bits(0x88, 8);
    w.write_bits(1, 16);
    varint(&mut w, 0);
    varint(&mut w, step);
    w
}

/// A packet with one event: id 0, then `tag` and `payload` written by the caller.
fn one_event(tag: u64, payload: impl Fn(&mut BitWriter)) -> Vec<u8> {
    let mut w = header(1);
    varint(&mut w, 1);
    varint(&mut w, 0);
    w.write_bits(tag, 3);
    payload(&mut w);
    varint(&mut w, 0);
    w.finish()
}

/// A packet with one entity record (id 1) whose bits after the id are written by the caller.
fn one_record(body: impl Fn(&mut BitWriter)) -> Vec<u8> {
    let mut w = header(1);
    varint(&mut w, 0);
    varint(&mut w, 1);
    varint(&mut w, 1);
    body(&mut w);
    w.finish()
}

/// A delta record with the given `baseline_age` and no fields.
fn age_record(age: u64) -> Vec<u8> {
    one_record(|w| {
        w.write_bit(true);
        varint(w, age);
        w.write_bits(0, 2);
    })
}

/// Invalid inputs: (name, direction, bytes, expected reason).
pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let ack = ClientMsg::Ack { newest: 1, mask: 1 }.encode();
    let disappeared = |w: &mut BitWriter| varint(w, 5);
    let mut trailing = one_event(0, disappeared);
    trailing.push(0);
    vec![
        ("ack_truncated", "client", ack[..6].to_vec(), "truncated"),
        ("ack_from_server", "server", ack, "unknown_type"),
        (
            "entity_packet_from_client",
            "client",
            ServerMsg::EntityPacket(EntityPacket {
                health_step: 1,
                ..EntityPacket::default()
            })
            .encode(),
            "unknown_type",
        ),
        (
            "event_tag_five",
            "server",
            one_event(5, disappeared),
            "bad_enum",
        ),
        (
            "event_tag_seven",
            "server",
            one_event(7, disappeared),
            "bad_enum",
        ),
        (
            "event_visibility_three",
            "server",
            one_event(1, |w| {
                varint(w, 0);
                varint(w, 0);
                w.write_bits(3, 2);
            }),
            "bad_enum",
        ),
        (
            "event_command_error_zero",
            "server",
            one_event(4, |w| {
                varint(w, 1);
                w.write_bits(0, 8);
            }),
            "bad_enum",
        ),
        (
            "record_kind_three",
            "server",
            one_record(|w| {
                w.write_bits(0b0_1000, 5); // no baseline; kind only
                w.write_bits(3, 8);
            }),
            "bad_enum",
        ),
        ("baseline_age_zero", "server", age_record(0), "out_of_range"),
        (
            "baseline_age_32768",
            "server",
            age_record(32_768),
            "varint_overflow",
        ),
        (
            "health_step_zero",
            "server",
            {
                let mut w = header(0);
                varint(&mut w, 0);
                varint(&mut w, 0);
                w.finish()
            },
            "out_of_range",
        ),
        (
            "events_257",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 257);
                w.finish()
            },
            "list_too_long",
        ),
        (
            "entities_1025",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 0);
                varint(&mut w, 1025);
                w.finish()
            },
            "list_too_long",
        ),
        (
            "events_count_exceeds_input",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 256);
                w.write_bits(0, 32);
                w.finish()
            },
            "truncated",
        ),
        (
            "entity_packet_trailing_byte",
            "server",
            trailing,
            "trailing_bytes",
        ),
    ]
}
