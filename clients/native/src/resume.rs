//! Moving to another edge without logging in again (SPEC.md §17): the client keeps the
//! latest resume ticket, the commands not answered yet, and where to reconnect. On `Move`
//! (or when its link closes unexpectedly, if it knows a connect endpoint) it asks the
//! connect endpoint for an edge, says `Resume` with its token and ticket, and sends the
//! unanswered commands again with their numbers: the region answers a command it already
//! applied without applying it twice.
//!
//! An edge that dies without a word (`kill -9`, no `Move`) is noticed by the link's idle
//! timeout within [`LINK_IDLE_TIMEOUT`] of last hearing from it (encrypted UDP: the edge's
//! keepalives come every 500 ms; QUIC and WebTransport: [`QUIC_LIVENESS`]).
//! The connect endpoint the client then asks may be the dead edge's own: a client therefore
//! knows several (`Client::set_connect_urls`, e.g. every edge of the region, or a load
//! balancer in front of them) and tries them in turn; the first that answers wins. It names
//! the edge it lost (`POST <url>?lost=<udp addr>`), so that an endpoint whose registry still
//! lists the dead edge (its record lives until its TTL) hands out another.

use crate::client::{Client, ClientError, ClientEvent, await_welcome_on};
use crate::http::ConnectInfo;
use crate::transport::{Transport, open_link};
use starlane_netcore::transport::Liveness;
use starlane_protocol::client::ClientMsg;
use starlane_protocol::{Command, MoveReason, PROTOCOL_VERSION, RejectReason};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Duration;

/// How long an encrypted UDP link to the edge may stay silent before it counts as lost (the
/// edge's keepalives come every 500 ms): how fast a client notices an edge that died.
pub const LINK_IDLE_TIMEOUT: Duration = Duration::from_secs(3);

/// Keep-alives of the QUIC and WebTransport links (the edge sends its own as often).
const QUIC_KEEP_ALIVE: Duration = Duration::from_millis(500);

/// Idle timeout and keep-alives of the QUIC and WebTransport links: QUIC restarts its idle
/// timer at the first packet it sends after a receive (at the latest a keep-alive later), so
/// an idle timeout one keep-alive short of [`LINK_IDLE_TIMEOUT`] notices a dead edge within
/// it, as the encrypted UDP link does. The edge's (`[quic]`, `[webtransport]`) applies when
/// shorter.
pub const QUIC_LIVENESS: Liveness = Liveness {
    idle_timeout: LINK_IDLE_TIMEOUT.saturating_sub(QUIC_KEEP_ALIVE),
    keep_alive: QUIC_KEEP_ALIVE,
};

/// Attempts of one reconnection before the session is reported closed.
const ATTEMPTS: u32 = 6;
/// Wait before the second attempt; doubled after each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How long a new edge has to welcome the client.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(10);
/// Most unanswered commands kept for sending again (the oldest is dropped beyond it).
const MAX_UNANSWERED: usize = 4096;

/// Drain and resume state of a client.
#[derive(Debug)]
pub(crate) struct ResumeState {
    /// The login token, presented again on every reconnection.
    pub token: String,
    /// The transport reconnections use.
    pub transport: Transport,
    /// The latest resume ticket.
    pub ticket: Option<Vec<u8>>,
    /// The connect endpoints, tried in turn (set by the application; a `Move`'s goes
    /// first).
    pub connect_urls: Vec<String>,
    /// An address of the edge the client is on (its UDP address), when known.
    pub edge: Option<String>,
    /// The edge the client lost without a word, named to the connect endpoint.
    lost: Option<String>,
    /// Commands sent and not answered yet, by seq.
    unanswered: BTreeMap<u32, Command>,
    /// The latest answered seqs (at most [`MAX_UNANSWERED`]), oldest first, to report an
    /// answer repeated across a move only once.
    answered: (VecDeque<u32>, HashSet<u32>),
    /// A reconnection is due: `Some(reason)` after a `Move`, `Some(None)` after an
    /// unexpected close.
    due: Option<Option<MoveReason>>,
    /// The session ended for good (a refusal that a reconnection would not cure).
    ended: bool,
}

impl ResumeState {
    pub fn new(token: &str) -> Self {
        Self {
            token: token.to_string(),
            transport: Transport::Udp,
            ticket: None,
            connect_urls: Vec::new(),
            edge: None,
            lost: None,
            unanswered: BTreeMap::new(),
            answered: (VecDeque::new(), HashSet::new()),
            due: None,
            ended: false,
        }
    }

    /// Command `seq` was sent.
    pub fn sent(&mut self, seq: u32, command: Command) {
        if self.unanswered.len() >= MAX_UNANSWERED {
            self.unanswered.pop_first();
        }
        self.unanswered.insert(seq, command);
    }

    /// An answer to `seq` arrived: true the first time (an answer repeated across a move is
    /// reported once).
    pub fn answered(&mut self, seq: u32) -> bool {
        self.unanswered.remove(&seq);
        let (order, seen) = &mut self.answered;
        if !seen.insert(seq) {
            return false;
        }
        order.push_back(seq);
        if order.len() > MAX_UNANSWERED
            && let Some(oldest) = order.pop_front()
        {
            seen.remove(&oldest);
        }
        true
    }

