//! The encrypted UDP server: a dedicated thread runs the loop.

use super::driver::{Driver, LinkSink, Shared};
use crate::proto::drops::DropCounters;
use crate::proto::endpoint::{Endpoint, EndpointConfig, PathCounters};
use crate::proto::handshake::HandshakeError;
use crate::transport::{Handover, Link, QueueLimits, hand_over};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::mpsc;

/// Settings of a [`UdpServer`].
#[derive(Debug, Clone)]
pub struct UdpServerConfig {
    /// Address to bind; `[::]:port` binds dual-stack (IPv4 clients arrive as mapped addresses).
    pub bind: SocketAddr,
    /// The server's static X25519 private key (clients pin the public half).
    pub static_private_key: [u8; 32],
    /// Close a link after this long without hearing from the peer.
    pub idle_timeout: Duration,
    /// Bounds of the accept queue, of each link's queues and of the loop's queue.
    pub queues: QueueLimits,
    /// Largest first reliable message a client may send (the edge's hello limit): a longer
    /// one is refused once more bytes of it than this have arrived, with
    /// [`LinkEvent::FirstMessageTooLarge`](crate::transport::LinkEvent::FirstMessageTooLarge).
    /// `None`: only the connection's message limit applies.
    pub first_message_limit: Option<usize>,
}

struct ServerSink {
    tx: mpsc::Sender<Link>,
}

impl LinkSink for ServerSink {
    fn link(&mut self, link: Link) -> Handover {
        hand_over(&self.tx, link)
    }
    fn failed(&mut self, _error: HandshakeError) {}
}

/// A running encrypted UDP server. Dropping it stops the loop.
#[derive(Debug)]
pub struct UdpServer {
    local_addr: SocketAddr,
    public_key: [u8; 32],
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl UdpServer {
    /// Bind and start the loop thread. New clients arrive on the returned receiver.
    pub fn bind(cfg: UdpServerConfig) -> std::io::Result<(UdpServer, mpsc::Receiver<Link>)> {
        let udp = UdpSocket::bind(cfg.bind)?;
        let local_addr = udp.local_addr()?;
        let mut endpoint_cfg = EndpointConfig::default();
        endpoint_cfg.conn.idle_timeout = cfg.idle_timeout;
        endpoint_cfg.conn.max_first_message = cfg.first_message_limit;
        let endpoint = Endpoint::server(cfg.static_private_key, endpoint_cfg);
        let public_key = endpoint.public_key().unwrap_or_default();
        let (tx, rx) = mpsc::channel(cfg.queues.accept.max(1));
        let shared = Arc::new(Shared::default());
        let sink = ServerSink { tx };
        let driver = Driver::new(udp, endpoint, sink, shared.clone(), false, cfg.queues)?;
        let thread = std::thread::Builder::new()
            .name("starlane-udp-server".into())
            .spawn(move || driver.run())?;
        let server = UdpServer {
            local_addr,
            public_key,
            shared,
            thread: Mutex::new(Some(thread)),
        };
        Ok((server, rx))
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The static public key clients must pin.
    pub fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    /// Datagrams dropped so far, by reason (see [`UdpServerStats::drops`]).
    pub fn drops(&self) -> DropCounters {
        self.stats().drops()
    }

    /// A handle to the loop's published counters that can outlive a borrow of the server
    /// (e.g. for a metrics task). It does not keep the loop running.
    pub fn stats(&self) -> UdpServerStats {
        UdpServerStats {
            shared: self.shared.clone(),
        }
    }

    /// Close every link (disconnect code [`codes::SHUTDOWN`](crate::proto::conn::codes::SHUTDOWN))
    /// and stop the loop thread.
    pub fn shutdown(&self) {
        self.shared.stop();
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

impl Drop for UdpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The counters a [`UdpServer`]'s loop publishes: within 100 ms of a change, and not while
/// nothing happens (the values then stay current).
#[derive(Debug, Clone)]
pub struct UdpServerStats {
    shared: Arc<Shared>,
}

impl UdpServerStats {
    /// Datagrams dropped so far, by reason.
    pub fn drops(&self) -> DropCounters {
        self.shared.drops.lock().map(|d| *d).unwrap_or_default()
    }

    /// Entries the endpoint holds for remote addresses
    /// ([`Endpoint::sources_tracked`](crate::proto::endpoint::Endpoint::sources_tracked)).
    pub fn sources_tracked(&self) -> usize {
        self.shared.sources_tracked.load(Ordering::Relaxed)
    }

    /// What roaming did: addresses probed, connections moved, probes given up.
    pub fn paths(&self) -> PathCounters {
        self.shared.paths.lock().map(|p| *p).unwrap_or_default()
    }

    /// Established connections.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Connections refused because the accept queue was full.
    pub fn accept_refused(&self) -> u64 {
        self.shared.accept_refused.load(Ordering::Relaxed)
    }

    /// Connections shed because the edge did not read their events (event queue full).
    pub fn shed_events_full(&self) -> u64 {
        self.shared.shed_events_full.load(Ordering::Relaxed)
    }

    /// How many datagrams the loop moved and in how many system calls: what batching
    /// (`recvmmsg`, GSO) saves.
    pub fn socket_calls(&self) -> SocketCalls {
        let sh = &self.shared;
        SocketCalls {
            datagrams_in: sh.datagrams_in.load(Ordering::Relaxed),
            receive_calls: sh.receive_calls.load(Ordering::Relaxed),
            datagrams_out: sh.datagrams_out.load(Ordering::Relaxed),
            send_calls: sh.send_calls.load(Ordering::Relaxed),
            largest_send: sh.largest_send.load(Ordering::Relaxed),
        }
    }

    /// Handshake datagrams handled so far and the time spent handling them (cookie MACs and
    /// Noise key agreement on the loop's thread): what accepting connections costs.
    pub fn handshake_time(&self) -> (u64, std::time::Duration) {
        let packets = self.shared.handshake_packets.load(Ordering::Relaxed);
        let nanos = self.shared.handshake_nanos.load(Ordering::Relaxed);
        (packets, std::time::Duration::from_nanos(nanos))
    }
}

/// Datagrams a loop moved and the system calls it took ([`UdpServerStats::socket_calls`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SocketCalls {
    /// Datagrams read.
    pub datagrams_in: u64,
    /// Reads, counting the last of each burst that found the socket empty.
    pub receive_calls: u64,
    /// Datagrams sent.
    pub datagrams_out: u64,
    /// Sends: a GSO send carries a run of one peer's datagrams.
    pub send_calls: u64,
    /// The most datagrams one send carried since the loop started (1 without GSO).
    pub largest_send: u64,
}
