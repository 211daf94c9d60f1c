//! Sans-IO state machine of one client session.
//!
//! It takes client messages, verification results and region events, and returns
//! [`Action`]s for the driver to carry out. It never blocks and never panics on input.
//!
//! When the region link drops ([`RegionEvent::Lost`]) the session is held for its grace
//! period and resumes when the region accepts its re-announcement (see `relink.rs`).
//! Drain and resume (a `Resume` hello, tickets, `Move`) are in `core/moving.rs`.

mod moving;

use super::relink::Relink;
use crate::auth::VerifiedPlayer;
use crate::bandwidth::NamedProfile;
use crate::region_hub::RegionEvent;
use crate::sync::{Mirror, SessionSync};
use starlane_protocol::client::{ClientMsg, DecodeError, ServerMsg};
use starlane_protocol::codec::{MAX_NOTICE_LEN, MAX_TOKEN_LEN, client_type};
use starlane_protocol::delta::Event;
use starlane_protocol::link::{LinkServerMsg, PlayerIdentity, SessionCommand, SessionId};
use starlane_protocol::{CommandError, EmpireId, MoveReason, NoticeKind, RejectReason};
use std::time::{Duration, Instant};

/// Something the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send an encoded message reliably.
    SendReliable(Vec<u8>),
    /// Send an encoded message as a datagram.
    SendDatagram(Vec<u8>),
    /// Verify this token and report with [`SessionCore::on_verified`].
    Verify(String),
    /// Verify this token in full, then the resume ticket for the token's user, and report
    /// with [`SessionCore::on_resume_verified`].
    VerifyResume { token: String, ticket: Vec<u8> },
    /// Send the client a fresh resume ticket (`ResumeTicket`) for this user, empire and
    /// command stream.
    IssueTicket {
        user_id: u64,
        empire: EmpireId,
        stream: u64,
    },
    /// Tell the client to move to another edge (`Move`, with a fresh resume ticket).
    Move {
        reason: MoveReason,
        user_id: u64,
        empire: EmpireId,
        stream: u64,
    },
    /// Register the session on the region link and send it `Join`; report with
    /// [`SessionCore::on_join_sent`].
    Join(PlayerIdentity),
    /// Forward a command to the region; report a refusal with
    /// [`SessionCore::on_forward_failed`].
    Command(SessionCommand),
    /// The client is welcomed (count it).
    Accepted,
    /// Send `Reject { reason }` reliably, close the link with the reason's code, count it.
    Reject(RejectReason),
    /// A client message was dropped for this reason (count it).
    Dropped(&'static str),
    /// The client left more reliable events unacknowledged than its profile's
    /// `max_pending_events`: close its link with `SLOW_CONSUMER` (249) and count it.
    Shed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    AwaitHello,
    Verifying,
    Joining,
    Active,
    Closed,
}

/// One session's protocol state.
#[derive(Debug)]
pub struct SessionCore {
    id: SessionId,
    state: State,
    hello_deadline: Instant,
    user_id: u64,
    region_knows: bool,
    profile: Option<NamedProfile>,
    /// Delta sync of the session's view, from the region's `Joined` on.
    sync: Option<SessionSync>,
    /// The empire the region gave the session.
    empire: Option<EmpireId>,
    /// Held across a lost region link.
    relink: Relink,
    /// Longest token accepted in the hello (bytes).
    max_token_bytes: usize,
    /// Drain and resume state.
    moving: moving::Moving,
}

/// How long a session waits for the region after its link drops, unless configured.
pub const DEFAULT_REGION_GRACE: Duration = Duration::from_secs(10);

/// Longest hello token accepted unless configured (`jwt.max_token_bytes`): 8 KiB.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;

impl SessionCore {
    /// A session that must say hello within `hello_timeout` of `now`.
    pub fn new(id: SessionId, now: Instant, hello_timeout: Duration) -> Self {
        Self {
            id,
            state: State::AwaitHello,
            hello_deadline: now + hello_timeout,
            user_id: 0,
            region_knows: false,
            profile: None,
            sync: None,
            empire: None,
            relink: Relink::new(DEFAULT_REGION_GRACE),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            moving: moving::Moving::default(),
        }
    }