    /// The edge said to move.
    pub fn on_move(&mut self, reason: MoveReason, connect_url: String, ticket: Vec<u8>) {
        self.ticket = Some(ticket);
        if !connect_url.is_empty() {
            self.connect_urls.retain(|u| *u != connect_url);
            self.connect_urls.insert(0, connect_url);
        }
        self.due = Some(Some(reason));
    }

    /// The link closed: true if a reconnection was scheduled (a move was already due, or
    /// the close was unexpected and the client can resume), false if the session ended.
    pub fn on_close(&mut self, unexpected: bool) -> bool {
        if self.due.is_some() {
            return true;
        }
        if unexpected && !self.ended && self.ticket.is_some() && !self.connect_urls.is_empty() {
            self.lost = self.edge.clone();
            self.due = Some(None);
            return true;
        }
        false
    }

    /// The edge refused or closed the session with `reason`: true if reconnecting elsewhere
    /// may cure it (the link's close then reconnects).
    pub fn on_reject(&mut self, reason: RejectReason) -> bool {
        let cured = curable(reason);
        if !cured {
            self.ended = true;
        }
        cured && self.ticket.is_some() && !self.connect_urls.is_empty()
    }

    pub fn reconnect_due(&self) -> bool {
        self.due.is_some()
    }
}

/// Whether another edge of the region may take a session this refusal ended.
fn curable(reason: RejectReason) -> bool {
    matches!(
        reason,
        RejectReason::ShuttingDown | RejectReason::Draining | RejectReason::RegionUnavailable
    )
}

impl Client {
    /// Reconnect through the connect endpoint at `url` (`POST` with the token) when the
    /// edge says to move or the link closes unexpectedly.
    pub fn set_connect_url(&mut self, url: &str) {
        self.set_connect_urls(&[url]);
    }

    /// [`Client::set_connect_url`] with several endpoints, tried in turn: an edge that dies
    /// takes its own endpoint with it, so name more than one (every edge of the region, or a
    /// load balancer in front of them).
    pub fn set_connect_urls(&mut self, urls: &[&str]) {
        self.resume.connect_urls = urls.iter().map(|u| u.to_string()).collect();
    }

    /// The encrypted UDP address (`host:port`) of the edge the session is on, when known
    /// (it changes when the session moves).
    pub fn edge_addr(&self) -> Option<&str> {
        self.resume.edge.as_deref()
    }

    /// Commands sent and not answered yet.
    pub fn unanswered(&self) -> usize {
        self.resume.unanswered.len()
    }

    /// Move to another edge: a few attempts with backoff, then the session is closed.
    pub(crate) async fn reconnect(&mut self) -> ClientEvent {
        let reason = self.resume.due.flatten();
        let mut backoff = FIRST_BACKOFF;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            // Later attempts stop avoiding the lost edge: it may have been a network blip.
            if attempt == ATTEMPTS / 2 {
                self.resume.lost = None;
            }
            match self.try_resume().await {
                Ok(()) => {
                    self.resume.due = None;
                    self.resume.lost = None;
                    return ClientEvent::Moved { reason };
                }
                // The ticket was refused: log in again (a new command stream).
                Err(ClientError::Rejected(
                    RejectReason::ResumeInvalid | RejectReason::ResumeExpired,
                )) => {
                    tracing::warn!("resume ticket refused; logging in again");
                    self.resume.ticket = None;
                    continue;
                }
                Err(ClientError::Rejected(r)) if !curable(r) => {
                    self.resume.due = None;
                    return ClientEvent::Closed(format!("rejected on reconnect: {r:?}"));
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
        self.resume.due = None;
        ClientEvent::Closed(format!("could not reconnect: {last}"))
    }

    /// Ask the connect endpoints in turn for an edge: the first answer.
    async fn ask_connect(&self) -> Result<ConnectInfo, ClientError> {
        let mut last = ClientError::Connect("no connect endpoint known".into());
        for url in &self.resume.connect_urls {
            let lost = self.resume.lost.as_deref();
            match ConnectInfo::from_connect_endpoint_avoiding(url, &self.resume.token, lost).await {
                Ok(info) => return Ok(info),
                Err(e) => last = ClientError::Connect(e.to_string()),
            }
        }
        Err(last)
    }

    /// One attempt: ask the connect endpoint, connect, say `Resume` (or `Hello` without a
    /// ticket), wait for the welcome, then swap the link in and send the unanswered commands.
    async fn try_resume(&mut self) -> Result<(), ClientError> {
        let info = self.ask_connect().await?;
        let mut link = open_link(&info, self.resume.transport).await?;
        let token = self.resume.token.clone();
        let first = match &self.resume.ticket {
            Some(ticket) => ClientMsg::Resume {
                version: PROTOCOL_VERSION,
                token,
                ticket: ticket.clone(),
            },
            None => ClientMsg::Hello {
                version: PROTOCOL_VERSION,
                token,
            },
        };
        link.sender.send_reliable(first.encode());
        let welcome = tokio::time::timeout(WELCOME_TIMEOUT, await_welcome_on(&mut link))
            .await
            .map_err(|_| ClientError::Timeout(WELCOME_TIMEOUT))??;
        let old = std::mem::replace(&mut self.link, link);
        old.sender.close(0);
        self.resume.edge = Some(info.udp_addr.to_string());
        self.restart_view();
        self.welcomed(welcome);
        for (seq, command) in &self.resume.unanswered {
            let msg = ClientMsg::Command {
                seq: *seq,
                command: command.clone(),
            };
            self.link.sender.send_reliable(msg.encode());
        }
        Ok(())
    }
}
