//! One established encrypted-UDP connection, sans-IO.
//!
//! Layers, outside in: the AEAD [`Session`] (counters, replay window); the data body
//! ([`body`]): one channel byte, then either one application datagram, delivered only if its
//! packet counter is newer than the last datagram's, or a list of frames ([`frame`]): reliable
//! chunks with selective ACKs and timer-driven resends ([`reliable`]), and PING/PONG
//! keepalives that measure the RTT ([`rtt`](crate::proto::rtt)) and report packet loss. `netcore/README.md`
//! explains why this replaced laminar's packet layer and reliable channel.

pub mod body;
pub mod frame;
pub mod reliable;

mod stats;

mod types;

pub use stats::ConnStats;
pub use types::{
    CloseCause, ConnConfig, ConnEvent, ConnState, MAX_DATA_COUNTER_LIMIT, SendError, codes,
};

use crate::proto::drops::DropReason;
use crate::proto::packet::{MAX_SESSION_BODY, PacketType};
use crate::proto::rtt::RttEstimator;
use crate::proto::session::{SealError, Session};
use body::{Body, CHANNEL_FRAMES, CHANNEL_LEN, DatagramSequencer};
use frame::{ACK_LEN, Frame, PATH_LEN, PING_LEN, PONG_LEN};
use reliable::{ReceiveError, ReliableReceiver, ReliableSender};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Room for frames in one packet (the body minus its channel byte).
pub const MAX_FRAMES: usize = MAX_SESSION_BODY - CHANNEL_LEN;
/// Largest unreliable datagram a connection sends.
pub const MAX_DATAGRAM_PAYLOAD: usize = 1100;
/// PATH_RESPONSE tokens kept until the endpoint reads them.
const MAX_PATH_RESPONSES: usize = 4;
/// Longest a close waits for queued reliable messages to be acknowledged.
pub const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// One established connection.
pub struct Connection {
    peer: SocketAddr,
    config: ConnConfig,
    session: Session,
    datagrams: DatagramSequencer,
    sender: ReliableSender,
    receiver: ReliableReceiver,
    rtt: RttEstimator,
    last_heard: Instant,
    next_ping: Instant,
    ping_nonce: u32,
    ping_sent: Option<(u32, Instant)>,
    pong_owed: Option<u32>,
    /// A PATH_CHALLENGE's token to echo in the next packet.
    path_response_owed: Option<u64>,
    /// Tokens of PATH_RESPONSE frames received, for the endpoint to match (at most a few:
    /// a server has one challenge out at a time).
    path_responses: VecDeque<u64>,
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
        Self {
            peer,
            config,
            session,
            datagrams: DatagramSequencer::default(),
            sender: ReliableSender::new(config.max_message, config.max_queued_bytes),
            receiver: ReliableReceiver::new(config.max_message)
                .with_first_limit(config.max_first_message),
            rtt: RttEstimator::seeded(config.rtt, rtt_seed),
            last_heard: now,
            // The first ping goes out with the first packet: it measures the RTT at once.
            next_ping: now,
            ping_nonce: 0,
            ping_sent: None,
            pong_owed: None,
            path_response_owed: None,
            path_responses: VecDeque::new(),
            stats: ConnStats::default(),
            closing: None,
            closed: false,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The peer's address (where its packets go).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The peer moved to `peer` (a validated new path): send there from now on, and resend at
    /// once the reliable chunks in flight, which went to the old address and are likely lost.
    pub fn on_path_changed(&mut self, peer: SocketAddr) {
        self.peer = peer;
        self.sender.mark_all_lost();
    }

    /// A packet with only a PATH_CHALLENGE frame carrying `token`, sealed for sending to a
    /// new address of the peer (not queued: the endpoint sends it there). `None` once closed
    /// or out of counters.
    pub fn seal_path_challenge(&mut self, token: u64) -> Option<Vec<u8>> {
        if self.closed || self.counters_exhausted() {
            return None;
        }
        let mut body = Vec::with_capacity(CHANNEL_LEN + PATH_LEN);
        body.push(CHANNEL_FRAMES);
        Frame::PathChallenge { token }.encode(&mut body);
        let sealed = self.session.seal(PacketType::Data, &body).ok()?;
        self.stats.on_sent(sealed.len());
        Some(sealed)
    }

    /// The token of the next PATH_RESPONSE received (from the packet just handled).
    pub fn take_path_response(&mut self) -> Option<u64> {
        self.path_responses.pop_front()
    }

    /// The highest packet counter received from the peer plus one (0 before any): a packet
    /// that raised it was the newest the peer sent so far.
    pub fn received_top(&self) -> u64 {
        self.stats.received_counters().1
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
        s.reliable_queued = self.sender.queued_bytes() as u64;
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
        let result = match body::parse(&opened.body) {
            Ok(Body::Frames(frames)) => self.on_frames(now, frames),
            Ok(Body::Datagram(_)) if !self.datagrams.admit(opened.counter) => {
                Err(DropReason::StaleDatagram)
            }
            Ok(Body::Datagram(_)) => {
                let mut payload = opened.body;
                payload.drain(..CHANNEL_LEN);
                self.events.push_back(ConnEvent::Datagram(payload));
                Ok(())
            }
            Err(_) => Err(DropReason::Malformed),
        };
        if result == Err(DropReason::Malformed) {
            self.close_now(codes::PROTOCOL_VIOLATION);
            return result;
        }
        self.check_closing(now);
        result
    }

    /// Handle the frames of one packet; an error means they break the protocol.
    fn on_frames(&mut self, now: Instant, frames: &[u8]) -> Result<(), DropReason> {
        for f in frame::frames(frames) {
            match f.map_err(|_| DropReason::Malformed)? {
                Frame::Ack { next, sack } => self.sender.on_ack(now, next, sack, &mut self.rtt),
                Frame::Reliable { seq, last, data } => {
                    match self.receiver.on_chunk(seq, last, data) {
                        Ok(()) => {}
                        Err(ReceiveError::FirstTooLarge(len)) => {
                            self.events.push_back(ConnEvent::FirstMessageTooLarge(len))
                        }
                        Err(ReceiveError::TooLarge) => return Err(DropReason::Malformed),
                    }
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
                Frame::PathChallenge { token } => self.path_response_owed = Some(token),
                Frame::PathResponse { token } => {
                    if self.path_responses.len() >= MAX_PATH_RESPONSES {
                        self.path_responses.pop_front();
                    }
                    self.path_responses.push_back(token);
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

    /// Encrypt and queue an unreliable datagram at once (`_now` is not needed: a datagram
    /// starts no timer).
    pub fn send_datagram(&mut self, _now: Instant, bytes: &[u8]) -> Result<(), SendError> {
        if self.closed || self.closing.is_some() {
            return Err(SendError::Closed);
        }
        if bytes.len() > MAX_DATAGRAM_PAYLOAD {
            return Err(SendError::DatagramTooLarge(bytes.len()));
        }
        self.seal_data(&body::datagram(bytes))
    }

    /// Seal a data body and queue it. Once the send counter reaches
    /// [`ConnConfig::data_counter_limit`] the connection closes with [`codes::EXHAUSTED`]
    /// instead, its disconnects taking the next two counters, so the peer learns why.
    /// Whether every packet counter this connection may use is spent (the configured limit,
    /// at most [`MAX_DATA_COUNTER_LIMIT`]).
    fn counters_exhausted(&self) -> bool {
        let limit = self.config.data_counter_limit.min(MAX_DATA_COUNTER_LIMIT);
        self.session.sent() >= limit
    }

    fn seal_data(&mut self, body: &[u8]) -> Result<(), SendError> {
        if self.counters_exhausted() {
            self.close_now(codes::EXHAUSTED);
            return Err(SealError::Exhausted.into());
        }
        let sealed = match self.session.seal(PacketType::Data, body) {
            Ok(s) => s,
            Err(SealError::Exhausted) => {
                self.close_now(codes::EXHAUSTED);
                return Err(SealError::Exhausted.into());
            }
            Err(e) => return Err(e.into()),
        };
        self.stats.on_sent(sealed.len());
        self.transmits.push_back(sealed);
        Ok(())
    }

    /// Close with `code` once the reliable messages already queued are acknowledged (or
    /// [`CLOSE_LINGER`] has passed): then the disconnect is queued twice (to survive one loss)
    /// and the keys are wiped. Nothing new can be sent meanwhile. Closing again while closing
    /// changes nothing: the first code and deadline stand (an application that closes with a
    /// reason and then drops its link must not turn the reason into `NORMAL`).
    pub fn close(&mut self, now: Instant, code: u8) {
        if self.closed || self.closing.is_some() {
            return;
        }
        if !self.sender.is_idle() {
            self.closing = Some((code, now + CLOSE_LINGER));
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
            || self.path_response_owed.is_some()
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
        let body = self.build_frames(now);
        if body.len() > CHANNEL_LEN {
            // An error closed the connection (its disconnects are queued) or is a sealing
            // failure that leaves nothing to send now.
            let _ = self.seal_data(&body);
        }
        self.transmits.pop_front()
    }

    /// A frames body: the channel byte and the frames due now.
    fn build_frames(&mut self, now: Instant) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHANNEL_LEN + MAX_FRAMES);
        out.push(CHANNEL_FRAMES);
        if let Some(ack) = self.receiver.take_ack() {
            ack.encode(&mut out);
        }
        if let Some(nonce) = self.pong_owed.take() {
            Frame::Pong { nonce }.encode(&mut out);
        }
        if let Some(token) = self.path_response_owed.take() {
            Frame::PathResponse { token }.encode(&mut out);
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
        debug_assert!(out.len() <= CHANNEL_LEN + ACK_LEN + PONG_LEN + PATH_LEN + PING_LEN);
        let space = MAX_FRAMES.saturating_sub(out.len() - CHANNEL_LEN);
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
