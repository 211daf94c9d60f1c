//! Vectors of the delta-update messages (SPEC.md §16): `Ack` and `EntityPacket`. Appended
//! after the version-1 vectors, which stay byte-identical.

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
                    delta(
                        0,
                        MAX_BASELINE_AGE,
                        Some(Hex::new(i32::MAX, i32::MIN)),
                        Some(u16::MAX),
                    ),
                    max_full,
                ],
            ),
        ),
        (
            // Age 2 is the most frequent: three records take it, one names age 40.
            "entity_packet_common_age",
            packet(
                40,
                5000,
                1,
                vec![],
                vec![
                    delta(3, 2, Some(Hex::new(1, 0)), None),
                    delta(4, 40, None, Some(12)),
                    delta(5, 2, None, None),
                    delta(6, 2, Some(Hex::new(3, -2)), Some(1)),
                    full(7, Some(EntityKind::Frigate), Some(1)),
                ],
            ),
        ),
        (
            // Ages 9 and 1 tie: the smaller is the common age; no record takes age 9's place.
            "entity_packet_common_age_tie",
            packet(
                41,
                5001,
                1,
                vec![],
                vec![
                    delta(1, 9, None, None),
                    delta(2, 1, None, None),
                    delta(3, 200, None, None),
                ],
            ),
        ),
        (
            // The six steps in direction order, then deltas that are not steps.
            "entity_packet_steps",
            packet(
                42,
                5002,
                1,
                vec![],
                vec![
                    delta(1, 1, Some(Hex::new(1, 0)), None),
                    delta(2, 1, Some(Hex::new(1, -1)), None),
                    delta(3, 1, Some(Hex::new(0, -1)), None),
                    delta(4, 1, Some(Hex::new(-1, 0)), None),
                    delta(5, 1, Some(Hex::new(-1, 1)), None),
                    delta(6, 1, Some(Hex::new(0, 1)), Some(3)),
                    delta(7, 1, Some(Hex::new(0, 0)), None),
                    delta(8, 1, Some(Hex::new(1, 1)), None),
                    delta(9, 1, Some(Hex::new(-1, -1)), None),
                    delta(10, 1, Some(Hex::new(2, -1)), None),
                ],
            ),
        ),
        (
            // Id gaps of 0, 127, 128 and across most of the id space.
            "entity_packet_id_gaps",
            packet(
                43,
                5003,
                1,
                vec![],
                vec![
                    full(0, None, None),
                    full(1, None, None),
                    full(129, None, None),
                    full(258, None, None),
                    delta(4_000_000_000, 3, Some(Hex::new(0, 1)), None),
                    full(u32::MAX, None, Some(2)),
                ],
            ),
        ),
    ]
}
