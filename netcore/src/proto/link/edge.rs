//! [`EdgeLink`]: the edge's side of the link to its region (LINK.md §5-§8). One value lives as
//! long as the edge: connections come and go under it ([`EdgeLink::handle_connected`],
//! [`EdgeLink::handle_transport_closed`]); the sessions it carries are held while no link is up
//! and announced again (`Rejoin`) on the next one.

use super::outbound::{Outbound, QueueLimits};
use super::reader::{close_code_of, read_frames};
use super::{Flow, LinkClosed, LinkCounters};
use starlane_protocol::link::{
    Close, CloseCode, EdgeToRegion, EntityFrame, FrameDecoder, Hello, Join, JoinRefused, Joined,
    LINK_VERSION, Leave, MAX_LINK_FRAME, MIN_LINK_VERSION, PlayerIdentity, RegionToEdge,
    SessionCommand, SessionId, SessionNotice, ToClient,
};
use std::collections::{BTreeMap, VecDeque};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

/// Settings of the edge's side of the link.
#[derive(Debug, Clone)]
pub struct EdgeLinkConfig {
    /// The edge's name, sent in `Hello`.
    pub edge_id: String,
    /// Link versions the edge speaks.
    pub versions: RangeInclusive<u16>,
    /// How long the region has to answer `Hello` with `Welcome`.
    pub welcome_timeout: Duration,
    /// Largest frame accepted from the region (at most `MAX_LINK_FRAME`).
    pub max_frame: usize,
    /// Bound of the frames waiting for the driver: commands are refused from three quarters,
    /// joins when full; leaves are deferred, never lost.
    pub limits: QueueLimits,
}

impl Default for EdgeLinkConfig {
    fn default() -> Self {
        Self {
            edge_id: "edge".into(),
            versions: MIN_LINK_VERSION..=LINK_VERSION,
            welcome_timeout: Duration::from_secs(10),
            max_frame: MAX_LINK_FRAME,
            limits: QueueLimits {
                max_frames: 4096,
                max_bytes: 4 << 20,
            },
        }
    }
}

/// What happened on the link, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeLinkEvent {
    /// The region answered `Hello`: the link is up (held sessions are being re-announced).
    Up {
        version: u16,
        region_id: String,
        instance: u64,
    },
    /// The link went down; every session is held until the next `Up`. The driver writes what
    /// [`EdgeLink::poll_transmit`] still gives and closes the connection with the code.
    Down(LinkClosed),
    /// A session is open.
    Joined(Joined),
    /// A session was refused (the link forgot it).
    JoinRefused(JoinRefused),
    /// Messages for a session's client.
    ToClient(ToClient),
    /// A notice for a session's client (link version 5).
    Notice(SessionNotice),
    /// Entity states for the mirror.
    Entities(EntityFrame),
}

/// Where the link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeLinkState {
    /// No connection (or it failed): sessions are held.
    Down,
    /// Connected, `Hello` sent, waiting for `Welcome`.
    AwaitWelcome { deadline: Instant },
    /// `Welcome` received.
    Up { version: u16, region_id: String },
}

/// Why a session's frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EdgeSendError {
    /// No link is up, or the session is not announced on it.
    #[error("no region link for the session")]
    Unavailable,
    /// The queue to the region is full (three quarters for commands).
    #[error("the edge-to-region queue is full")]
    Full,
    /// The session is already registered.
    #[error("the session is already registered")]
    Duplicate,
}

#[derive(Debug, Clone)]
struct Held {
    player: PlayerIdentity,
    /// Whether the current link carries the session's join.
    announced: bool,
}

/// The edge's side of the link to its region.
#[derive(Debug)]
pub struct EdgeLink {
    config: EdgeLinkConfig,
    state: EdgeLinkState,
    sessions: BTreeMap<SessionId, Held>,
    deferred_leaves: Vec<SessionId>,
    decoder: FrameDecoder,
    out: Outbound,
    events: VecDeque<EdgeLinkEvent>,
    /// The code to close the current connection with, once the link went down.
    close_code: Option<u8>,
    counters: LinkCounters,
}

impl EdgeLink {
    /// A link with no connection and no session.
    pub fn new(config: EdgeLinkConfig) -> Self {
        Self {
            decoder: FrameDecoder::new(config.max_frame),
            config,
            state: EdgeLinkState::Down,
            sessions: BTreeMap::new(),
            deferred_leaves: Vec::new(),
            out: Outbound::default(),
            events: VecDeque::new(),
            close_code: None,
            counters: LinkCounters::default(),
        }
    }

    /// A connection to the region is established: `Hello` is queued.
    pub fn handle_connected(&mut self, now: Instant) {
        self.out.clear();
        self.decoder = FrameDecoder::new(self.config.max_frame);
        self.close_code = None;
        let hello = Hello {
            min_version: *self.config.versions.start(),
            max_version: *self.config.versions.end(),
            edge_id: self.config.edge_id.clone(),
        };
        self.push(&EdgeToRegion::Hello(hello));
        self.state = EdgeLinkState::AwaitWelcome {
            deadline: now + self.config.welcome_timeout,
        };
    }

