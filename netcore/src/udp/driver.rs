//! The polling loop shared by the server and the client: laminar's `ConnectionManager` over a
//! [`CryptoSocket`], and the routing between laminar and [`Link`]s.

use super::acks::AckDebt;
use super::chunk::{self, Reassembler};
use super::socket::CryptoSocket;
use crate::endpoint::EndpointEvent;
use crate::handshake::HandshakeError;
use crate::link::{CloseReason, DriverSide, Link, LinkEvent, Outgoing, TransportKind, link_pair};
use crate::session::DropCounters;
use laminar::{ConnectionManager, DeliveryGuarantee, Packet, SocketEvent, VirtualConnection};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest laminar fragment. With laminar's headers (at most 20 bytes) and our 26 bytes of
/// session overhead a datagram stays under 1200 bytes.
pub const FRAGMENT_SIZE: u16 = 1100;
/// Largest reliable message a link carries over encrypted UDP (sent as chunks that laminar
/// never fragments, see `chunk.rs`); a larger one is not sent.
pub const MAX_MESSAGE: usize = FRAGMENT_SIZE as usize * 16;
/// How long the loop sleeps between polls.
const POLL_INTERVAL: Duration = Duration::from_millis(1);
/// How often endpoint timers (idle sessions, handshake resends) are checked.
const TIMER_INTERVAL: Duration = Duration::from_millis(20);

/// The laminar configuration used on both sides.
pub fn laminar_config(idle_timeout: Duration) -> laminar::Config {
    laminar::Config {
        idle_connection_timeout: idle_timeout,
        heartbeat_interval: Some(Duration::from_secs(1)),
        fragment_size: FRAGMENT_SIZE,
        max_packet_size: MAX_MESSAGE,
        receive_buffer_max_size: crate::packet::MAX_DATAGRAM,
        // Only authenticated peers reach laminar: the endpoint bounds their number.
        max_unestablished_connections: u16::MAX,
        ..laminar::Config::default()
    }
}

/// Where the loop hands new links and handshake failures.
pub(crate) trait LinkSink: Send {
    /// A peer's session is up; returns false if nobody takes links any more.
    fn link(&mut self, link: Link) -> bool;
    /// Client role: the handshake failed.
    fn failed(&mut self, error: HandshakeError);
}

/// Shared between the loop thread and its owner.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub stop: AtomicBool,
    pub drops: Mutex<DropCounters>,
}

/// One peer's link, the partial reliable message being joined from its chunks, and the
/// acknowledgements owed to it.
struct Peer {
    side: DriverSide,
    chunks: Reassembler,
    acks: AckDebt,
}

/// The loop state.
pub(crate) struct Driver<S: LinkSink> {
    manager: ConnectionManager<CryptoSocket, VirtualConnection>,
    links: HashMap<SocketAddr, Peer>,
    sink: S,
    shared: Arc<Shared>,
    /// Client role: the loop ends when its one link is gone.
    single: bool,
    started: bool,
}

impl<S: LinkSink> Driver<S> {
    pub fn new(
        socket: CryptoSocket,
        idle_timeout: Duration,
        sink: S,
        shared: Arc<Shared>,
        single: bool,
    ) -> Self {
        let manager = ConnectionManager::new(socket, laminar_config(idle_timeout));
        Self {
            manager,
            links: HashMap::new(),
            sink,
            shared,
            single,
            started: false,
        }
    }

