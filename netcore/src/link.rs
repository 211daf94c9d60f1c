//! The link API: what every client transport (encrypted UDP, WebTransport) presents to the edge.
//!
//! A link is a pair of byte queues plus stats. A driver accepts connections and hands the edge a
//! [`Link`] per client; the edge reads [`LinkEvent`]s and writes through the [`LinkSender`].
//! Drivers only move bytes: they know nothing of the messages inside.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// Which transport carries a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// Noise-keyed, AEAD-encrypted UDP carrying laminar.
    Udp,
    /// WebTransport (HTTP/3) from a browser or the native wtransport client.
    WebTransport,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::WebTransport => "webtransport",
        }
    }
}

/// Why a link closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// This side closed it with an application code.
    Local(u8),
    /// The peer closed it with an application code.
    Peer(u8),
    /// Nothing was heard from the peer for the idle timeout.
    Timeout,
    /// The transport failed.
    Transport(String),
}

/// Something that happened on a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A reliable, ordered message arrived (exactly once, in order).
    Reliable(Vec<u8>),
    /// An unreliable datagram arrived.
    Datagram(Vec<u8>),
    /// The link closed; no further events follow.
    Closed(CloseReason),
}

/// What the edge asks a driver to do with a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Reliable(Vec<u8>),
    Datagram(Vec<u8>),
    /// Flush what is queued, then close with an application code.
    Close(u8),
}

/// Counters of one link, updated by its driver.
#[derive(Debug, Default)]
pub struct LinkStats {
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub packets_in: AtomicU64,
    pub packets_out: AtomicU64,
    /// Smoothed round-trip time in microseconds, 0 if unknown.
    pub rtt_us: AtomicU64,
}

impl LinkStats {
    pub fn record_in(&self, bytes: usize) {
        self.bytes_in.fetch_add(bytes as u64, Ordering::Relaxed);
        self.packets_in.fetch_add(1, Ordering::Relaxed);
    }
    pub fn record_out(&self, bytes: usize) {
        self.bytes_out.fetch_add(bytes as u64, Ordering::Relaxed);
        self.packets_out.fetch_add(1, Ordering::Relaxed);
    }
}

/// The edge's handle to send on a link. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LinkSender {
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl LinkSender {
    /// Queue a reliable, ordered message. Returns false if the link is gone.
    pub fn send_reliable(&self, bytes: Vec<u8>) -> bool {
        self.tx.send(Outgoing::Reliable(bytes)).is_ok()
    }
    /// Queue an unreliable datagram. Returns false if the link is gone.
    pub fn send_datagram(&self, bytes: Vec<u8>) -> bool {
        self.tx.send(Outgoing::Datagram(bytes)).is_ok()
    }
    /// Close the link with an application code after flushing what is queued.
    pub fn close(&self, code: u8) {
        let _ = self.tx.send(Outgoing::Close(code));
    }
}

/// One client connection as the edge sees it.
#[derive(Debug)]
pub struct Link {
    pub peer: SocketAddr,
    pub transport: TransportKind,
    pub events: mpsc::UnboundedReceiver<LinkEvent>,
    pub sender: LinkSender,
    pub stats: Arc<LinkStats>,
}

/// The driver's half of a link.
#[derive(Debug)]
pub struct DriverSide {
    pub events: mpsc::UnboundedSender<LinkEvent>,
    pub outgoing: mpsc::UnboundedReceiver<Outgoing>,
    pub stats: Arc<LinkStats>,
}

/// Make a connected pair: the [`Link`] for the edge and the [`DriverSide`] for the driver.
pub fn link_pair(peer: SocketAddr, transport: TransportKind) -> (Link, DriverSide) {
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let stats = Arc::new(LinkStats::default());
    (
        Link {
            peer,
            transport,
            events: ev_rx,
            sender: LinkSender { tx: out_tx },
            stats: stats.clone(),
        },
        DriverSide {
            events: ev_tx,
            outgoing: out_rx,
            stats,
        },
    )
}
