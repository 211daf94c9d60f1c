//! The loop shared by the server and the client: moves datagrams between a UDP socket and the
//! sans-IO [`Endpoint`], and messages between the endpoint and the [`Link`]s. No protocol
//! logic lives here.

use crate::conn::reliable::PushError;
use crate::conn::{CloseCause, ConnStats, SendError, codes};
use crate::drops::DropCounters;
use crate::endpoint::{Endpoint, EndpointEvent};
use crate::handshake::HandshakeError;
use crate::link::{CloseReason, DriverSide, Link, LinkEvent, Outgoing, TransportKind, link_pair};
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest the loop blocks in `recv_from` (bounds the delay of messages the edge queues).
const POLL_INTERVAL: Duration = Duration::from_millis(1);
/// How often link stats and drop counters are published.
const STATS_INTERVAL: Duration = Duration::from_millis(100);
/// Receive buffer: larger than any datagram we accept so oversized ones are seen and counted.
const RECV_BUF: usize = 2048;
/// Most datagrams read before the loop turns to its other work.
const RECV_BATCH: usize = 256;

/// Where the loop hands new links and handshake failures.
pub(crate) trait LinkSink: Send {
    /// A peer's connection is up; returns false if nobody takes links any more.
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

/// The loop state.
pub(crate) struct Driver<S: LinkSink> {
    udp: UdpSocket,
    endpoint: Endpoint,
    links: HashMap<SocketAddr, DriverSide>,
    sink: S,
    shared: Arc<Shared>,
    /// Client role: the loop ends when its one link is gone.
    single: bool,
    started: bool,
    send_errors: u64,
    next_stats: Instant,
}

impl<S: LinkSink> Driver<S> {
    pub fn new(
        udp: UdpSocket,
        endpoint: Endpoint,
        sink: S,
        shared: Arc<Shared>,
        single: bool,
    ) -> std::io::Result<Self> {
        udp.set_read_timeout(Some(POLL_INTERVAL))?;
        Ok(Self {
            udp,
            endpoint,
            links: HashMap::new(),
            sink,
            shared,
            single,
            started: false,
            send_errors: 0,
            next_stats: Instant::now(),
        })
    }

    /// Run until stopped (or, for a client, until its link is closed).
    pub fn run(mut self) {
        let mut buf = vec![0u8; RECV_BUF];
        loop {
            if self.shared.stop.load(Ordering::Relaxed) {
                self.close_all(codes::SHUTDOWN);
                return;
            }
            self.receive(&mut buf);
            let now = Instant::now();
            self.pull_outgoing(now);
            if self.endpoint.poll_timeout().is_some_and(|t| t <= now) {
                self.endpoint.handle_timeout(now);
            }
            if !self.events() {
                self.transmit(now);
                return;
            }
            self.transmit(now);
            if now >= self.next_stats {
                self.publish_stats();
                self.next_stats = now + STATS_INTERVAL;
            }
            if self.single && self.started && self.links.is_empty() {
                return;
            }
        }
    }

    /// Read what the socket has (blocking up to the poll interval for the first datagram).
    fn receive(&mut self, buf: &mut [u8]) {
        for i in 0..RECV_BATCH {
            match self.udp.recv_from(buf) {
                Ok((n, from)) => {
                    let d = buf.get(..n).unwrap_or_default();
                    self.endpoint.handle_datagram(Instant::now(), from, d);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break;
                }
                // ICMP errors surface here on some platforms: nothing to do but go on.
                Err(_) => {}
            }
            if i == 0 {
                // Drain the rest without blocking.
                let _ = self.udp.set_nonblocking(true);
            }
        }
        let _ = self.udp.set_nonblocking(false);
    }