    /// Run until stopped (or, for a client, until its link is closed).
    pub fn run(mut self) {
        let mut next_timer = Instant::now();
        loop {
            if self.shared.stop.load(Ordering::Relaxed) {
                self.close_all(0);
                return;
            }
            let now = Instant::now();
            if now >= next_timer {
                self.manager.socket_mut().handle_timeout(now);
                next_timer = now + TIMER_INTERVAL;
                if let Ok(mut d) = self.shared.drops.lock() {
                    *d = self.manager.socket().drops();
                }
            }
            let closes = self.pull_outgoing();
            self.manager.manual_poll(now);
            for (peer, code) in closes {
                self.manager.socket_mut().close(peer, code);
                self.finish(peer, CloseReason::Local(code));
            }
            let mut ended = Vec::new();
            if !self.endpoint_events(&mut ended) {
                return;
            }
            // Deliver what laminar received in this poll before any close read in the same
            // poll, so a message sent just before a disconnect is not lost behind it.
            self.laminar_events();
            self.pay_ack_debts(now);
            for (peer, reason) in ended {
                self.finish(peer, reason);
            }
            if self.single && self.started && self.links.is_empty() {
                return;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Move what links want sent into laminar; returns the links to close after this poll.
    fn pull_outgoing(&mut self) -> Vec<(SocketAddr, u8)> {
        let mut closes = Vec::new();
        let sender = self.manager.event_sender().clone();
        for (peer, Peer { side, acks, .. }) in &mut self.links {
            loop {
                match side.outgoing.try_recv() {
                    Ok(Outgoing::Reliable(bytes)) => {
                        if bytes.len() > MAX_MESSAGE {
                            // The peer would refuse it and close: drop it here instead.
                            tracing::warn!(%peer, len = bytes.len(), "reliable message over MAX_MESSAGE dropped");
                            continue;
                        }
                        side.stats.record_out(bytes.len());
                        acks.on_sent();
                        for part in chunk::split(&bytes) {
                            let _ = sender.send(Packet::reliable_ordered(*peer, part, None));
                        }
                    }
                    Ok(Outgoing::Datagram(bytes)) => {
                        // Laminar cannot fragment unreliable packets: drop what does not fit.
                        if bytes.len() > FRAGMENT_SIZE as usize {
                            continue;
                        }
                        side.stats.record_out(bytes.len());
                        let _ = sender.send(Packet::unreliable_sequenced(*peer, bytes, None));
                    }
                    Ok(Outgoing::Close(code)) => {
                        closes.push((*peer, code));
                        break;
                    }
                    Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                    Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                        // The edge dropped its Link: close politely.
                        closes.push((*peer, 0));
                        break;
                    }
                }
            }
        }
        closes
    }

    /// Handle session-level events, collecting the links that ended into `ended` (closed by
    /// the caller once this poll's packets are delivered); returns false if the loop should end.
    fn endpoint_events(&mut self, ended: &mut Vec<(SocketAddr, CloseReason)>) -> bool {
        while let Some(ev) = self.manager.socket_mut().poll_event() {
            match ev {
                EndpointEvent::Connected { peer, rtt } => {
                    let (link, side) = link_pair(peer, TransportKind::Udp);
                    if let Some(rtt) = rtt {
                        side.stats
                            .rtt_us
                            .store(rtt.as_micros() as u64, Ordering::Relaxed);
                    }
                    if !self.sink.link(link) {
                        self.manager.socket_mut().close(peer, 0);
                        if self.single {
                            // The client's caller gave up waiting.
                            return false;
                        }
                        continue;
                    }
                    // An empty reliable message makes both laminar connections established
                    // (so heartbeats flow); receivers swallow it.
                    let _ = self.manager.event_sender().send(control_packet(peer));
                    self.links.insert(
                        peer,
                        Peer {
                            side,
                            chunks: Reassembler::default(),
                            acks: AckDebt::default(),
                        },
                    );
                    self.started = true;
                }
                EndpointEvent::Disconnected { peer, code } => {
                    ended.push((peer, CloseReason::Peer(code)))
                }
                EndpointEvent::TimedOut { peer } => ended.push((peer, CloseReason::Timeout)),
                EndpointEvent::ConnectFailed(e) => {
                    self.sink.failed(e);
                    return !self.single;
                }
            }
        }
        true
    }

    fn laminar_events(&mut self) {
        while let Ok(ev) = self.manager.event_receiver().try_recv() {
            match ev {
                SocketEvent::Packet(p) => self.deliver(p),
                SocketEvent::Timeout(peer) | SocketEvent::Disconnect(peer) => {
                    if self.manager.socket_mut().remove(peer) || self.links.contains_key(&peer) {
                        self.finish(peer, CloseReason::Timeout);
                    }
                }
                SocketEvent::Connect(_) => {}
            }
        }
    }

    fn deliver(&mut self, p: Packet) {
        let peer = p.addr();
        let Some(Peer { side, chunks, acks }) = self.links.get_mut(&peer) else {
            return;
        };
        let control = matches!(
            p.order_guarantee(),
            laminar::OrderingGuarantee::Ordered(Some(CONTROL_STREAM))
        );
        if control {
            return;
        }
        if p.delivery_guarantee() == DeliveryGuarantee::Reliable {
            acks.on_received(Instant::now());
        }
        side.stats.record_in(p.payload().len());
        let ev = match p.delivery_guarantee() {
            DeliveryGuarantee::Unreliable => LinkEvent::Datagram(p.payload().to_vec()),
            DeliveryGuarantee::Reliable => match chunks.push(p.payload()) {
                Ok(Some(msg)) => LinkEvent::Reliable(msg),
                Ok(None) => return,
                Err(e) => {
                    // An authenticated peer that breaks the chunk framing is misbehaving.
                    tracing::debug!(%peer, "closing: {e}");
                    self.manager.socket_mut().close(peer, 0);
                    self.finish(peer, CloseReason::Transport(e.reason().to_string()));
                    return;
                }
            },
        };
        let _ = side.events.send(ev);
    }

    /// Send a control packet to every peer whose acknowledgements are due (see `acks.rs`).
    fn pay_ack_debts(&mut self, now: Instant) {
        let sender = self.manager.event_sender().clone();
        for (peer, Peer { acks, .. }) in &mut self.links {
            if acks.is_due(now) {
                acks.on_sent();
                let _ = sender.send(control_packet(*peer));
            }
        }
    }

    /// Tell the link it is closed and forget it.
    fn finish(&mut self, peer: SocketAddr, reason: CloseReason) {
        if let Some(Peer { side, .. }) = self.links.remove(&peer) {
            let _ = side.events.send(LinkEvent::Closed(reason));
        }
    }

    fn close_all(&mut self, code: u8) {
        let peers: Vec<SocketAddr> = self.links.keys().copied().collect();
        for peer in peers {
            self.manager.socket_mut().close(peer, code);
            self.finish(peer, CloseReason::Local(code));
        }
    }
}

/// Laminar stream of the driver's own one-byte packets: the hello each side sends when a
/// session starts (so laminar's connection is established and heartbeats flow) and the
/// acknowledgement carriers. Receivers swallow them.
const CONTROL_STREAM: u8 = 254;

fn control_packet(peer: SocketAddr) -> Packet {
    Packet::reliable_ordered(peer, vec![0], Some(CONTROL_STREAM))
}
