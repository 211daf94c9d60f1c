//! Scenario: resume tickets in simulated time. A ticket resumes only for the user it was
//! issued to, under the region's key, before it expires: a forged ticket (any byte changed,
//! or signed with another key), an expired one and one of another user are refused, and the
//! session turns each refusal into its own reject reason; a valid one makes the session join
//! with the ticket's command stream.

#![allow(clippy::unwrap_used)]

use starlane_edge::auth::{Claims, VerifiedPlayer};
use starlane_edge::resume::{TICKET_LEN, TicketError, TicketKey};
use starlane_edge::session::{Action, SessionCore};
use starlane_protocol::client::ClientMsg;
use starlane_protocol::{PROTOCOL_VERSION, RejectReason};
use std::time::{Duration, Instant};

const NOW: u64 = 1_800_000_000;
const TTL: Duration = Duration::from_secs(300);

fn key() -> TicketKey {
    TicketKey::new(&[7u8; 32], TTL)
}

fn player(user_id: i64) -> VerifiedPlayer {
    VerifiedPlayer {
        claims: Claims {
            user_id,
            username: format!("u{user_id}"),
            email: String::new(),
            permissions: 0,
            user_type: "player".into(),
            auth_method: "password".into(),
            activated: 1,
            iss: "login-server".into(),
            iat: 0,
            exp: i64::MAX,
            nbf: None,
            jti: None,
        },
    }
}

#[test]
fn forged_expired_and_other_user_tickets_are_refused() {
    let k = key();
    let ticket = k.issue(42, 7, 0xfeed, NOW);
    assert_eq!(ticket.len(), TICKET_LEN);
    let ok = k.verify(&ticket, 42, NOW).unwrap();
    assert_eq!((ok.user_id, ok.empire, ok.stream), (42, 7, 0xfeed));
    // Valid up to and including its expiry second.
    assert!(k.verify(&ticket, 42, NOW + TTL.as_secs()).is_ok());
    assert_eq!(
        k.verify(&ticket, 42, NOW + TTL.as_secs() + 1),
        Err(TicketError::Expired)
    );
    assert_eq!(k.verify(&ticket, 43, NOW), Err(TicketError::OtherUser));
    for i in 0..ticket.len() {
        let mut forged = ticket.clone();
        forged[i] ^= 0x01;
        assert_eq!(
            k.verify(&forged, 42, NOW),
            Err(TicketError::Invalid),
            "byte {i}"
        );
    }
    let other_key = TicketKey::new(&[8u8; 32], TTL).issue(42, 7, 0xfeed, NOW);
    assert_eq!(k.verify(&other_key, 42, NOW), Err(TicketError::Invalid));
    assert_eq!(k.verify(&ticket[..60], 42, NOW), Err(TicketError::Invalid));
    assert_eq!(k.verify(&[], 42, NOW), Err(TicketError::Invalid));
}

/// A session that received a `Resume` and whose token verified, given `ticket`'s check.
fn resumed(check: Result<starlane_edge::resume::Ticket, TicketError>) -> Vec<Action> {
    let now = Instant::now();
    let mut core = SessionCore::new(1, now, Duration::from_secs(10)).with_command_stream(5);
    let resume = ClientMsg::Resume {
        version: PROTOCOL_VERSION,
        token: "t".into(),
        ticket: vec![1; 61],
    };
    let out = core.on_client(now, true, &resume.encode());
    assert!(
        matches!(out.as_slice(), [Action::VerifyResume { .. }]),
        "{out:?}"
    );
    core.on_resume_verified(Ok((player(42), check)))
}

#[test]
fn the_session_refuses_each_ticket_failure_with_its_reason() {
    let k = key();
    let expired = k.verify(&k.issue(42, 7, 9, NOW), 42, NOW + 301);
    assert_eq!(
        resumed(expired),
        vec![Action::Reject(RejectReason::ResumeExpired)]
    );
    let other = k.verify(&k.issue(41, 7, 9, NOW), 42, NOW);
    assert_eq!(
        resumed(other),
        vec![Action::Reject(RejectReason::ResumeInvalid)]
    );
    assert_eq!(
        resumed(Err(TicketError::Invalid)),
        vec![Action::Reject(RejectReason::ResumeInvalid)]
    );
    let valid = k.verify(&k.issue(42, 7, 9, NOW), 42, NOW);
    match resumed(valid).as_slice() {
        [Action::Join(identity)] => {
            assert_eq!(identity.user_id, 42);
            assert_eq!(
                identity.command_stream, 9,
                "the ticket's stream, not a new one"
            );
        }
        other => panic!("expected a join, got {other:?}"),
    }
}
