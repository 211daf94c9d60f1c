//! The messages and invalid inputs the golden vectors are made of.

use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::codec::{MAX_LIST_LEN, MAX_TOKEN_LEN, MAX_USER_ID};
use starlane_protocol::*;

fn long_token() -> String {
    // A JWT-shaped token of exactly MAX_TOKEN_LEN bytes.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut t = String::from("eyJhbGciOiJFUzI1NiJ9.");
    let mut i = 0usize;
    while t.len() < MAX_TOKEN_LEN - 44 {
        t.push(alphabet[(i * 7 + 3) % alphabet.len()] as char);
        i += 1;
    }
    t.push('.');
    while t.len() < MAX_TOKEN_LEN {
        t.push(alphabet[(i * 11 + 5) % alphabet.len()] as char);
        i += 1;
    }
    t
}

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    let mv = |seq, unit, q, r| ClientMsg::Command {
        seq,
        command: Command::Move {
            unit,
            to: Hex::new(q, r),
        },
    };
    vec![
        (
            "hello",
            ClientMsg::Hello {
                version: PROTOCOL_VERSION,
                token: "a.b.c".into(),
            },
        ),
        (
            "hello_empty_token",
            ClientMsg::Hello {
                version: 1,
                token: String::new(),
            },
        ),
        (
            "hello_max_version",
            ClientMsg::Hello {
                version: u16::MAX,
                token: "x".into(),
            },
        ),
        (
            "hello_unicode_token",
            ClientMsg::Hello {
                version: 1,
                token: "tøkén ✓ 🚀".into(),
            },
        ),
        (
            "hello_long_token",
            ClientMsg::Hello {
                version: 1,
                token: long_token(),
            },
        ),
        ("command_move_origin", mv(0, 0, 0, 0)),
        ("command_move_negative", mv(1, 42, -3, 5)),
        ("command_move_two_byte_varints", mv(300, 16_384, -65, 64)),
        (
            "command_move_max",
            mv(u32::MAX, u32::MAX, i32::MIN, i32::MAX),
        ),
        ("ping_zero", ClientMsg::Ping { nonce: 0 }),
        ("ping_max", ClientMsg::Ping { nonce: u32::MAX }),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let es = |id, kind, owner, q, r, health| EntityState {
        id,
        kind,
        owner,
        pos: Hex::new(q, r),
        health,
    };
    let seven = vec![
        Hex::new(0, 0),
        Hex::new(19, -9),
        Hex::new(10, 9),
        Hex::new(-9, 19),
        Hex::new(-19, 9),
        Hex::new(-10, -9),
        Hex::new(9, -19),
    ];
    vec![
        (
            "welcome",
            ServerMsg::Welcome {
                user_id: 42,
                empire: 3,
                tick_rate_hz: 20,
            },
        ),
        (
            "welcome_max",
            ServerMsg::Welcome {
                user_id: MAX_USER_ID,
                empire: u32::MAX,
                tick_rate_hz: 255,
            },
        ),
        (
            "reject_malformed_token",
            ServerMsg::Reject {
                reason: RejectReason::MalformedToken,
            },
        ),
        (
            "reject_banned",
            ServerMsg::Reject {
                reason: RejectReason::Banned,
            },
        ),
        (
            "reject_shutting_down",
            ServerMsg::Reject {
                reason: RejectReason::ShuttingDown,
            },
        ),
        (
            "reject_not_yet_valid",
            ServerMsg::Reject {
                reason: RejectReason::NotYetValid,
            },
        ),
        (
            "reject_token_too_large",
            ServerMsg::Reject {
                reason: RejectReason::TokenTooLarge,
            },
        ),
        (
            "reject_revoked",
            ServerMsg::Reject {
                reason: RejectReason::Revoked,
            },
        ),
        (
            "notice_broadcast",
            ServerMsg::Notice {
                kind: NoticeKind::Broadcast,
                text: "Server restart in 5 min".into(),
            },
        ),
        (
            "notice_revoked_empty",
            ServerMsg::Notice {
                kind: NoticeKind::Revoked,
                text: String::new(),
            },
        ),
        (
            "notice_world_restored_utf8",
            ServerMsg::Notice {
                kind: NoticeKind::WorldRestored,
                text: "Région restaurée".into(),
            },
        ),
        (
            "map_empty",
            ServerMsg::Map(MapInfo {
                chunk_radius: 0,
                chunks: vec![],
                blocked: vec![],
            }),
        ),
        (
            "map_seven_chunks",
            ServerMsg::Map(MapInfo {
                chunk_radius: 9,
                chunks: seven,
                blocked: vec![
                    Hex::new(-21, 3),
                    Hex::new(-1, -1),
                    Hex::new(2, 0),
                    Hex::new(27, -13),
                ],
            }),
        ),
        ("update_empty", ServerMsg::Update(Update::default())),
        (
            "update_appeared",
            ServerMsg::Update(Update {
                tick: 1000,
                appeared: vec![
                    es(1, EntityKind::Scout, 7, -3, 2, 100),
                    es(2, EntityKind::Frigate, 8, 0, 0, 0),
                    es(3, EntityKind::Station, 7, 12, -20, 5000),
                ],
                ..Update::default()
            }),
        ),
        (
            "update_changed_presence",
            ServerMsg::Update(Update {
                tick: 1001,
                changed: vec![
                    EntityChange {
                        id: 1,
                        pos: Some(Hex::new(-4, 2)),
                        health: None,
                    },
                    EntityChange {
                        id: 2,
                        pos: None,
                        health: Some(90),
                    },
                    EntityChange {
                        id: 3,
                        pos: Some(Hex::new(1, -1)),
                        health: Some(4999),
                    },
                    EntityChange {
                        id: 4,
                        pos: None,
                        health: None,
                    },
                ],
                ..Update::default()
            }),
        ),
        (
            "update_vision_and_disappeared",
            ServerMsg::Update(Update {
                tick: 1002,
                disappeared: vec![5, 300, 70_000],
                vision: vec![
                    VisionChange {
                        hex: Hex::new(1, -1),
                        state: Visibility::Visible,
                    },
                    VisionChange {
                        hex: Hex::new(-2, 0),
                        state: Visibility::Fog,
                    },
                    VisionChange {
                        hex: Hex::new(0, 3),
                        state: Visibility::Shroud,
                    },
                ],
                ..Update::default()
            }),
        ),
        (
            "update_resources",
            ServerMsg::Update(Update {
                tick: 1003,
                resources: vec![
                    (ResourceKind::Credits, 1500),
                    (ResourceKind::Metal, 0),
                    (ResourceKind::Crystal, 77),
                ],
                ..Update::default()
            }),
        ),
        (
            "update_max_values",
            ServerMsg::Update(Update {
                tick: u32::MAX,
                appeared: vec![es(
                    u32::MAX,
                    EntityKind::Station,
                    u32::MAX,
                    i32::MIN,
                    i32::MAX,
                    u16::MAX,
                )],
                changed: vec![EntityChange {
                    id: u32::MAX,
                    pos: Some(Hex::new(i32::MAX, i32::MIN)),
                    health: Some(u16::MAX),
                }],
                disappeared: vec![u32::MAX],
                vision: vec![VisionChange {
                    hex: Hex::new(i32::MIN, i32::MIN),
                    state: Visibility::Visible,
                }],
                resources: vec![(ResourceKind::Crystal, u32::MAX)],
            }),
        ),
        (
            "update_everything",
            ServerMsg::Update(Update {
                tick: 123_456,
                appeared: vec![es(10, EntityKind::Frigate, 2, 5, -5, 250)],
                changed: vec![EntityChange {
                    id: 11,
                    pos: Some(Hex::new(-1, 0)),
                    health: None,
                }],
                disappeared: vec![12],
                vision: vec![VisionChange {
                    hex: Hex::new(6, -6),
                    state: Visibility::Fog,
                }],
                resources: vec![(ResourceKind::Metal, 640)],
            }),
        ),
        ("command_ack", ServerMsg::CommandAck { seq: 0 }),
        (
            "command_ack_two_byte_seq",
            ServerMsg::CommandAck { seq: 300 },
        ),
        (
            "command_rejected_unknown_unit",
            ServerMsg::CommandRejected {
                seq: 5,
                error: CommandError::UnknownUnit,
            },
        ),
        (
            "command_rejected_immobile",
            ServerMsg::CommandRejected {
                seq: u32::MAX,
                error: CommandError::Immobile,
            },
        ),
        ("pong", ServerMsg::Pong { nonce: 0x0102_0304 }),
    ]
}

