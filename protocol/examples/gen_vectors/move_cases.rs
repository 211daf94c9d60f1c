//! Vectors of drain and resume (SPEC.md §17): `Resume`, `Move`, `ResumeTicket`, the reject
//! reasons 15..=17, and their invalid forms.

use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::codec::{MAX_TICKET_LEN, MAX_URL_LEN};
use starlane_protocol::*;

/// A ticket-shaped byte string (the edge's tickets are 61 bytes, SPEC.md §17.2).
fn ticket(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 37 + 11) as u8).collect()
}

pub fn client_vectors() -> Vec<(&'static str, ClientMsg)> {
    vec![
        (
            "resume",
            ClientMsg::Resume {
                version: PROTOCOL_VERSION,
                token: "a.b.c".into(),
                ticket: ticket(61),
            },
        ),
        (
            "resume_empty_ticket",
            ClientMsg::Resume {
                version: 1,
                token: "x".into(),
                ticket: Vec::new(),
            },
        ),
        (
            "resume_max_ticket",
            ClientMsg::Resume {
                version: 1,
                token: "x".into(),
                ticket: ticket(MAX_TICKET_LEN),
            },
        ),
    ]
}

pub fn server_vectors() -> Vec<(&'static str, ServerMsg)> {
    vec![
        (
            "reject_draining",
            ServerMsg::Reject {
                reason: RejectReason::Draining,
            },
        ),
        (
            "reject_resume_invalid",
            ServerMsg::Reject {
                reason: RejectReason::ResumeInvalid,
            },
        ),
        (
            "reject_resume_expired",
            ServerMsg::Reject {
                reason: RejectReason::ResumeExpired,
            },
        ),
        (
            "move_drain",
            ServerMsg::Move {
                reason: MoveReason::Drain,
                connect_url: "https://play.example/connect".into(),
                ticket: ticket(61),
            },
        ),
        (
            "move_shutdown_no_url",
            ServerMsg::Move {
                reason: MoveReason::Shutdown,
                connect_url: String::new(),
                ticket: ticket(61),
            },
        ),
        (
            "resume_ticket",
            ServerMsg::ResumeTicket { ticket: ticket(61) },
        ),
    ]
}

pub fn invalid_vectors() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    // A ticket one byte over the limit: the count 129 (varint 0x81 0x01).
    let mut long_ticket = vec![0x8B, 0x81, 0x01];
    long_ticket.extend(ticket(MAX_TICKET_LEN + 1));
    // A URL one byte over the limit: 1025 is the varint 0x81 0x08.
    let mut long_url = vec![0x8A, 0x01, 0x81, 0x08];
    long_url.extend(std::iter::repeat_n(b'a', MAX_URL_LEN + 1));
    long_url.push(0x00);
    vec![
        (
            "move_reason_zero",
            "server",
            vec![0x8A, 0x00, 0x00, 0x00],
            "bad_enum",
        ),
        (
            "move_reason_three",
            "server",
            vec![0x8A, 0x03, 0x00, 0x00],
            "bad_enum",
        ),
        (
            "resume_ticket_too_long",
            "server",
            long_ticket,
            "list_too_long",
        ),
        (
            "resume_ticket_truncated",
            "server",
            vec![0x8B, 0x05, 0x01, 0x02],
            "truncated",
        ),
        ("move_url_too_long", "server", long_url, "string_too_long"),
        (
            "resume_ticket_missing",
            "client",
            vec![0x05, 0x00, 0x01, 0x01, 0x78],
            "truncated",
        ),
        ("server_type_0x8e", "server", vec![0x8E], "unknown_type"),
        ("client_type_0x06", "client", vec![0x06], "unknown_type"),
    ]
}
