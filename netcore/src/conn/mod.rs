//! One established encrypted-UDP connection, sans-IO.
//!
//! Layers, outside in: the AEAD [`Session`] (counters, replay window); laminar's packet layer
//! (`laminar::VirtualConnection`, driven through its `Connection` trait with time passed in),
//! whose sequenced channel carries the application's unreliable datagrams and whose plain
//! unreliable channel carries netcore's frames; the frames ([`frame`]): reliable chunks with
//! selective ACKs and timer-driven resends ([`reliable`]), and PING/PONG keepalives that
//! measure the RTT ([`rtt`]) and report packet loss. `netcore/README.md` explains why
//! reliability lives here rather than in laminar's reliable channel.

pub mod frame;
pub mod reliable;
pub mod rtt;
mod stats;

pub use stats::ConnStats;

use crate::drops::DropReason;
use crate::packet::{MAX_SESSION_BODY, PacketType};
use crate::session::{SealError, Session};
use frame::{ACK_LEN, Frame, PING_LEN, PONG_LEN};
use laminar::{Connection as _, ConnectionMessenger, OrderingGuarantee, Packet, SocketEvent};
use reliable::{PushError, ReliableReceiver, ReliableSender};
use rtt::RttEstimator;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Close codes the transport itself uses (application codes stay below 240).
pub mod codes {
    /// Closed normally (also: the application dropped its link).
    pub const NORMAL: u8 = 0;
    /// The peer sent authenticated data that breaks the protocol.
    pub const PROTOCOL_VIOLATION: u8 = 250;
    /// The peer's reliable messages overflowed this side's queue.
    pub const OVERLOADED: u8 = 251;
    /// Packet counters or message sequence numbers ran out.
    pub const EXHAUSTED: u8 = 252;
    /// The server is shutting down.
    pub const SHUTDOWN: u8 = 253;
}

/// Largest laminar header on our packets (standard header plus arranging header).
const LAMINAR_HEADER_MAX: usize = 16;
/// Room for frames in one packet.
pub const MAX_FRAMES: usize = MAX_SESSION_BODY - LAMINAR_HEADER_MAX;
/// Largest unreliable datagram a connection sends.
pub const MAX_DATAGRAM_PAYLOAD: usize = 1100;
/// Longest a close waits for queued reliable messages to be acknowledged.
pub const CLOSE_LINGER: Duration = Duration::from_secs(2);
/// laminar stream of application datagrams.
const DATAGRAM_STREAM: u8 = 1;

/// Settings of a connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnConfig {
    /// Close after this long without an authenticated packet.
    pub idle_timeout: Duration,
    /// Send a PING after this long without one (keepalive, RTT, loss).
    pub keepalive_interval: Duration,
    /// Largest reliable message.
    pub max_message: usize,
    /// Most bytes of reliable messages queued or in flight.
    pub max_queued_bytes: usize,
}

