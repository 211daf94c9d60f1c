//! Tests of the delta-update messages (SPEC.md §16): round trips, decode errors, record
//! reconstruction and acknowledgement masks. Sizes and record order: `delta_size_tests.rs`.

use crate::client::{ClientMsg, ServerMsg};
use crate::delta::*;
use crate::economy::{JobEvent, JobState};
use crate::types::*;

/// A delta record.
pub(super) fn delta(id: u32, age: u16, pos: Option<Hex>, health: Option<u16>) -> EntityRecord {
    EntityRecord {
        id,
        base: RecordBase::Delta { age },
        pos,
        health,
    }
}

/// `n` events cycling through the five tags.
pub(super) fn events(n: u32) -> Vec<EventEntry> {
    (0..n)
        .map(|i| EventEntry {
            event_id: 1000 + i,
            event: match i % 5 {
                0 => Event::Disappeared { id: 500 + i },
                1 => Event::Vision {
                    hex: Hex::new(-40, 17),
                    state: Visibility::Fog,
                },
                2 => Event::Resource {
                    kind: ResourceKind::Credits,
                    amount: 12_345,
                },
                3 => Event::CommandAck { seq: i },
                _ => Event::CommandRejected {
                    seq: i,
                    error: CommandError::Impassable,
                },
            },
        })
        .collect()
}

/// One `Job` event per job state (protocol version 3), ids from `first`.
pub(super) fn job_events(first: u32) -> Vec<EventEntry> {
    JobState::ALL
        .iter()
        .zip(first..)
        .map(|(&state, event_id)| EventEntry {
            event_id,
            event: Event::Job(JobEvent {
                building: 500 + event_id,
                job: event_id % 3,
                recipe: 9,
                state,
            }),
        })
        .collect()
}

/// Delta-update samples, also fed to the random-mutation test of `tests.rs`.
pub(super) fn server_samples() -> Vec<ServerMsg> {
    let full = |id, kind| EntityRecord {
        id,
        base: RecordBase::Full {
            kind: Some(kind),
            owner: Some(3),
        },
        pos: Some(Hex::new(2, -1)),
        health: Some(40),
    };
    vec![
        ServerMsg::EntityPacket(EntityPacket {
            seq: 10,
            tick: 78,
            health_step: 1,
            events: [
                job_events(1),
                vec![
                    EventEntry {
                        event_id: 6,
                        event: Event::Job(JobEvent {
                            building: u32::MAX,
                            job: u32::MAX,
                            recipe: u16::MAX,
                            state: JobState::Stalled,
                        }),
                    },
                    EventEntry {
                        event_id: 7,
                        event: Event::CommandRejected {
                            seq: 3,
                            error: CommandError::InsufficientResources,
                        },
                    },
                ],
            ]
            .concat(),
            entities: vec![
                full(20, EntityKind::Extractor),
                full(21, EntityKind::Shipyard),
                full(22, EntityKind::MetalField),
                full(23, EntityKind::CrystalField),
            ],
        }),
        ServerMsg::EntityPacket(EntityPacket {
            seq: 9,
            tick: 77,
            health_step: 1,
            events: vec![
                EventEntry {
                    event_id: 1,
                    event: Event::Combat(CombatReport {
                        dealt: 1000,
                        taken: 0,
                        kills: 2,
                        losses: u16::MAX,
                    }),
                },
                EventEntry {
                    event_id: 2,
                    event: Event::Combat(CombatReport::default()),
                },
            ],
            entities: vec![],
        }),
        ServerMsg::EntityPacket(EntityPacket {
            health_step: 1,
            ..EntityPacket::default()
        }),
        ServerMsg::EntityPacket(EntityPacket {
            seq: 65_535,
            tick: 77,
            health_step: 10,
            events: events(5),
            entities: vec![
                delta(1, 1, Some(Hex::new(1, 0)), None),
                delta(2, MAX_BASELINE_AGE, None, Some(3)),
                EntityRecord {
                    id: 3,
                    base: RecordBase::Full {
                        kind: Some(EntityKind::Frigate),
                        owner: Some(9),
                    },
                    pos: Some(Hex::new(-5, 5)),
                    health: Some(10),
                },
                EntityRecord {
                    id: 4,
                    base: RecordBase::Full {
                        kind: None,
                        owner: None,
                    },
                    pos: None,
                    health: None,
                },
            ],
        }),
        // A common age taken by three records, steps and non-step deltas, a large id gap.
        ServerMsg::EntityPacket(EntityPacket {
            seq: 9,
            tick: 1 << 20,
            health_step: 1,
            events: vec![],
            entities: vec![
                delta(10, 2, Some(Hex::new(0, -1)), None),
                delta(11, 2, Some(Hex::new(0, 0)), Some(7)),
                delta(300, 5, Some(Hex::new(-1, 1)), None),
                delta(70_000, 2, Some(Hex::new(2, -1)), None),
            ],
        }),
    ]
}

/// Delta-update client samples.
pub(super) fn client_samples() -> Vec<ClientMsg> {
    vec![
        ClientMsg::Ack {
            newest: 3,
            mask: 0b101,
        },
        ClientMsg::Ack {
            newest: u16::MAX,
            mask: u32::MAX,
        },
    ]
}