    /// Refuse hellos whose token is longer than `max` bytes with `TokenTooLarge` (at most
    /// the protocol's [`MAX_TOKEN_LEN`]; larger values count as that).
    pub fn with_max_token_bytes(mut self, max: usize) -> Self {
        self.max_token_bytes = max.min(MAX_TOKEN_LEN);
        self
    }

    /// Wait `grace` for the region after the link drops before closing with
    /// `RegionUnavailable` (zero closes at once).
    pub fn with_region_grace(mut self, grace: Duration) -> Self {
        self.relink.set_grace(grace);
        self
    }

    /// Give the session its bandwidth profile (the driver does this when the link opens, and
    /// again when a reload changed it; the sync state keeps its queue, baselines and events).
    pub fn set_profile(&mut self, profile: NamedProfile, now: Instant) {
        if let Some(sync) = self.sync.as_mut() {
            sync.set_profile(&profile.profile, now);
        }
        self.profile = Some(profile);
    }

    /// The session's delta-sync state, once the region has accepted it.
    pub fn sync(&self) -> Option<&SessionSync> {
        self.sync.as_ref()
    }

    /// Mutable access to the delta-sync state (to drain its staleness samples).
    pub fn sync_mut(&mut self) -> Option<&mut SessionSync> {
        self.sync.as_mut()
    }

    /// The session's bandwidth profile, if one was set. It stays the same `Arc` across
    /// profile reloads.
    pub fn profile(&self) -> Option<&NamedProfile> {
        self.profile.as_ref()
    }