    /// Move what links want sent into the endpoint.
    fn pull_outgoing(&mut self, now: Instant) {
        let mut closes = Vec::new();
        for (peer, side) in &mut self.links {
            loop {
                let r = match side.outgoing.try_recv() {
                    Ok(Outgoing::Reliable(bytes)) => {
                        self.endpoint.send_reliable(now, *peer, &bytes)
                    }
                    Ok(Outgoing::Datagram(bytes)) => {
                        self.endpoint.send_datagram(now, *peer, &bytes)
                    }
                    Ok(Outgoing::Close(code)) => {
                        closes.push((*peer, code));
                        break;
                    }
                    Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                    Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                        // The edge dropped its Link: close politely.
                        closes.push((*peer, codes::NORMAL));
                        break;
                    }
                };
                match r {
                    Ok(()) | Err(SendError::DatagramTooLarge(_)) => {}
                    Err(SendError::Push(PushError::TooLarge(len))) => {
                        tracing::warn!(%peer, len, "reliable message over the limit dropped");
                    }
                    Err(SendError::Push(PushError::QueueFull)) => {
                        closes.push((*peer, codes::OVERLOADED));
                        break;
                    }
                    Err(e) => {
                        tracing::debug!(%peer, "send failed: {e}");
                        break;
                    }
                }
            }
        }
        for (peer, code) in closes {
            self.endpoint.close(now, peer, code);
        }
    }

    /// Route endpoint events to links; returns false if the loop should end.
    fn events(&mut self) -> bool {
        while let Some(ev) = self.endpoint.poll_event() {
            match ev {
                EndpointEvent::Connected { peer, rtt } => {
                    let (link, side) = link_pair(peer, TransportKind::Udp);
                    if let Some(rtt) = rtt {
                        side.stats.set_rtt(rtt, rtt / 2);
                    }
                    if !self.sink.link(link) {
                        self.endpoint.close(Instant::now(), peer, codes::NORMAL);
                        if self.single {
                            // The client's caller gave up waiting.
                            return false;
                        }
                        continue;
                    }
                    self.links.insert(peer, side);
                    self.started = true;
                }
                EndpointEvent::Message { peer, bytes } => {
                    self.deliver(peer, LinkEvent::Reliable(bytes))
                }
                EndpointEvent::Datagram { peer, bytes } => {
                    self.deliver(peer, LinkEvent::Datagram(bytes))
                }
                EndpointEvent::Closed { peer, cause } => {
                    let reason = match cause {
                        CloseCause::Local(code) => CloseReason::Local(code),
                        CloseCause::Peer(code) => CloseReason::Peer(code),
                        CloseCause::IdleTimeout => CloseReason::Timeout,
                    };
                    if let Some(side) = self.links.remove(&peer) {
                        let _ = side.events.send(LinkEvent::Closed(reason));
                    }
                }
                EndpointEvent::ConnectFailed(e) => {
                    self.sink.failed(e);
                    return !self.single;
                }
            }
        }
        true
    }

    fn deliver(&mut self, peer: SocketAddr, ev: LinkEvent) {
        if let Some(side) = self.links.get(&peer) {
            let _ = side.events.send(ev);
        }
    }

    fn transmit(&mut self, now: Instant) {
        while let Some((to, d)) = self.endpoint.poll_transmit(now) {
            if self.udp.send_to(&d, to).is_err() {
                self.send_errors += 1;
            }
        }
    }

    fn publish_stats(&mut self) {
        for (peer, side) in &self.links {
            if let Some(s) = self.endpoint.stats(*peer) {
                copy_stats(&s, side);
            }
        }
        if let Ok(mut d) = self.shared.drops.lock() {
            *d = self.endpoint.drops();
        }
    }

    fn close_all(&mut self, code: u8) {
        let now = Instant::now();
        let peers: Vec<SocketAddr> = self.links.keys().copied().collect();
        for peer in peers {
            self.endpoint.close(now, peer, code);
        }
        self.events();
        self.transmit(now);
    }
}

fn copy_stats(s: &ConnStats, side: &DriverSide) {
    let st = &side.stats;
    st.bytes_in.store(s.bytes_in, Ordering::Relaxed);
    st.bytes_out.store(s.bytes_out, Ordering::Relaxed);
    st.packets_in.store(s.packets_in, Ordering::Relaxed);
    st.packets_out.store(s.packets_out, Ordering::Relaxed);
    st.packets_lost.store(s.packets_lost, Ordering::Relaxed);
    if let Some(srtt) = s.srtt {
        st.set_rtt(srtt, s.rttvar);
    }
}
