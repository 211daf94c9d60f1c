//! Vectors of protocol version 5 (SPEC.md §21): the chat and alliance commands, their errors
//! and the `Social` message. Appended after the §20 vectors, which stay byte-identical. The
//! invalid cases are written byte by byte, independently of the codec under test.

use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::social::*;
use starlane_protocol::*;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    let command = |seq, command| ClientMsg::Command { seq, command };
    vec![
        (
            "hello_version_5",
            ClientMsg::Hello {
                version: 5,
                token: "a.b.c".into(),
            },
        ),
        (
            "command_chat_region",
            command(
                40,
                Command::Chat {
                    to: ChatTo::Region,
                    text: "gg".into(),
                },
            ),
        ),
        (
            "command_chat_alliance_unicode",
            command(
                41,
                Command::Chat {
                    to: ChatTo::Alliance,
                    text: "<b>rally</b> at 你好 🚀".into(),
                },
            ),
        ),
        (
            "command_chat_private_max",
            command(
                u32::MAX,
                Command::Chat {
                    to: ChatTo::Player((1 << 53) - 1),
                    text: "x".repeat(MAX_CHAT_BYTES),
                },
            ),
        ),
        (
            "command_create_alliance",
            command(
                42,
                Command::CreateAlliance {
                    name: "Star Lanes".into(),
                },
            ),
        ),
        (
            "command_invite_to_alliance",
            command(43, Command::InviteToAlliance { empire: 9 }),
        ),
        (
            "command_join_alliance",
            command(44, Command::JoinAlliance { alliance: u32::MAX }),
        ),
        (
            "command_leave_alliance",
            command(45, Command::LeaveAlliance),
        ),
        (
            "command_kick_from_alliance",
            command(46, Command::KickFromAlliance { empire: 300 }),
        ),
        (
            "command_set_alliance_role",
            command(
                47,
                Command::SetAllianceRole {
                    empire: 9,
                    role: AllianceRole::Officer,
                },
            ),
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let rejected = |event_id, seq, error| EventEntry {
        event_id,
        event: Event::CommandRejected { seq, error },
    };
    vec![
        (
            "social_chat_region",
            ServerMsg::Social(SocialMsg::Chat(ChatMessage {
                channel: ChatChannel::Region,
                from: 42,
                from_name: "alice".into(),
                to: 0,
                text: "gg".into(),
            })),
        ),
        (
            "social_chat_private",
            ServerMsg::Social(SocialMsg::Chat(ChatMessage {
                channel: ChatChannel::Private,
                from: (1 << 53) - 1,
                from_name: "ボブ".into(),
                to: 42,
                text: "meet at <hex 3,-2> & bring 🚀".into(),
            })),
        ),
        (
            "social_chat_alliance_max",
            ServerMsg::Social(SocialMsg::Chat(ChatMessage {
                channel: ChatChannel::Alliance,
                from: 7,
                from_name: "n".repeat(MAX_PLAYER_NAME_BYTES),
                to: 0,
                text: "y".repeat(MAX_CHAT_BYTES),
            })),
        ),
        (
            "social_alliance",
            ServerMsg::Social(SocialMsg::Alliance {
                alliance: 3,
                name: "Star Lanes".into(),
                role: AllianceRole::Leader,
            }),
        ),
        (
            "social_alliance_none",
            ServerMsg::Social(SocialMsg::Alliance {
                alliance: 0,
                name: String::new(),
                role: AllianceRole::Member,
            }),
        ),
        (
            "social_member",
            ServerMsg::Social(SocialMsg::Member {
                alliance: 3,
                empire: 9,
                name: "bob".into(),
                role: AllianceRole::Officer,
                present: true,
            }),
        ),
        (
            "social_member_left",
            ServerMsg::Social(SocialMsg::Member {
                alliance: u32::MAX,
                empire: u32::MAX,
                name: String::new(),
                role: AllianceRole::Member,
                present: false,
            }),
        ),
        (
            "social_invite",
            ServerMsg::Social(SocialMsg::Invite {
                alliance: 3,
                name: "Star Lanes".into(),
                from: 5,
                active: true,
            }),
        ),
        (
            "social_invite_ended",
            ServerMsg::Social(SocialMsg::Invite {
                alliance: 3,
                name: "Star Lanes".into(),
                from: 5,
                active: false,
            }),
        ),
        (
            "entity_packet_social_rejections",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 43,
                tick: 12_003,
                health_step: 1,
                events: vec![
                    rejected(90, 40, CommandError::InvalidText),
                    rejected(91, 41, CommandError::TextTooLong),
                    rejected(92, 42, CommandError::AlreadyInAlliance),
                    rejected(93, 43, CommandError::NotInAlliance),
                    rejected(94, 44, CommandError::NotInvited),
                    rejected(95, 45, CommandError::NotPermitted),
                    rejected(96, 46, CommandError::AllianceFull),
                    rejected(97, 47, CommandError::NameTaken),
                ],
                entities: vec![],
            }),
        ),
    ]
}

/// A `Social` message: type byte `0x8d`, then `body`.
pub fn social(body: &[u8]) -> Vec<u8> {
    let mut v = vec![0x8d];
    v.extend_from_slice(body);
    v
}

pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    // A chat command whose text declares one byte over the 512-byte ceiling (varint 513 =
    // 0x81 0x04), with no bytes after it: refused on its length alone.
    let long_chat = vec![0x02, 0x01, 0x09, 0x00, 0x81, 0x04];
    // A region chat "hi" with its second byte not UTF-8.
    let bad_utf8 = vec![0x02, 0x01, 0x09, 0x00, 0x02, b'h', 0xff];
    vec![
        (
            "command_chat_too_long",
            "client",
            long_chat,
            "string_too_long",
        ),
        (
            "command_chat_invalid_utf8",
            "client",
            bad_utf8,
            "invalid_utf8",
        ),
        (
            "command_chat_channel_three",
            "client",
            vec![0x02, 0x01, 0x09, 0x03, 0x00],
            "bad_enum",
        ),
        (
            "command_chat_private_no_user",
            "client",
            vec![0x02, 0x01, 0x09, 0x02],
            "truncated",
        ),
        (
            // 25 bytes of name: one over the alliance name ceiling.
            "command_create_alliance_name_too_long",
            "client",
            vec![0x02, 0x01, 0x0a, 0x19],
            "string_too_long",
        ),
        (
            "command_set_alliance_role_three",
            "client",
            vec![0x02, 0x01, 0x0f, 0x09, 0x03],
            "bad_enum",
        ),
        (
            // A region chat from user 1 whose name declares 33 bytes.
            "social_chat_name_too_long",
            "server",
            social(&[0x00, 0x00, 0x01, 0x21]),
            "string_too_long",
        ),
        (
            // A member event that ends where its `present` bit would be.
            "social_member_no_present",
            "server",
            social(&[0x02, 0x03, 0x09, 0x00, 0x01]),
            "truncated",
        ),
        (
            "social_chat_trailing_byte",
            "server",
            social(&[0x00, 0x00, 0x01, 0x00, 0x01, b'a', 0x00]),
            "trailing_bytes",
        ),
    ]
}