/// Invalid inputs: (name, direction, bytes, expected reason).
pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let ping = ClientMsg::Ping { nonce: 7 }.encode();
    let mut ping_trailing = ping.clone();
    ping_trailing.push(0);
    let vision = ServerMsg::Update(Update {
        tick: 1,
        vision: vec![VisionChange {
            hex: Hex::new(1, -1),
            state: Visibility::Visible,
        }],
        ..Update::default()
    })
    .encode();
    let mut bad_padding = vision.clone();
    if let Some(last) = bad_padding.last_mut() {
        *last |= 0x01;
    }
    // Visibility bits are the top two bits of byte 11 (see the SPEC example).
    let mut bad_visibility = vision.clone();
    bad_visibility[11] |= 0b1100_0000;
    let appeared = ServerMsg::Update(Update {
        tick: 1,
        appeared: vec![EntityState {
            id: 1,
            kind: EntityKind::Scout,
            owner: 1,
            pos: Hex::new(0, 0),
            health: 1,
        }],
        ..Update::default()
    })
    .encode();
    let mut bad_kind = appeared.clone();
    bad_kind[7] = 7; // type(1) tick(4) count(1) id(1) → kind at byte 7
    let resources = ServerMsg::Update(Update {
        tick: 1,
        resources: vec![(ResourceKind::Metal, 1)],
        ..Update::default()
    })
    .encode();
    let mut bad_resource = resources.clone();
    bad_resource[10] = 3; // type(1) tick(4) four empty lists(4) count(1) → kind at byte 10
    let big_list = ServerMsg::Update(Update {
        disappeared: vec![1; MAX_LIST_LEN + 1],
        ..Update::default()
    })
    .encode();
    // A hello declaring a token one byte over the ceiling: refused on its length alone.
    let mut long_hello = vec![0x01, 0x00, 0x01];
    let mut len = MAX_TOKEN_LEN + 1;
    while len >= 0x80 {
        long_hello.push(0x80 | (len & 0x7F) as u8);
        len >>= 7;
    }
    long_hello.push(len as u8);
    let big_user = ServerMsg::Welcome {
        user_id: MAX_USER_ID + 1,
        empire: 1,
        tick_rate_hz: 20,
    }
    .encode();
    vec![
        ("empty_client", "client", vec![], "truncated"),
        ("empty_server", "server", vec![], "truncated"),
        ("ping_truncated", "client", ping[..4].to_vec(), "truncated"),
        (
            "hello_token_truncated",
            "client",
            vec![0x01, 0x00, 0x01, 0x05, b'a', b'b'],
            "truncated",
        ),
        (
            "command_missing_hex",
            "client",
            vec![0x02, 0x00, 0x01, 0x05],
            "truncated",
        ),
        ("client_type_zero", "client", vec![0x00], "unknown_type"),
        (
            "server_type_from_client",
            "client",
            vec![0x87, 0, 0, 0, 0],
            "unknown_type",
        ),
        ("client_type_from_server", "server", ping, "unknown_type"),
        ("server_type_ff", "server", vec![0xFF], "unknown_type"),
        (
            "unknown_command",
            "client",
            vec![0x02, 0x00, 0x14, 0x00, 0x00, 0x00],
            "unknown_command",
        ),
        ("reject_reason_zero", "server", vec![0x82, 0x00], "bad_enum"),
        (
            "reject_reason_twenty",
            "server",
            vec![0x82, 0x14],
            "bad_enum",
        ),
        (
            "command_error_zero",
            "server",
            vec![0x86, 0x01, 0x00],
            "bad_enum",
        ),
        (
            "notice_kind_three",
            "server",
            vec![0x89, 0x03, 0x00],
            "bad_enum",
        ),
        (
            "notice_text_1025_bytes_declared",
            "server",
            vec![0x89, 0x00, 0x81, 0x08],
            "string_too_long",
        ),
        ("entity_kind_seven", "server", bad_kind, "bad_enum"),
        ("visibility_three", "server", bad_visibility, "bad_enum"),
        ("resource_kind_three", "server", bad_resource, "bad_enum"),
        (
            "seq_above_u32",
            "server",
            vec![0x85, 0xFF, 0xFF, 0xFF, 0xFF, 0x10],
            "varint_overflow",
        ),
        (
            "seq_six_groups",
            "client",
            vec![0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
            "varint_overflow",
        ),
        ("user_id_above_2_53", "server", big_user, "varint_overflow"),
        (
            "health_above_u16",
            "server",
            vec![
                0x84, 0, 0, 0, 1, // type, tick 1
                1, 1, 0, 1, 0, 0, // one appeared: id 1, scout, owner 1, hex (0, 0)
                0x80, 0x80, 0x04, // health 65536
                0, 0, 0, 0, // empty changed, disappeared, vision, resources
            ],
            "varint_overflow",
        ),
        (
            "seq_overlong",
            "server",
            vec![0x85, 0x80, 0x00],
            "non_canonical_varint",
        ),
        (
            "token_16385_bytes_declared",
            "client",
            long_hello,
            "string_too_long",
        ),
        (
            "token_invalid_utf8",
            "client",
            vec![0x01, 0x00, 0x01, 0x02, 0xC3, 0x28],
            "invalid_utf8",
        ),
        (
            "chunks_4097",
            "server",
            vec![0x83, 0x09, 0x81, 0x20],
            "list_too_long",
        ),
        ("disappeared_4097", "server", big_list, "list_too_long"),
        (
            "chunks_count_exceeds_input",
            "server",
            vec![0x83, 0x09, 0x80, 0x20, 0x00, 0x00],
            "truncated",
        ),
        (
            "ping_trailing_byte",
            "client",
            ping_trailing,
            "trailing_bytes",
        ),
        (
            "update_nonzero_padding",
            "server",
            bad_padding,
            "nonzero_padding",
        ),
    ]
}