impl Default for ConnConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(10),
            keepalive_interval: Duration::from_millis(500),
            max_message: 64 * 1024,
            max_queued_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Where a connection is (see `netcore/STATES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// Sending and receiving.
    Open,
    /// Closing: waiting for queued reliable messages to be acknowledged; no new sends.
    Closing,
    /// Ended; keys wiped.
    Closed,
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCause {
    /// This side closed it with a code.
    Local(u8),
    /// The peer sent an authenticated disconnect with a code.
    Peer(u8),
    /// Nothing authenticated arrived for the idle timeout.
    IdleTimeout,
}

/// Something the owner of a connection must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnEvent {
    /// A reliable message, exactly once and in order.
    Message(Vec<u8>),
    /// An unreliable datagram.
    Datagram(Vec<u8>),
    /// The connection ended; its keys are wiped and nothing more follows.
    Closed(CloseCause),
}

/// Error sending on a connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("the connection is closed")]
    Closed,
    #[error("datagram of {0} bytes exceeds the datagram limit")]
    DatagramTooLarge(usize),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// Collects what laminar hands out while one call runs.
struct Messenger {
    config: laminar::Config,
    packets: Vec<Vec<u8>>,
    events: Vec<SocketEvent>,
}

impl ConnectionMessenger<SocketEvent> for Messenger {
    fn config(&self) -> &laminar::Config {
        &self.config
    }
    fn send_event(&mut self, _address: &SocketAddr, event: SocketEvent) {
        self.events.push(event);
    }
    fn send_packet(&mut self, _address: &SocketAddr, payload: &[u8]) {
        self.packets.push(payload.to_vec());
    }
}

/// One established connection.
pub struct Connection {
    peer: SocketAddr,
    config: ConnConfig,
    session: Session,
    laminar: laminar::VirtualConnection,
    messenger: Messenger,
    sender: ReliableSender,
    receiver: ReliableReceiver,
    rtt: RttEstimator,
    last_heard: Instant,
    next_ping: Instant,
    ping_nonce: u32,
    ping_sent: Option<(u32, Instant)>,
    pong_owed: Option<u32>,
    stats: ConnStats,
    /// A close waiting for queued reliable messages to be acknowledged: code and deadline.
    closing: Option<(u8, Instant)>,
    closed: bool,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<ConnEvent>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("closed", &self.closed)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A connection over an established `session`; `rtt_seed` is the handshake's RTT if known.
    pub fn new(
        now: Instant,
        peer: SocketAddr,
        session: Session,
        config: ConnConfig,
        rtt_seed: Option<Duration>,
    ) -> Self {
        let lconfig = laminar::Config {
            heartbeat_interval: None,
            receive_buffer_max_size: crate::packet::MAX_DATAGRAM,
            ..laminar::Config::default()
        };
        Self {
            peer,
            config,
            session,
            laminar: laminar::VirtualConnection::new(peer, &lconfig, now),
            messenger: Messenger {
                config: lconfig,
                packets: Vec::new(),
                events: Vec::new(),
            },
            sender: ReliableSender::new(config.max_message, config.max_queued_bytes),
            receiver: ReliableReceiver::new(config.max_message),
            rtt: RttEstimator::new(rtt_seed),
            last_heard: now,
            // The first ping goes out with the first packet: it measures the RTT at once.
            next_ping: now,
            ping_nonce: 0,
            ping_sent: None,
            pong_owed: None,
            stats: ConnStats::default(),
            closing: None,
            closed: false,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The current state.
    pub fn state(&self) -> ConnState {
        if self.closed {
            ConnState::Closed
        } else if self.closing.is_some() {
            ConnState::Closing
        } else {
            ConnState::Open
        }
    }

    /// Whether the session keys are still held (false once closed: they are wiped).
    pub fn has_keys(&self) -> bool {
        self.session.is_open()
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Counters and the RTT estimate.
    pub fn stats(&self) -> ConnStats {
        let mut s = self.stats;
        s.srtt = self.rtt.srtt();
        s.rttvar = self.rtt.rttvar();
        s.resent = self.sender.resent();
        s
    }

    /// Handle one session datagram from the peer. An error means it was ignored.
    pub fn handle_packet(&mut self, now: Instant, datagram: &[u8]) -> Result<(), DropReason> {
        if self.closed {
            return Err(DropReason::UnknownPeer);
        }
        let opened = self.session.open(datagram).map_err(|e| e.reason())?;
        self.last_heard = now;
        self.stats.on_received(datagram.len(), opened.counter);
        if opened.kind == PacketType::Disconnect {
            let code = opened.body.first().copied().unwrap_or(codes::NORMAL);
            self.finish(CloseCause::Peer(code));
            return Ok(());
        }
        self.laminar
            .process_packet(&mut self.messenger, &opened.body, now);
        let events = std::mem::take(&mut self.messenger.events);
        for ev in events {
            if let SocketEvent::Packet(p) = ev
                && let Err(reason) = self.on_laminar_packet(now, &p)
            {
                self.close_now(codes::PROTOCOL_VIOLATION);
                return Err(reason);
            }
        }
        self.check_closing(now);
        Ok(())
    }

    fn on_laminar_packet(&mut self, now: Instant, p: &Packet) -> Result<(), DropReason> {
        if matches!(p.order_guarantee(), OrderingGuarantee::Sequenced(_)) {
            self.events
                .push_back(ConnEvent::Datagram(p.payload().to_vec()));
            return Ok(());
        }
        for f in frame::frames(p.payload()) {
            match f.map_err(|_| DropReason::Malformed)? {
                Frame::Ack { next, sack } => self.sender.on_ack(now, next, sack, &mut self.rtt),
                Frame::Reliable { seq, last, data } => {
                    self.receiver
                        .on_chunk(seq, last, data)
                        .map_err(|_| DropReason::Malformed)?;
                    while let Some(m) = self.receiver.poll_message() {
                        self.events.push_back(ConnEvent::Message(m));
                    }
                }
                Frame::Ping {
                    nonce,
                    rx_count,
                    rx_top,
                } => {
                    self.pong_owed = Some(nonce);
                    self.stats.on_peer_report(rx_count, rx_top);
                }
                Frame::Pong { nonce } => {
                    if let Some((n, sent)) = self.ping_sent
                        && n == nonce
                    {
                        self.rtt.on_sample(now.saturating_duration_since(sent));
                        self.ping_sent = None;
                    }
                }
            }
        }
        Ok(())
    }

    /// Queue a reliable message.
    pub fn send_reliable(&mut self, msg: &[u8]) -> Result<(), SendError> {
        if self.closed || self.closing.is_some() {
            return Err(SendError::Closed);
        }
        Ok(self.sender.push(msg)?)
    }

    /// Encrypt and queue an unreliable datagram at once.
    pub fn send_datagram(&mut self, now: Instant, bytes: &[u8]) -> Result<(), SendError> {
        if self.closed || self.closing.is_some() {
            return Err(SendError::Closed);
        }
        if bytes.len() > MAX_DATAGRAM_PAYLOAD {
            return Err(SendError::DatagramTooLarge(bytes.len()));
        }
        let p = Packet::unreliable_sequenced(self.peer, bytes.to_vec(), Some(DATAGRAM_STREAM));
        self.through_laminar(now, p)
    }

    fn through_laminar(&mut self, now: Instant, p: Packet) -> Result<(), SendError> {
        self.laminar.process_event(&mut self.messenger, p, now);
        self.messenger.events.clear();
        for body in std::mem::take(&mut self.messenger.packets) {
            let sealed = match self.session.seal(PacketType::Data, &body) {
                Ok(s) => s,
                Err(SealError::Exhausted) => {
                    self.close_now(codes::EXHAUSTED);
                    return Err(SealError::Exhausted.into());
                }
                Err(e) => return Err(e.into()),
            };
            self.stats.on_sent(sealed.len());
            self.transmits.push_back(sealed);
        }
        Ok(())
    }

    /// Close with `code` once the reliable messages already queued are acknowledged (or
    /// [`CLOSE_LINGER`] has passed): then the disconnect is queued twice (to survive one loss)
    /// and the keys are wiped. Nothing new can be sent meanwhile.
    pub fn close(&mut self, now: Instant, code: u8) {
        if self.closed {
            return;
        }
        if !self.sender.is_idle() {
            let deadline = self.closing.map_or(now + CLOSE_LINGER, |(_, d)| d);
            self.closing = Some((code, deadline));
            return;
        }
        self.close_now(code);
    }

    /// Close at once with `code`, discarding what is queued.
    pub fn close_now(&mut self, code: u8) {
        if self.closed {
            return;
        }
        for _ in 0..2 {
            if let Ok(d) = self.session.seal(PacketType::Disconnect, &[code]) {
                self.stats.on_sent(d.len());
                self.transmits.push_back(d);
            }
        }
        self.finish(CloseCause::Local(code));
    }

    fn finish(&mut self, cause: CloseCause) {
        self.closed = true;
        self.session.wipe();
        self.events.push_back(ConnEvent::Closed(cause));
    }

    /// Advance timers: the idle timeout. Resends and pings are produced by
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn handle_timeout(&mut self, now: Instant) {
        if !self.closed
            && now.saturating_duration_since(self.last_heard) >= self.config.idle_timeout
        {
            self.finish(CloseCause::IdleTimeout);
        }
        self.check_closing(now);
    }

    /// Finish a pending close once everything is acknowledged or its deadline passed.
    fn check_closing(&mut self, now: Instant) {
        if let Some((code, deadline)) = self.closing
            && (self.sender.is_idle() || now >= deadline)
        {
            self.closing = None;
            self.close_now(code);
        }
    }

    /// Whether frames are due now (ACK, PONG, PING, resends or new chunks).
    fn frames_due(&self, now: Instant) -> bool {
        self.receiver.ack_owed()
            || self.pong_owed.is_some()
            || now >= self.next_ping
            || self.sender.has_lost()
            || self.sender.can_send_new()
            || self
                .sender
                .poll_timeout(&self.rtt)
                .is_some_and(|t| now >= t)
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        if let Some(t) = self.transmits.pop_front() {
            return Some(t);
        }
        if self.closed || !self.frames_due(now) {
            return None;
        }
        let payload = self.build_frames(now);
        if !payload.is_empty() {
            let _ = self.through_laminar(now, Packet::unreliable(self.peer, payload));
        }
        self.transmits.pop_front()
    }

    fn build_frames(&mut self, now: Instant) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_FRAMES);
        if let Some(ack) = self.receiver.take_ack() {
            ack.encode(&mut out);
        }
        if let Some(nonce) = self.pong_owed.take() {
            Frame::Pong { nonce }.encode(&mut out);
        }
        if now >= self.next_ping {
            self.ping_nonce = self.ping_nonce.wrapping_add(1);
            let (rx_count, rx_top) = self.stats.received_counters();
            Frame::Ping {
                nonce: self.ping_nonce,
                rx_count,
                rx_top,
            }
            .encode(&mut out);
            self.ping_sent = Some((self.ping_nonce, now));
            self.next_ping = now + self.config.keepalive_interval;
        }
        debug_assert!(out.len() <= ACK_LEN + PONG_LEN + PING_LEN);
        let space = MAX_FRAMES.saturating_sub(out.len());
        self.sender.write_frames(now, &self.rtt, space, &mut out);
        out
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ConnEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) or
    /// [`poll_transmit`](Self::poll_transmit) should next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let idle = self.last_heard + self.config.idle_timeout;
        let resend = self.sender.poll_timeout(&self.rtt);
        let closing = self.closing.map(|(_, d)| d);
        [Some(idle), resend, closing, Some(self.next_ping)]
            .into_iter()
            .flatten()
            .min()
    }
}
