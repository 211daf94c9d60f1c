//! One client session over encrypted UDP or WebTransport: hello, welcome, map, delta packets
//! (applied to the world and acknowledged, SPEC.md §16), commands, pings.

use crate::assembler::{Assembled, UpdateAssembler};
use crate::delta::DeltaStats;
use crate::http::ConnectInfo;
use crate::world::{Applied, WorldView};
use starlane_netcore::transport::{CloseReason, Link, LinkEvent};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::CombatReport;
use starlane_protocol::economy::JobEvent;
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{
    Command, CommandError, EmpireId, EntityId, Hex, MoveReason, NEUTRAL_EMPIRE, NoticeKind,
    PROTOCOL_VERSION, RejectReason, Update,
};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};
use thiserror::Error;

/// How long to wait for the edge's welcome.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(10);

/// Most link events handled in one batch before the batch's `Ack` is sent. An `Ack` reports
/// the newest packet and the 32 before it, so a batch must stay well below 33 packets.
const MAX_BATCH: usize = 16;

/// Errors opening a session.
#[derive(Debug, Error)]
pub enum ClientError {
    #[error("could not connect to the edge: {0}")]
    Connect(String),
    #[error("the edge refused the session: {0:?}")]
    Rejected(RejectReason),
    #[error("the link closed before the welcome: {0:?}")]
    Closed(CloseReason),
    #[error("no welcome within {0:?}")]
    Timeout(Duration),
    #[error("the edge sent an undecodable message: {0}")]
    Decode(String),
}

/// The edge closes a refused session with the reject reason as its close code, so the reason
/// is known even if the reject message itself was lost.
fn closed_before_welcome(reason: CloseReason) -> ClientError {
    match reason {
        CloseReason::Peer(code) => match RejectReason::from_u8(code) {
            Some(r) => ClientError::Rejected(r),
            None => ClientError::Closed(CloseReason::Peer(code)),
        },
        other => ClientError::Closed(other),
    }
}

/// Something that happened in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// An update was applied to [`Client::world`].
    Updated(Applied),
    /// The answer to a command.
    CommandResult {
        seq: u32,
        result: Result<(), CommandError>,
    },
    /// A pong: the measured round-trip time.
    Rtt(Duration),
    /// A notice for the player (operator broadcast, revocation, world restored).
    Notice { kind: NoticeKind, text: String },
    /// The empire's combat since its previous report (SPEC.md §18.2).
    Combat(CombatReport),
    /// A production job of one of the empire's buildings changed state (SPEC.md §19).
    Job(JobEvent),
    /// A vision grant to or from the empire began or ended (SPEC.md §20.3).
    Sharing(SharingEvent),
    /// The empire remembers or forgets an entity it no longer sees (SPEC.md §20.6).
    Memory(crate::assembler::Memory),
    /// The map or the recipe catalog arrived, already stored in `world.map` or
    /// `world.catalog`. Its own event so that a caller waiting on the world wakes up.
    Static(StaticKind),
    /// Chat or alliance news (SPEC.md §21), already applied to `world.social`.
    Social(starlane_protocol::social::SocialMsg),
    /// The session continues on another edge (after a `Move`, `reason` set, or after an
    /// unexpected close, `None`): same empire, unanswered commands sent again.
    Moved { reason: Option<MoveReason> },
    /// The session ended.
    Closed(String),
}

/// Which static description of the region a [`ClientEvent::Static`] brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticKind {
    Map,
    Catalog,
}

/// A connected, welcomed session.
#[derive(Debug)]
pub struct Client {
    pub(crate) link: Link,
    pub user_id: u64,
    pub empire: EmpireId,
    pub tick_rate_hz: u8,
    pub world: WorldView,
    next_seq: u32,
    next_nonce: u32,
    pings: HashMap<u32, Instant>,
    /// Latest round-trip time measured with pings.
    pub rtt: Option<Duration>,
    /// Messages received that did not decode.
    pub undecodable: u64,
    /// Updates kept for later analysis, when recording is on.
    recorded: Option<Vec<Update>>,
    /// Bytes of the `EntityPacket` datagrams received while recording (what the recorded
    /// updates cost on the wire, resends and duplicates included).
    recorded_wire_bytes: u64,
    /// Delta packets (SPEC.md §16) turned into updates.
    assembler: UpdateAssembler,
    /// Events produced by the current batch of link events, not yet returned.
    pending: VecDeque<ClientEvent>,
    /// Whether a packet arrived since the last `Ack` was sent.
    ack_due: bool,
    /// Datagram-only messages (`EntityPacket`) that arrived on the reliable stream and were
    /// ignored (SPEC.md §9 check 11).
    pub wrong_channel: u64,
    /// Drain and resume: the token, the latest ticket, unanswered commands, where to
    /// reconnect (`resume.rs`).
    pub(crate) resume: crate::resume::ResumeState,
}

