//! Drain and resume in a session (SPEC.md §17): a `Resume` hello whose ticket is checked
//! after the token, resume tickets sent after the welcome and renewed before they expire,
//! `Move` when the edge drains, and hellos refused with `Draining` meanwhile.

use super::{Action, SessionCore, State};
use crate::auth::VerifiedPlayer;
use crate::resume::{Ticket, TicketError};
use starlane_protocol::{EmpireId, MoveReason, PROTOCOL_VERSION, RejectReason};
use std::time::{Duration, Instant};

/// Drain and resume state of one session.
#[derive(Debug, Default)]
pub(super) struct Moving {
    /// The client's command stream (fresh per login, the ticket's on a resume).
    pub(super) stream: u64,
    /// Set when the edge drains: new hellos are refused, an active client is told to move.
    draining: Option<MoveReason>,
    /// Whether the client was told to move.
    moved: bool,
    /// How often a fresh ticket is sent (half the ticket lifetime); `None`: no tickets.
    renew_every: Option<Duration>,
    /// When the next ticket is due.
    pub(super) next_ticket: Option<Instant>,
    /// The empire a resumed session's ticket names.
    ticket_empire: Option<EmpireId>,
}

impl SessionCore {
    /// Use command stream `stream` for a fresh login (the driver draws it at random; `0`
    /// turns the region's deduplication off for the session).
    pub fn with_command_stream(mut self, stream: u64) -> Self {
        self.moving.stream = stream;
        self
    }

    /// Send resume tickets valid for `ttl`: after the welcome, then every `ttl / 2`.
    pub fn with_tickets(mut self, ttl: Duration) -> Self {
        self.moving.renew_every = Some(ttl / 2);
        self
    }

    /// The session's command stream.
    pub fn command_stream(&self) -> u64 {
        self.moving.stream
    }

    /// Whether the client was told to move.
    pub fn moved(&self) -> bool {
        self.moving.moved
    }

    /// The checks a `Hello` and a `Resume` share: version, token length, drain.
    pub(super) fn check_hello(&self, version: u16, token: &str) -> Option<RejectReason> {
        if self.moving.draining.is_some() {
            return Some(RejectReason::Draining);
        }
        if version != PROTOCOL_VERSION {
            return Some(RejectReason::UnsupportedVersion);
        }
        if token.len() > self.max_token_bytes {
            return Some(RejectReason::TokenTooLarge);
        }
        None
    }

    /// The result of [`Action::VerifyResume`]: the token's verification, then the ticket's
    /// for the token's user (`Err(ticket)` when the token passed and the ticket did not).
    pub fn on_resume_verified(
        &mut self,
        result: Result<(VerifiedPlayer, Result<Ticket, TicketError>), RejectReason>,
    ) -> Vec<Action> {
        if self.state != State::Verifying {
            return Vec::new();
        }
        let (player, ticket) = match result {
            Ok(v) => v,
            Err(reason) => return self.reject(reason),
        };
        match ticket {
            Ok(t) => {
                self.moving.stream = t.stream;
                self.moving.ticket_empire = Some(t.empire);
                self.on_verified(Ok(player))
            }
            Err(TicketError::Expired) => self.reject(RejectReason::ResumeExpired),
            Err(TicketError::Invalid | TicketError::OtherUser) => {
                self.reject(RejectReason::ResumeInvalid)
            }
        }
    }

    /// The region welcomed the session with `empire` at `now`: a first ticket, and the move
    /// at once if the edge began draining meanwhile.
    pub(super) fn on_welcomed(&mut self, now: Instant, empire: EmpireId) -> Vec<Action> {
        if let Some(expected) = self.moving.ticket_empire
            && expected != empire
        {
            tracing::warn!(
                session = self.id,
                expected,
                empire,
                "resumed session got another empire than its ticket names"
            );
        }
        let mut out = Vec::new();
        if let Some(every) = self.moving.renew_every {
            self.moving.next_ticket = Some(now + every);
            out.push(self.ticket_action(empire));
        }
        if let Some(reason) = self.moving.draining {
            out.extend(self.move_client(reason));
        }
        out
    }

    fn ticket_action(&self, empire: EmpireId) -> Action {
        Action::IssueTicket {
            user_id: self.user_id,
            empire,
            stream: self.moving.stream,
        }
    }

    /// A fresh ticket when the current one is half-way to its expiry.
    pub(super) fn ticket_due(&mut self, now: Instant) -> Vec<Action> {
        match (
            self.moving.next_ticket,
            self.moving.renew_every,
            self.empire,
        ) {
            (Some(due), Some(every), Some(empire)) if now >= due => {
                self.moving.next_ticket = Some(now + every);
                vec![self.ticket_action(empire)]
            }
            _ => Vec::new(),
        }
    }

    /// The edge drains (or shuts down with a window): hellos from now on are refused with
    /// `Draining`, and an active client is told to move (once).
    pub fn on_drain(&mut self, reason: MoveReason) -> Vec<Action> {
        self.moving.draining = Some(reason);
        match self.state {
            State::Active => self.move_client(reason),
            // Sessions still verifying or joining are moved once welcomed.
            _ => Vec::new(),
        }
    }

    fn move_client(&mut self, reason: MoveReason) -> Vec<Action> {
        let Some(empire) = self.empire else {
            return Vec::new();
        };
        if std::mem::replace(&mut self.moving.moved, true) {
            return Vec::new();
        }
        vec![Action::Move {
            reason,
            user_id: self.user_id,
            empire,
            stream: self.moving.stream,
        }]
    }
}