#[test]
fn delta_messages_round_trip() {
    for m in server_samples() {
        assert_eq!(ServerMsg::decode(&m.encode()), Ok(m.clone()), "{m:?}");
    }
    for m in client_samples() {
        assert_eq!(ClientMsg::decode(&m.encode()), Ok(m.clone()), "{m:?}");
    }
}

#[test]
fn ack_is_seven_bytes() {
    let ack = ClientMsg::Ack {
        newest: 0x0102,
        mask: 0x0304_0506,
    };
    assert_eq!(ack.encode(), vec![0x04, 1, 2, 3, 4, 5, 6]);
}

#[test]
fn over_limit_lists_encode_but_do_not_decode() {
    let over = |events, entities| {
        ServerMsg::decode(
            &ServerMsg::EntityPacket(EntityPacket {
                health_step: 1,
                events,
                entities,
                ..EntityPacket::default()
            })
            .encode(),
        )
        .expect_err("over the limit")
        .reason()
    };
    let recs = |n: u32| (0..n).map(|id| delta(id, 1, None, None)).collect();
    assert_eq!(over(events(MAX_EVENTS as u32 + 1), vec![]), "list_too_long");
    assert_eq!(
        over(vec![], recs(MAX_ENTITY_RECORDS as u32 + 1)),
        "list_too_long"
    );
    assert!(matches!(
        ServerMsg::decode(
            &ServerMsg::EntityPacket(EntityPacket {
                health_step: 1,
                events: events(MAX_EVENTS as u32),
                entities: recs(MAX_ENTITY_RECORDS as u32),
                ..EntityPacket::default()
            })
            .encode()
        ),
        Ok(ServerMsg::EntityPacket(_))
    ));
    for age in [0, MAX_BASELINE_AGE + 1, u16::MAX] {
        let bytes = ServerMsg::EntityPacket(EntityPacket {
            health_step: 1,
            entities: vec![delta(1, age, None, None)],
            ..EntityPacket::default()
        })
        .encode();
        let want = if age == 0 {
            "out_of_range"
        } else {
            "varint_overflow"
        };
        assert_eq!(ServerMsg::decode(&bytes).unwrap_err().reason(), want);
    }
}

fn state(kind: EntityKind, owner: u32, q: i32, r: i32, health: u16) -> EntityState {
    EntityState {
        id: 42,
        kind,
        owner,
        pos: Hex::new(q, r),
        health,
    }
}

#[test]
fn records_rebuild_the_state() {
    let s = state(EntityKind::Frigate, 3, -7, 2, 95);
    let full = EntityRecord::full(&s, 10);
    assert_eq!(full.health, Some(9));
    assert_eq!(
        full.apply(None, 10),
        Some(state(EntityKind::Frigate, 3, -7, 2, 90))
    );
    // Defaults are omitted and come back.
    let zero = state(EntityKind::Scout, 0, 0, 0, 5);
    let rec = EntityRecord::full(&zero, 10);
    assert_eq!(
        rec.base,
        RecordBase::Full {
            kind: None,
            owner: None
        }
    );
    assert_eq!((rec.pos, rec.health), (None, None));
    assert_eq!(rec.apply(None, 10), Some(EntityState { health: 0, ..zero }));

    let baseline = state(EntityKind::Frigate, 3, -7, 2, 90);
    let moved = state(EntityKind::Frigate, 3, -6, 2, 99);
    let d = EntityRecord::delta(&moved, &baseline, 4, 10).unwrap();
    assert_eq!(d.pos, Some(Hex::new(1, 0)));
    assert_eq!(d.health, None, "99 and 90 quantize alike");
    assert_eq!(
        d.apply(Some(&baseline), 10),
        Some(EntityState {
            health: 90,
            ..moved
        })
    );
    assert_eq!(d.apply(None, 10), None, "a delta needs its baseline");
    let recaptured = state(EntityKind::Frigate, 4, -6, 2, 99);
    assert_eq!(EntityRecord::delta(&recaptured, &baseline, 1, 10), None);
    // Wrapping differences still rebuild the position.
    let far = state(EntityKind::Frigate, 3, i32::MAX, i32::MIN, 90);
    let d = EntityRecord::delta(&far, &baseline, 1, 10).unwrap();
    assert_eq!(d.apply(Some(&baseline), 10).unwrap().pos, far.pos);
    assert_eq!(dequantize(u16::MAX, 2), u16::MAX);
    assert_eq!(quantize(7, 0), 7);
}

#[test]
fn ack_mask_covers_the_33_newest() {
    assert!(ack_covers(10, 0, 10));
    assert!(!ack_covers(10, 0, 9));
    assert!(ack_covers(10, 1, 9));
    assert!(ack_covers(10, 1 << 31, 10u16.wrapping_sub(32)));
    assert!(!ack_covers(10, u32::MAX, 10u16.wrapping_sub(33)));
    assert!(!ack_covers(10, u32::MAX, 11), "newer than newest");
    assert!(ack_covers(1, 0b10, u16::MAX), "wraps");
}
