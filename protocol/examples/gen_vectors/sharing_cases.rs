//! Vectors of protocol version 4 (SPEC.md §20): the `ShareVision` and `RevokeVision`
//! commands, their errors and the extended event's `Sharing`. Appended after the §19 vectors,
//! which stay byte-identical. The invalid cases are written bit by bit, independently of the
//! codec under test.

use crate::delta_invalid::{header, one_event, varint};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::memory::LastSeenEvent;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::*;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    let command = |seq, command| ClientMsg::Command { seq, command };
    vec![
        (
            "hello_version_4",
            ClientMsg::Hello {
                version: 4,
                token: "a.b.c".into(),
            },
        ),
        (
            "command_share_vision",
            command(30, Command::ShareVision { to: 7 }),
        ),
        (
            "command_share_vision_max",
            command(u32::MAX, Command::ShareVision { to: u32::MAX }),
        ),
        (
            "command_revoke_vision",
            command(31, Command::RevokeVision { to: 4_000_000_001 }),
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let sharing = |event_id, empire, outgoing, active| EventEntry {
        event_id,
        event: Event::Sharing(SharingEvent {
            empire,
            outgoing,
            active,
        }),
    };
    let last_seen = |event_id, id, kind, owner, pos, age_secs| EventEntry {
        event_id,
        event: Event::LastSeen(LastSeenEvent {
            id,
            kind,
            owner,
            pos,
            age_secs,
        }),
    };
    let rejected = |event_id, seq, error| EventEntry {
        event_id,
        event: Event::CommandRejected { seq, error },
    };
    vec![
        (
            "entity_packet_sharing_events",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 40,
                tick: 12_000,
                health_step: 1,
                events: vec![
                    sharing(60, 7, true, true),
                    sharing(61, 9, false, true),
                    sharing(62, 7, true, false),
                    sharing(63, 9, false, false),
                    sharing(64, u32::MAX, true, true),
                ],
                entities: vec![],
            }),
        ),
        (
            "entity_packet_memory_events",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 42,
                tick: 12_002,
                health_step: 1,
                events: vec![
                    last_seen(80, 500, EntityKind::Station, 9, Hex::new(-3, 7), 0),
                    last_seen(81, 77, EntityKind::MetalField, 0, Hex::new(12, -12), 95),
                    last_seen(
                        82,
                        u32::MAX,
                        EntityKind::CrystalField,
                        u32::MAX,
                        Hex::new(i32::MIN, i32::MAX),
                        u32::MAX,
                    ),
                    EventEntry {
                        event_id: 83,
                        event: Event::Forget { id: 500 },
                    },
                ],
                entities: vec![],
            }),
        ),
        (
            "entity_packet_sharing_rejections",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 41,
                tick: 12_001,
                health_step: 1,
                events: vec![
                    rejected(70, 30, CommandError::InvalidEmpire),
                    rejected(71, 31, CommandError::TooManyGrants),
                    rejected(72, 32, CommandError::NotShared),
                ],
                entities: vec![],
            }),
        ),
    ]
}

pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "command_share_vision_no_empire",
            "client",
            vec![0x02, 0x01, 0x07],
            "truncated",
        ),
        (
            "event_extended_kind_three",
            "server",
            one_event(7, |w| {
                w.write_bits(3, 8);
                varint(w, 7);
                w.write_bits(0b11, 2);
            }),
            "bad_enum",
        ),
        (
            // The `active` bit is missing: the packet ends where it would be.
            "event_sharing_no_active",
            "server",
            {
                // One event whose bits end after `outgoing`: no `active`, no entity count.
                let mut w = header(1);
                varint(&mut w, 1);
                varint(&mut w, 0);
                w.write_bits(7, 3);
                w.write_bits(0, 8);
                varint(&mut w, 7);
                w.write_bit(true);
                w.finish()
            },
            "truncated",
        ),
        (
            "event_last_seen_kind_seven",
            "server",
            one_event(7, |w| {
                w.write_bits(1, 8);
                varint(w, 500);
                w.write_bits(7, 8);
                varint(w, 9);
                varint(w, 0);
                varint(w, 0);
                varint(w, 0);
            }),
            "bad_enum",
        ),
        (
            // A `Forget` whose id ends the packet: no entity count follows.
            "event_forget_truncated",
            "server",
            {
                let mut w = header(1);
                varint(&mut w, 1);
                varint(&mut w, 0);
                w.write_bits(7, 3);
                w.write_bits(2, 8);
                varint(&mut w, 500);
                w.finish()
            },
            "truncated",
        ),
    ]
}