impl Client {
    /// Connect to the edge over encrypted UDP, send the token and wait for the welcome.
    pub async fn connect(info: &ConnectInfo, token: &str) -> Result<Self, ClientError> {
        let link = starlane_netcore::udp::connect_with(
            info.udp_addr,
            info.udp_public_key,
            Duration::from_secs(5),
            crate::resume::LINK_IDLE_TIMEOUT,
        )
        .await
        .map_err(|e| ClientError::Connect(e.to_string()))?;
        let mut client = Self::connect_link(link, token).await?;
        client.resume.edge = Some(info.udp_addr.to_string());
        Ok(client)
    }

    /// Connect to the edge over WebTransport (`url` such as `https://127.0.0.1:4433/`),
    /// pinning the certificate whose SHA-256 is `cert_hash`, then send the token and wait
    /// for the welcome.
    pub async fn connect_webtransport(
        url: &str,
        cert_hash: [u8; 32],
        token: &str,
    ) -> Result<Self, ClientError> {
        let link = starlane_netcore::webtransport::connect_native(url, cert_hash)
            .await
            .map_err(|e| ClientError::Connect(e.to_string()))?;
        Self::connect_link(link, token).await
    }

    /// Run a session over an already connected link of any transport: send the hello with
    /// `token` and wait for the welcome.
    pub async fn connect_link(link: Link, token: &str) -> Result<Self, ClientError> {
        let hello = ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: token.to_string(),
        };
        link.sender.send_reliable(hello.encode());
        let mut client = Self {
            link,
            user_id: 0,
            // Nobody's empire until the welcome names ours.
            empire: NEUTRAL_EMPIRE,
            tick_rate_hz: 0,
            world: WorldView::default(),
            next_seq: 1,
            next_nonce: 1,
            pings: HashMap::new(),
            rtt: None,
            undecodable: 0,
            recorded: None,
            recorded_wire_bytes: 0,
            assembler: UpdateAssembler::new(),
            pending: VecDeque::new(),
            ack_due: false,
            wrong_channel: 0,
            resume: crate::resume::ResumeState::new(token),
        };
        tokio::time::timeout(WELCOME_TIMEOUT, client.await_welcome())
            .await
            .map_err(|_| ClientError::Timeout(WELCOME_TIMEOUT))??;
        Ok(client)
    }

    /// Keep a copy of every update received from now on (see [`Client::take_recorded`]).
    pub fn record_updates(&mut self) {
        self.recorded.get_or_insert_with(Vec::new);
    }

    /// Bytes of the `EntityPacket` datagrams received since [`Client::record_updates`]: the
    /// platform's wire cost of the recorded updates (resends and duplicates included).
    pub fn recorded_wire_bytes(&self) -> u64 {
        self.recorded_wire_bytes
    }

    /// The updates recorded since [`Client::record_updates`] (recording goes on).
    pub fn take_recorded(&mut self) -> Vec<Update> {
        self.recorded
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    async fn await_welcome(&mut self) -> Result<(), ClientError> {
        let welcome = await_welcome_on(&mut self.link).await?;
        self.welcomed(welcome);
        Ok(())
    }

    /// A new edge will send the whole view again: forget the old edge's packets and what
    /// was in view (the map stays).
    pub(crate) fn restart_view(&mut self) {
        self.assembler = UpdateAssembler::new();
        self.world.entities.clear();
        self.world.vision.clear();
        self.ack_due = false;
    }

    /// Take the welcome's identity, and the datagrams that overtook it.
    pub(crate) fn welcomed(&mut self, w: Welcomed) {
        self.user_id = w.user_id;
        self.empire = w.empire;
        self.tick_rate_hz = w.tick_rate_hz;
        // Keep what datagrams that overtook the welcome already built.
        self.world.empire = w.empire;
        for msg in w.early {
            self.handle(msg, true);
        }
        self.flush_ack();
    }

    /// Order `unit` to move to `to`. Returns the command's sequence number.
    pub fn send_move(&mut self, unit: EntityId, to: Hex) -> u32 {
        self.send_command(Command::Move { unit, to })
    }

    /// Send any command (reliable); returns its sequence number. Its answer arrives as a
    /// [`ClientEvent::CommandResult`].
    pub fn send_command(&mut self, command: Command) -> u32 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.resume.sent(seq, command.clone());
        let msg = ClientMsg::Command { seq, command };
        self.link.sender.send_reliable(msg.encode());
        seq
    }

    /// Send a ping datagram; the pong yields [`ClientEvent::Rtt`].
    pub fn ping(&mut self) {
        let nonce = self.next_nonce;
        self.next_nonce = self.next_nonce.wrapping_add(1);
        self.pings.insert(nonce, Instant::now());
        if self.pings.len() > 64 {
            // Lost pings would otherwise accumulate forever.
            let oldest = self.pings.iter().min_by_key(|(_, t)| **t).map(|(n, _)| *n);
            if let Some(n) = oldest {
                self.pings.remove(&n);
            }
        }
        self.link
            .sender
            .send_datagram(ClientMsg::Ping { nonce }.encode());
    }

    /// Close the session.
    pub fn close(&self) {
        self.link.sender.close(0);
    }

    /// Link counters (bytes and packets each way).
    pub fn stats(&self) -> &starlane_netcore::transport::LinkStats {
        &self.link.stats
    }

    /// Totals of the delta packets received (duplicates, missing baselines, ...).
    pub fn delta_stats(&self) -> DeltaStats {
        self.assembler.stats()
    }

    /// Wait for the next event; `None` once the session has ended and been reported.
    ///
    /// Cancel-safe (usable in `tokio::select!`): the only await is the link's receive, and
    /// everything after it completes synchronously.
    ///
    /// Acknowledgements are batched per receive: after one link event arrives, the ones
    /// already queued behind it (up to [`MAX_BATCH`]) are handled too, then one `Ack`
    /// covering every packet of the batch is sent before any event is returned. A burst of
    /// packets thus costs one `Ack`, a lone packet is acknowledged at once, and an `Ack` is
    /// never held back waiting for the caller to poll again (which would age the edge's
    /// baselines and make it fall back to full records).
    pub async fn next_event(&mut self) -> Option<ClientEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.resume.reconnect_due() {
                let event = self.reconnect().await;
                self.pending.push_back(event);
                continue;
            }
            let first = self.link.events.recv().await?;
            self.handle_link_event(first);
            for _ in 1..MAX_BATCH {
                match self.link.events.try_recv() {
                    Ok(event) => self.handle_link_event(event),
                    Err(_) => break,
                }
            }
            self.flush_ack();
        }
    }

    /// Send the `Ack` for the packets received since the last one, if any.
    fn flush_ack(&mut self) {
        if !std::mem::take(&mut self.ack_due) {
            return;
        }
        if let Some(ack) = self.assembler.ack() {
            self.link.sender.send_datagram(ack.encode());
        }
    }

    fn handle_link_event(&mut self, event: LinkEvent) {
        let (bytes, datagram) = match event {
            LinkEvent::Reliable(b) => (b, false),
            LinkEvent::Datagram(b) => (b, true),
            LinkEvent::Closed(r) => {
                let unexpected = !matches!(r, CloseReason::Local(_));
                if !self.resume.on_close(unexpected) {
                    self.pending
                        .push_back(ClientEvent::Closed(format!("{r:?}")));
                }
                return;
            }
            // A client's transport bounds no first message: this cannot come.
            LinkEvent::FirstMessageTooLarge(_) => return,
        };
        match ServerMsg::decode(&bytes) {
            Ok(msg) => {
                if datagram && self.recorded.is_some() && matches!(msg, ServerMsg::EntityPacket(_))
                {
                    self.recorded_wire_bytes += bytes.len() as u64;
                }
                self.handle(msg, datagram)
            }
            Err(_) => self.undecodable += 1,
        }
    }

    fn handle(&mut self, msg: ServerMsg, datagram: bool) {
        let event = match msg {
            ServerMsg::Map(map) => {
                self.world.map = Some(map);
                Some(ClientEvent::Static(StaticKind::Map))
            }
            ServerMsg::Catalog(catalog) => {
                self.world.catalog = Some(catalog);
                Some(ClientEvent::Static(StaticKind::Catalog))
            }
            ServerMsg::Social(msg) => {
                self.world.social.apply(&msg);
                Some(ClientEvent::Social(msg))
            }
            ServerMsg::EntityPacket(p) if datagram => {
                if let Some(a) = self.assembler.handle_packet(&p) {
                    self.ack_due = true;
                    self.apply_assembled(a);
                }
                None
            }
            ServerMsg::EntityPacket(_) => {
                self.wrong_channel += 1;
                None
            }
            // The edge no longer sends these three (it uses EntityPacket); still handled.
            ServerMsg::Update(u) => Some(ClientEvent::Updated(self.apply_update(u))),
            ServerMsg::CommandAck { seq } => {
                self.resume
                    .answered(seq)
                    .then_some(ClientEvent::CommandResult {
                        seq,
                        result: Ok(()),
                    })
            }
            ServerMsg::CommandRejected { seq, error } => {
                self.resume
                    .answered(seq)
                    .then_some(ClientEvent::CommandResult {
                        seq,
                        result: Err(error),
                    })
            }
            ServerMsg::Pong { nonce } => self.pings.remove(&nonce).map(|sent| {
                let rtt = sent.elapsed();
                self.rtt = Some(rtt);
                ClientEvent::Rtt(rtt)
            }),
            ServerMsg::Reject { reason } => (!self.resume.on_reject(reason))
                .then(|| ClientEvent::Closed(format!("rejected: {reason:?}"))),
            ServerMsg::Welcome { .. } => None,
            ServerMsg::Notice { kind, text } => Some(ClientEvent::Notice { kind, text }),
            ServerMsg::ResumeTicket { ticket } => {
                self.resume.ticket = Some(ticket);
                None
            }
            ServerMsg::Move {
                reason,
                connect_url,
                ticket,
            } => {
                self.resume.on_move(reason, connect_url, ticket);
                None
            }
        };
        self.pending.extend(event);
    }

    /// Apply a packet's update to the world (one [`ClientEvent::Updated`] per applied packet,
    /// then one [`ClientEvent::CommandResult`] per command answer).
    fn apply_assembled(&mut self, a: Assembled) {
        let empty = a.update_is_empty();
        let applied = self.world.apply(&a.update);
        // An empty update (e.g. a packet with only command answers) carries no world
        // information, so it is not recorded.
        if !empty && let Some(rec) = self.recorded.as_mut() {
            rec.push(a.update);
        }
        self.pending.push_back(ClientEvent::Updated(applied));
        for c in a.commands {
            if self.resume.answered(c.seq) {
                self.pending.push_back(ClientEvent::CommandResult {
                    seq: c.seq,
                    result: c.result,
                });
            }
        }
        self.pending
            .extend(a.combat.into_iter().map(ClientEvent::Combat));
        for job in &a.jobs {
            self.world.apply_job(job);
        }
        self.pending
            .extend(a.jobs.into_iter().map(ClientEvent::Job));
        for grant in &a.sharing {
            self.world.apply_sharing(grant);
        }
        self.pending
            .extend(a.sharing.into_iter().map(ClientEvent::Sharing));
        for m in &a.memory {
            self.world.apply_memory(m);
        }
        self.pending
            .extend(a.memory.into_iter().map(ClientEvent::Memory));
    }

    /// Apply a (legacy) full update and record it.
    fn apply_update(&mut self, u: Update) -> Applied {
        let applied = self.world.apply(&u);
        if let Some(rec) = self.recorded.as_mut() {
            rec.push(u);
        }
        applied
    }
}