    /// Take bytes read from the link's stream.
    pub fn handle_bytes(&mut self, _now: Instant, bytes: &[u8]) {
        if self.state == EdgeLinkState::Down {
            return;
        }
        let (msgs, error) = read_frames(
            &mut self.decoder,
            &mut self.counters,
            bytes,
            RegionToEdge::decode,
        );
        for msg in msgs {
            self.on_frame(msg);
            if self.state == EdgeLinkState::Down {
                return;
            }
        }
        if let Some(e) = error {
            self.close(close_code_of(&e), &e.to_string());
        }
    }

    fn on_frame(&mut self, msg: RegionToEdge) {
        // A frame of a later link version than the one agreed (LINK.md §7 step 3).
        if let EdgeLinkState::Up { version, .. } = self.state
            && msg.since() > version
        {
            return self.close(CloseCode::Protocol, "frame type of a later link version");
        }
        let up = matches!(self.state, EdgeLinkState::Up { .. });
        match msg {
            RegionToEdge::Close(close) => self.peer_closed(close),
            RegionToEdge::Welcome(w) if !up => {
                if !self.config.versions.contains(&w.version) {
                    let reason = format!("edge speaks link versions {:?}", self.config.versions);
                    return self.close(CloseCode::Version, &reason);
                }
                self.state = EdgeLinkState::Up {
                    version: w.version,
                    region_id: w.region_id.clone(),
                };
                self.events.push_back(EdgeLinkEvent::Up {
                    version: w.version,
                    region_id: w.region_id,
                    instance: w.instance,
                });
                self.reannounce();
            }
            RegionToEdge::Welcome(_) => self.close(CloseCode::Protocol, "repeated welcome"),
            _ if !up => self.close(CloseCode::Protocol, "expected welcome"),
            RegionToEdge::Entities(frame) => self.events.push_back(EdgeLinkEvent::Entities(frame)),
            RegionToEdge::Joined(j) => self.for_session(j.session, EdgeLinkEvent::Joined(j)),
            RegionToEdge::ToClient(t) => self.for_session(t.session, EdgeLinkEvent::ToClient(t)),
            RegionToEdge::Notice(n) => self.for_session(n.session, EdgeLinkEvent::Notice(n)),
            RegionToEdge::JoinRefused(r) => {
                let known = self.sessions.remove(&r.session).is_some();
                self.for_known(known, EdgeLinkEvent::JoinRefused(r));
            }
        }
    }

    fn for_session(&mut self, session: SessionId, event: EdgeLinkEvent) {
        let known = self.sessions.get(&session).is_some_and(|s| s.announced);
        self.for_known(known, event);
    }

    fn for_known(&mut self, known: bool, event: EdgeLinkEvent) {
        if known {
            self.events.push_back(event);
        } else {
            self.counters.unknown_session += 1;
        }
    }

    /// Announce every held session again, before anything else on the new link. They are
    /// queued whatever the queue's limits: a session is never dropped for them.
    fn reannounce(&mut self) {
        let held: Vec<Join> = self
            .sessions
            .iter_mut()
            .map(|(session, s)| {
                s.announced = true;
                Join {
                    session: *session,
                    player: s.player.clone(),
                }
            })
            .collect();
        self.counters.reannounced += held.len() as u64;
        for join in held {
            self.push(&EdgeToRegion::Rejoin(join));
        }
    }

    fn peer_closed(&mut self, close: Close) {
        self.down(LinkClosed {
            code: Some(close.code),
            reason: close.reason,
            by_peer: true,
        });
    }

    /// The connection ended under the link (`code`: the region's application close code, if
    /// it closed with one). Sessions are held.
    pub fn handle_transport_closed(&mut self, code: Option<u8>, reason: &str) {
        if self.state != EdgeLinkState::Down {
            self.down(LinkClosed {
                code,
                reason: reason.to_owned(),
                by_peer: true,
            });
        }
    }

