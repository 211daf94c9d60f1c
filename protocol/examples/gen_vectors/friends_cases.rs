//! Vectors of protocol version 6 (SPEC.md §22): friends, mail and presence, their commands,
//! errors and `Social` kinds. Appended after the §21 vectors, which stay byte-identical. The
//! invalid cases are written byte by byte, independently of the codec under test.

use super::social_cases::social;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::*;
use starlane_protocol::social::*;
use starlane_protocol::*;

/// The largest user id (and mail id) on the wire.
const MAX_ID: u64 = (1 << 53) - 1;

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    let command = |seq, command| ClientMsg::Command { seq, command };
    vec![
        (
            "hello_version_6",
            ClientMsg::Hello {
                version: 6,
                token: "a.b.c".into(),
            },
        ),
        (
            "command_add_friend",
            command(50, Command::AddFriend { user: 42 }),
        ),
        (
            "command_remove_friend_max",
            command(51, Command::RemoveFriend { user: MAX_ID }),
        ),
        (
            "command_send_mail",
            command(
                52,
                Command::SendMail {
                    to: 7,
                    text: "Trade?\n<i>metal</i> for 你好 🚀".into(),
                },
            ),
        ),
        (
            "command_send_mail_max",
            command(
                u32::MAX,
                Command::SendMail {
                    to: MAX_ID,
                    text: "m".repeat(MAX_MAIL_BYTES),
                },
            ),
        ),
        (
            "command_delete_mail",
            command(53, Command::DeleteMail { id: 300 }),
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    let rejected = |event_id, seq, error| EventEntry {
        event_id,
        event: Event::CommandRejected { seq, error },
    };
    let friend = |user, name: &str, state, presence| {
        ServerMsg::Social(SocialMsg::Friend {
            user,
            name: name.into(),
            state,
            presence,
        })
    };
    vec![
        (
            "social_friend_none",
            friend(42, "bob", FriendState::None, Presence::Offline),
        ),
        (
            "social_friend_requested",
            friend(42, "bob", FriendState::Requested, Presence::Offline),
        ),
        (
            "social_friend_asked",
            friend(MAX_ID, "ボブ", FriendState::Asked, Presence::Offline),
        ),
        (
            "social_friend_in_game",
            friend(7, "carol", FriendState::Friends, Presence::InGame),
        ),
        (
            "social_presence_offline",
            ServerMsg::Social(SocialMsg::Presence {
                user: 7,
                presence: Presence::Offline,
            }),
        ),
        (
            "social_presence_online",
            ServerMsg::Social(SocialMsg::Presence {
                user: 7,
                presence: Presence::Online,
            }),
        ),
        (
            "social_presence_in_game",
            ServerMsg::Social(SocialMsg::Presence {
                user: MAX_ID,
                presence: Presence::InGame,
            }),
        ),
        (
            "social_mail",
            ServerMsg::Social(SocialMsg::Mail(MailItem {
                id: 1,
                from: 42,
                from_name: "alice".into(),
                sent_at: 1_796_000_000,
                text: "Trade?\n<i>metal</i> for 你好 🚀".into(),
            })),
        ),
        (
            "social_mail_max",
            ServerMsg::Social(SocialMsg::Mail(MailItem {
                id: MAX_ID,
                from: MAX_ID,
                from_name: "n".repeat(MAX_PLAYER_NAME_BYTES),
                sent_at: MAX_ID,
                text: "z".repeat(MAX_MAIL_BYTES),
            })),
        ),
        (
            "social_mail_gone",
            ServerMsg::Social(SocialMsg::MailGone { id: 300 }),
        ),
        (
            "entity_packet_friend_mail_rejections",
            ServerMsg::EntityPacket(EntityPacket {
                seq: 44,
                tick: 12_010,
                health_step: 1,
                events: vec![
                    rejected(100, 50, CommandError::UnknownPlayer),
                    rejected(101, 51, CommandError::FriendLimit),
                    rejected(102, 52, CommandError::MailboxFull),
                    rejected(103, 53, CommandError::UnknownMail),
                ],
                entities: vec![],
            }),
        ),
    ]
}

pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    // A mail to user 1 whose text declares one byte over the 2000-byte ceiling (varint 2001 =
    // 0xd1 0x0f), with no bytes after it: refused on its length alone.
    let long_mail = vec![0x02, 0x01, 0x12, 0x01, 0xd1, 0x0f];
    vec![
        (
            "command_type_twenty",
            "client",
            vec![0x02, 0x01, 0x14, 0x01],
            "unknown_command",
        ),
        (
            "command_add_friend_no_user",
            "client",
            vec![0x02, 0x01, 0x10],
            "truncated",
        ),
        (
            // A user id of 54 bits: 2^53 as a varint (eight bytes).
            "command_add_friend_user_too_large",
            "client",
            vec![
                0x02, 0x01, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10,
            ],
            "varint_overflow",
        ),
        (
            "command_send_mail_too_long",
            "client",
            long_mail,
            "string_too_long",
        ),
        (
            "command_error_thirty_three",
            "server",
            vec![0x86, 0x01, 0x21],
            "bad_enum",
        ),
        ("social_kind_eight", "server", social(&[0x08]), "bad_enum"),
        (
            // A friend event for user 1, no name, with friend state 4.
            "social_friend_state_four",
            "server",
            social(&[0x04, 0x01, 0x00, 0x04, 0x00]),
            "bad_enum",
        ),
        (
            // A presence event for user 1 with presence 3.
            "social_presence_three",
            "server",
            social(&[0x05, 0x01, 0x03]),
            "bad_enum",
        ),
        (
            // A mail that ends before its text.
            "social_mail_no_text",
            "server",
            social(&[0x06, 0x01, 0x02, 0x00, 0x05]),
            "truncated",
        ),
    ]
}