/// What a welcome said, with the datagrams that overtook it.
#[derive(Debug)]
pub(crate) struct Welcomed {
    pub user_id: u64,
    pub empire: EmpireId,
    pub tick_rate_hz: u8,
    pub early: Vec<ServerMsg>,
}

/// Wait on `link` for the edge's welcome (a `Reject` or a close is the error).
pub(crate) async fn await_welcome_on(link: &mut Link) -> Result<Welcomed, ClientError> {
    let mut early = Vec::new();
    loop {
        let (bytes, datagram) = match link.events.recv().await {
            Some(LinkEvent::Reliable(b)) => (b, false),
            Some(LinkEvent::Datagram(b)) => (b, true),
            Some(LinkEvent::Closed(r)) => return Err(closed_before_welcome(r)),
            // A client's transport bounds no first message: this cannot come.
            Some(LinkEvent::FirstMessageTooLarge(_)) => continue,
            None => return Err(ClientError::Closed(CloseReason::Transport("gone".into()))),
        };
        match ServerMsg::decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))? {
            ServerMsg::Welcome {
                user_id,
                empire,
                tick_rate_hz,
            } => {
                return Ok(Welcomed {
                    user_id,
                    empire,
                    tick_rate_hz,
                    early,
                });
            }
            ServerMsg::Reject { reason } => return Err(ClientError::Rejected(reason)),
            // A datagram can overtake the welcome on the reliable stream: keep it.
            msg @ ServerMsg::EntityPacket(_) if datagram && early.len() < 64 => early.push(msg),
            _ => {} // nothing else can precede the welcome; ignore it
        }
    }
}
