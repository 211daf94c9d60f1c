//! Vectors of protocol version 2 (SPEC.md §18): the `Stop` and `Attack` commands, the new
//! command errors and the `Combat` event. Appended after the §17 vectors, which stay
//! byte-identical.

use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::*;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    vec![
        (
            "hello_version_2",
            ClientMsg::Hello {
                version: 2,
                token: "a.b.c".into(),
            },
        ),
        (
            "command_stop",
            ClientMsg::Command {
                seq: 9,
                command: Command::Stop { unit: 130 },
            },
        ),
        (
            "command_attack",
            ClientMsg::Command {
                seq: 10,
                command: Command::Attack {
                    unit: 4,
                    target: 70_000,
                },
            },
        ),
        (
            "command_attack_max",
            ClientMsg::Command {
                seq: u32::MAX,
                command: Command::Attack {
                    unit: u32::MAX,
                    target: u32::MAX,
                },
            },
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let combat = |event_id, report| EventEntry {
        event_id,
        event: Event::Combat(report),
    };
    let rejected = |event_id, seq, error| EventEntry {
        event_id,
        event: Event::CommandRejected { seq, error },
    };
    vec![
        (
            "entity_packet_combat_events",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 12,
                tick: 4000,
                health_step: 1,
                events: vec![
                    combat(
                        7,
                        CombatReport {
                            dealt: 240,
                            taken: 35,
                            kills: 1,
                            losses: 0,
                        },
                    ),
                    combat(8, CombatReport::default()),
                    combat(
                        9,
                        CombatReport {
                            dealt: u32::MAX,
                            taken: u32::MAX,
                            kills: u16::MAX,
                            losses: u16::MAX,
                        },
                    ),
                    rejected(10, 3, CommandError::UnknownTarget),
                    rejected(11, 4, CommandError::InvalidTarget),
                    rejected(12, 5, CommandError::Unarmed),
                ],
                entities: vec![],
            }),
        ),
        (
            "command_rejected_unarmed",
            ServerMsg::CommandRejected {
                seq: 2,
                error: CommandError::Unarmed,
            },
        ),
    ]
}

/// Version 3 made command type 4 and command error 11 valid: their invalid cases moved to
/// `economy_cases` as command type 7 and error 18.
pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "command_stop_truncated",
            "client",
            vec![0x02, 0x01, 0x02],
            "truncated",
        ),
        (
            "command_attack_no_target",
            "client",
            vec![0x02, 0x01, 0x03, 0x05],
            "truncated",
        ),
        (
            "command_stop_trailing",
            "client",
            vec![0x02, 0x01, 0x02, 0x05, 0x00],
            "trailing_bytes",
        ),
    ]
}