    /// Close the link if `Welcome` did not come by its deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let EdgeLinkState::AwaitWelcome { deadline } = self.state
            && now >= deadline
        {
            self.close(CloseCode::HelloTimeout, "no welcome");
        }
    }

    /// When [`EdgeLink::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            EdgeLinkState::AwaitWelcome { deadline } => Some(deadline),
            _ => None,
        }
    }

    /// The next bytes to write to the stream. Leaves deferred for a full queue are queued as
    /// soon as there is room.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let chunk = self.out.pop_chunk();
        self.flush_deferred_leaves();
        chunk
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<EdgeLinkEvent> {
        self.events.pop_front()
    }

    /// Register `session` and queue its `Join`.
    pub fn join(
        &mut self,
        session: SessionId,
        player: PlayerIdentity,
    ) -> Result<(), EdgeSendError> {
        if !matches!(self.state, EdgeLinkState::Up { .. }) {
            return Err(EdgeSendError::Unavailable);
        }
        if self.sessions.contains_key(&session) {
            return Err(EdgeSendError::Duplicate);
        }
        if !self
            .config
            .limits
            .fits(self.out.frames(), self.out.bytes(), 0)
        {
            self.counters.refused += 1;
            return Err(EdgeSendError::Full);
        }
        let join = Join {
            session,
            player: player.clone(),
        };
        self.push(&EdgeToRegion::Join(join));
        self.sessions.insert(
            session,
            Held {
                player,
                announced: true,
            },
        );
        Ok(())
    }

    /// Queue a command of a registered session; refused from three quarters of the queue, so
    /// joins and leaves keep the last quarter.
    pub fn command(&mut self, command: SessionCommand) -> Result<(), EdgeSendError> {
        let announced = self
            .sessions
            .get(&command.session)
            .is_some_and(|s| s.announced);
        if !announced || !matches!(self.state, EdgeLinkState::Up { .. }) {
            return Err(EdgeSendError::Unavailable);
        }
        if !self
            .config
            .limits
            .below_three_quarters(self.out.frames(), self.out.bytes())
        {
            self.counters.refused += 1;
            return Err(EdgeSendError::Full);
        }
        self.push(&EdgeToRegion::Command(command));
        Ok(())
    }

    /// Forget `session` and tell the region it left, if the current link carries its join. A
    /// leave that finds the queue full is deferred until there is room, never dropped.
    pub fn leave(&mut self, session: SessionId) {
        let Some(held) = self.sessions.remove(&session) else {
            return;
        };
        if !held.announced || !matches!(self.state, EdgeLinkState::Up { .. }) {
            return;
        }
        if self
            .config
            .limits
            .fits(self.out.frames(), self.out.bytes(), 0)
            && self.deferred_leaves.is_empty()
        {
            self.push(&EdgeToRegion::Leave(Leave { session }));
        } else {
            self.counters.leaves_deferred += 1;
            self.deferred_leaves.push(session);
        }
    }

    /// Forget `session` without telling the region (it refused the session).
    pub fn forget(&mut self, session: SessionId) {
        self.sessions.remove(&session);
    }

    fn flush_deferred_leaves(&mut self) {
        while let Some(&session) = self.deferred_leaves.first() {
            if !self
                .config
                .limits
                .fits(self.out.frames(), self.out.bytes(), 0)
            {
                return;
            }
            self.deferred_leaves.remove(0);
            self.push(&EdgeToRegion::Leave(Leave { session }));
        }
    }

    fn push(&mut self, msg: &EdgeToRegion) {
        let len = self.out.push(|buf| msg.encode_into(buf));
        self.counters.frames_out += 1;
        self.counters.bytes_out += len as u64;
    }

    /// Close the current connection with `code` (a `Close` frame is queued); sessions are
    /// held for the next link.
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        if self.state == EdgeLinkState::Down {
            return;
        }
        let close = Close::new(code, reason);
        self.push(&EdgeToRegion::Close(close.clone()));
        self.down(LinkClosed {
            code: Some(close.code),
            reason: close.reason,
            by_peer: false,
        });
    }

    fn down(&mut self, closed: LinkClosed) {
        self.state = EdgeLinkState::Down;
        self.decoder.poison();
        self.close_code = Some(closed.code.unwrap_or(0));
        self.deferred_leaves.clear();
        for s in self.sessions.values_mut() {
            s.announced = false;
        }
        self.events.push_back(EdgeLinkEvent::Down(closed));
    }

    /// How new frames are treated (see [`Flow`]).
    pub fn flow(&self) -> Flow {
        if !matches!(self.state, EdgeLinkState::Up { .. }) {
            Flow::Closed
        } else if self
            .config
            .limits
            .below_three_quarters(self.out.frames(), self.out.bytes())
        {
            Flow::Open
        } else {
            Flow::Congested
        }
    }

    /// Where the link is.
    pub fn state(&self) -> &EdgeLinkState {
        &self.state
    }

    /// Whether the link is up.
    pub fn is_up(&self) -> bool {
        matches!(self.state, EdgeLinkState::Up { .. })
    }

    /// The code to close the connection with, once the link went down.
    pub fn close_code(&self) -> Option<u8> {
        self.close_code
    }

    /// Registered sessions (announced, or held while the link is down).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Sessions not announced on a link (held).
    pub fn held_count(&self) -> usize {
        self.sessions.values().filter(|s| !s.announced).count()
    }

    /// Whether `session` is registered.
    pub fn has_session(&self, session: SessionId) -> bool {
        self.sessions.contains_key(&session)
    }

    /// Frames and bytes queued for the driver, and leaves deferred.
    pub fn queued(&self) -> (usize, usize, usize) {
        (
            self.out.frames(),
            self.out.bytes(),
            self.deferred_leaves.len(),
        )
    }

    /// The link's counters.
    pub fn counters(&self) -> LinkCounters {
        LinkCounters {
            queued_frames_peak: self.out.peak_frames() as u64,
            queued_bytes_peak: self.out.peak_bytes() as u64,
            ..self.counters
        }
    }
}