    /// The session's id.
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// When [`SessionCore::on_timeout`] must be called, if ever: the hello deadline, then
    /// the delta sync's next send tick that has work ([`SessionSync::poll_timeout`]: none
    /// while the client's view is idle).
    pub fn deadline(&self) -> Option<Instant> {
        let own = match self.state {
            State::AwaitHello => Some(self.hello_deadline),
            State::Active => self.sync.as_ref().and_then(SessionSync::poll_timeout),
            _ => None,
        };
        let ticket = match self.state {
            State::Active => self.moving.next_ticket,
            _ => None,
        };
        [own, self.relink.deadline(), ticket]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether the session has ended (the driver stops).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Whether the region holds this session (the driver must send `Leave` when it ends).
    pub fn region_knows(&self) -> bool {
        self.region_knows
    }

    fn reject(&mut self, reason: RejectReason) -> Vec<Action> {
        self.state = State::Closed;
        vec![Action::Reject(reason)]
    }

    /// Time passed: rejects a client that never said hello, and at each send tick turns the
    /// view's pending changes into datagrams (from the edge's entity `mirror`).
    pub fn on_timeout(&mut self, now: Instant, mirror: &Mirror) -> Vec<Action> {
        if self.state != State::Closed && self.relink.expired(now) {
            tracing::debug!(
                session = self.id,
                "region did not take the session back in time"
            );
            return self.reject(RejectReason::RegionUnavailable);
        }
        match self.state {
            State::AwaitHello if now >= self.hello_deadline => {
                self.reject(RejectReason::ProtocolViolation)
            }
            State::Active => {
                let mut out = self.ticket_due(now);
                if let Some(sync) = self.sync.as_mut() {
                    out.extend(
                        sync.poll_transmit(now, mirror)
                            .into_iter()
                            .map(Action::SendDatagram),
                    );
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// A region frame reached the edge's `mirror` at `now`: an active session may send its
    /// tick right away ([`SessionSync::poll_transmit_on_frame`]).
    pub fn on_mirror_frame(&mut self, now: Instant, mirror: &Mirror) -> Vec<Action> {
        match (self.state, self.sync.as_mut()) {
            (State::Active, Some(sync)) => sync
                .poll_transmit_on_frame(now, mirror)
                .into_iter()
                .map(Action::SendDatagram)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A message from the client, reliable or as a datagram, at `now`.
    pub fn on_client(&mut self, now: Instant, reliable: bool, bytes: &[u8]) -> Vec<Action> {
        if self.state == State::Closed {
            return Vec::new();
        }
        let msg = match ClientMsg::decode(bytes) {
            Ok(m) => m,
            Err(e) if self.state == State::AwaitHello && reliable => {
                let mut out = vec![Action::Dropped(e.reason())];
                // A hello declaring a token past even the protocol's ceiling.
                let too_large = matches!(e, DecodeError::StringTooLong { .. })
                    && matches!(
                        bytes.first(),
                        Some(&client_type::HELLO | &client_type::RESUME)
                    );
                out.extend(self.reject(if too_large {
                    RejectReason::TokenTooLarge
                } else {
                    RejectReason::ProtocolViolation
                }));
                return out;
            }
            Err(e) => return vec![Action::Dropped(e.reason())],
        };
        match (self.state, msg, reliable) {
            (State::AwaitHello, ClientMsg::Hello { version, token }, true) => {
                if let Some(refused) = self.check_hello(version, &token) {
                    return self.reject(refused);
                }
                self.state = State::Verifying;
                vec![Action::Verify(token)]
            }
            (
                State::AwaitHello,
                ClientMsg::Resume {
                    version,
                    token,
                    ticket,
                },
                true,
            ) => {
                if let Some(refused) = self.check_hello(version, &token) {
                    return self.reject(refused);
                }
                self.state = State::Verifying;
                vec![Action::VerifyResume { token, ticket }]
            }
            (State::AwaitHello, _, true) => self.reject(RejectReason::ProtocolViolation),
            (State::AwaitHello, _, false) => vec![Action::Dropped("before_hello")],
            (_, ClientMsg::Hello { .. } | ClientMsg::Resume { .. }, true) => {
                self.reject(RejectReason::ProtocolViolation)
            }
            (_, ClientMsg::Hello { .. } | ClientMsg::Resume { .. }, false) => {
                vec![Action::Dropped("unreliable_hello")]
            }
            (_, ClientMsg::Ping { nonce }, reliable) => {
                let pong = ServerMsg::Pong { nonce }.encode();
                vec![if reliable {
                    Action::SendReliable(pong)
                } else {
                    Action::SendDatagram(pong)
                }]
            }
            (_, ClientMsg::Command { .. }, false) => vec![Action::Dropped("unreliable_command")],
            (State::Joining | State::Active, ClientMsg::Command { seq, .. }, true)
                if self.relink.waiting() =>
            {
                self.refuse_command(seq, "region_unavailable")
            }
            (State::Joining | State::Active, ClientMsg::Command { seq, command }, true) => {
                self.relink.forwarded(seq);
                vec![Action::Command(SessionCommand {
                    session: self.id,
                    seq,
                    command,
                })]
            }
            (_, ClientMsg::Command { .. }, true) => vec![Action::Dropped("not_joined")],
            (State::Active, ClientMsg::Ack { newest, mask }, _) => {
                if let Some(sync) = self.sync.as_mut() {
                    sync.handle_ack(now, newest, mask);
                }
                Vec::new()
            }
            (_, ClientMsg::Ack { .. }, _) => vec![Action::Dropped("ack_before_join")],
        }
    }

    /// The transport refused the client's first reliable message as longer than the hello
    /// limit (`len` bytes declared or received): before a hello, `TokenTooLarge` at once.
    /// (Transports bound only the first message, so later this cannot come; it is dropped.)
    pub fn on_first_message_too_large(&mut self, len: usize) -> Vec<Action> {
        match self.state {
            State::AwaitHello => {
                tracing::debug!(session = self.id, len, "hello over the token limit");
                self.reject(RejectReason::TokenTooLarge)
            }
            State::Closed => Vec::new(),
            _ => vec![Action::Dropped("first_message_too_large")],
        }
    }

    /// The result of [`Action::Verify`].
    pub fn on_verified(&mut self, result: Result<VerifiedPlayer, RejectReason>) -> Vec<Action> {
        if self.state != State::Verifying {
            return Vec::new();
        }
        match result {
            Ok(player) => {
                // The verifier refuses negative ids, so this conversion keeps the value.
                self.user_id = u64::try_from(player.claims.user_id).unwrap_or(0);
                self.state = State::Joining;
                let mut identity = player.identity();
                identity.command_stream = self.moving.stream;
                vec![Action::Join(identity)]
            }
            Err(reason) => self.reject(reason),
        }
    }

    /// Whether [`Action::Join`] reached a region link.
    pub fn on_join_sent(&mut self, sent: bool) -> Vec<Action> {
        if self.state != State::Joining {
            return Vec::new();
        }
        if sent {
            self.region_knows = true;
            Vec::new()
        } else {
            self.reject(RejectReason::RegionUnavailable)
        }
    }

    /// Something the region said about this session, at `now`; view changes read the entity
    /// states from the edge's `mirror`.
    pub fn on_region(&mut self, now: Instant, event: RegionEvent, mirror: &Mirror) -> Vec<Action> {
        match (self.state, event) {
            (State::Closed, _) => Vec::new(),
            (_, RegionEvent::Shed) => {
                self.region_knows = false;
                self.reject(RejectReason::RegionUnavailable)
            }
            (_, RegionEvent::Lost) => {
                if self.relink.on_lost(now) {
                    tracing::debug!(session = self.id, "region link lost; session held");
                    // The region ends the lost link's sessions: commands it had not answered
                    // never will be. They may or may not have been applied; the client is
                    // told to retry.
                    let mut actions = Vec::new();
                    for seq in self.relink.take_in_flight() {
                        actions.extend(self.refuse_command(seq, "region_link_lost"));
                    }
                    actions
                } else {
                    self.reject(RejectReason::RegionUnavailable)
                }
            }
            (State::Active, RegionEvent::Joined { empire, .. }) => self.on_rejoined(empire),
            (
                State::Joining,
                RegionEvent::Joined {
                    empire,
                    tick_rate_hz,
                    map,
                    catalog,
                },
            ) => {
                self.state = State::Active;
                self.empire = Some(empire);
                // A session held while still joining is welcomed by the re-announcement.
                self.relink.on_rejoined();
                if let Some(p) = &self.profile {
                    let mut sync = SessionSync::new(&p.profile, empire, now);
                    for event in self.relink.take_held() {
                        sync.push_event(event);
                    }
                    self.sync = Some(sync);
                }
                let welcome = ServerMsg::Welcome {
                    user_id: self.user_id,
                    empire,
                    tick_rate_hz,
                };
                let mut out = vec![
                    Action::Accepted,
                    Action::SendReliable(welcome.encode()),
                    Action::SendReliable(ServerMsg::Map(map).encode()),
                    Action::SendReliable(ServerMsg::Catalog(catalog).encode()),
                ];
                out.extend(self.on_welcomed(now, empire));
                out
            }
            (State::Joining | State::Active, RegionEvent::JoinRefused(reason)) => {
                self.region_knows = false;
                self.reject(reason)
            }
            (State::Active, RegionEvent::ToClient(mut msgs)) => {
                self.relink.observe(&mut msgs);
                let mut out = Vec::new();
                if let Some(sync) = self.sync.as_mut() {
                    for msg in msgs {
                        match msg {
                            // Chat and alliance news ride the reliable stream (SPEC.md §21).
                            LinkServerMsg::Social(social) => {
                                out.push(Action::SendReliable(ServerMsg::Social(social).encode()))
                            }
                            msg => to_sync(sync, now, msg, mirror),
                        }
                    }
                }
                out.extend(self.shed_if_overflowed());
                out
            }
            (State::Active, RegionEvent::Notice { kind, text }) => self.on_notice(kind, &text),
            // Out-of-order region frames (e.g. updates before Joined) carry nothing to send.
            _ => Vec::new(),
        }
    }

    /// The region accepted the re-announced session: it continues if its empire is the same
    /// (otherwise the client must start over with a new `Welcome`).
    fn on_rejoined(&mut self, empire: EmpireId) -> Vec<Action> {
        if self.empire != Some(empire) {
            tracing::warn!(
                session = self.id,
                "region gave the re-announced session another empire"
            );
            return self.reject(RejectReason::RegionUnavailable);
        }
        if self.relink.waiting() {
            tracing::debug!(session = self.id, "session resumed on the new region link");
        }
        self.relink.on_rejoined();
        Vec::new()
    }

    /// Command `seq` could not be queued for the region (`full`: the edge->region queue is
    /// full; otherwise no link): it is answered with `CommandRejected(RateLimited)`.
    pub fn on_forward_failed(&mut self, seq: u32, full: bool) -> Vec<Action> {
        self.relink.not_forwarded(seq);
        let reason = if full {
            "region_queue_full"
        } else {
            "region_unavailable"
        };
        if self.state == State::Closed {
            vec![Action::Dropped(reason)]
        } else {
            self.refuse_command(seq, reason)
        }
    }

    /// Answer command `seq` with `RateLimited` ("not accepted now, retry"), as a reliable
    /// event (held until the delta sync exists), and count the message as dropped.
    fn refuse_command(&mut self, seq: u32, reason: &'static str) -> Vec<Action> {
        let event = Event::CommandRejected {
            seq,
            error: CommandError::RateLimited,
        };
        match self.sync.as_mut() {
            Some(sync) => sync.push_event(event),
            None => self.relink.hold(event),
        }
        let mut actions = vec![Action::Dropped(reason)];
        actions.extend(self.shed_if_overflowed());
        actions
    }

    /// Shed the session if its client stopped acknowledging reliable events (the bound of
    /// its profile's `max_pending_events` was passed).
    fn shed_if_overflowed(&mut self) -> Vec<Action> {
        let overflowed = self
            .sync
            .as_ref()
            .is_some_and(SessionSync::events_overflowed);
        if overflowed && self.state != State::Closed {
            tracing::debug!(
                session = self.id,
                "client stopped acknowledging events; shed"
            );
            self.state = State::Closed;
            vec![Action::Shed]
        } else {
            Vec::new()
        }
    }

    /// The session's token was revoked: a welcomed client is told with a `Notice` first;
    /// then `Reject(Revoked)` and the close.
    pub fn on_revoked(&mut self) -> Vec<Action> {
        let mut out = match self.state {
            State::Closed => return Vec::new(),
            State::Active => self.on_notice(NoticeKind::Revoked, ""),
            _ => Vec::new(),
        };
        out.extend(self.reject(RejectReason::Revoked));
        out
    }

    /// A notice for the client (sent once it is welcomed; before that it is not sent). Text
    /// past [`MAX_NOTICE_LEN`] bytes is cut at a character boundary.
    pub fn on_notice(&self, kind: NoticeKind, text: &str) -> Vec<Action> {
        if self.state != State::Active {
            return Vec::new();
        }
        let mut end = text.len().min(MAX_NOTICE_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = text[..end].to_owned();
        vec![Action::SendReliable(
            ServerMsg::Notice { kind, text }.encode(),
        )]
    }

    /// The edge is shutting down.
    pub fn on_shutdown(&mut self) -> Vec<Action> {
        if self.state == State::Closed {
            return Vec::new();
        }
        self.reject(RejectReason::ShuttingDown)
    }

    /// The client's link closed.
    pub fn on_link_closed(&mut self) {
        self.state = State::Closed;
    }
}

/// Hands one region message for the session's client to its delta sync.
fn to_sync(sync: &mut SessionSync, now: Instant, msg: LinkServerMsg, mirror: &Mirror) {
    match msg {
        LinkServerMsg::View(view) => sync.handle_view(now, &view, mirror),
        LinkServerMsg::Resources(totals) => {
            for (kind, amount) in totals {
                sync.push_event(Event::Resource { kind, amount });
            }
        }
        LinkServerMsg::CommandAck { seq } => sync.push_event(Event::CommandAck { seq }),
        LinkServerMsg::CommandRejected { seq, error } => {
            sync.push_event(Event::CommandRejected { seq, error })
        }
        LinkServerMsg::Combat(report) => sync.push_event(Event::Combat(report)),
        LinkServerMsg::Job(job) => sync.push_event(Event::Job(job)),
        LinkServerMsg::Sharing(s) => sync.push_event(Event::Sharing(s)),
        LinkServerMsg::LastSeen(m) => sync.push_event(Event::LastSeen(m)),
        LinkServerMsg::Forget { id } => sync.push_event(Event::Forget { id }),
        // Sent on the stream by the caller.
        LinkServerMsg::Social(_) => {}
    }
}
