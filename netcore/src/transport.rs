//! The link API: what every client transport (encrypted UDP, QUIC, WebTransport) presents to the edge.
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
    /// Noise-keyed, AEAD-encrypted UDP carrying netcore's frames and datagrams.
    Udp,
    /// WebTransport (HTTP/3) from a browser or the native wtransport client.
    WebTransport,
    /// Plain QUIC (quinn) from a native client: a stream for reliable messages, datagrams.
    Quic,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::WebTransport => "webtransport",
            Self::Quic => "quic",
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
///
/// Bytes and packets count what the transport put on (or took off) the wire where the driver
/// sees it (encrypted UDP, QUIC: datagrams and their bytes), otherwise the messages.
#[derive(Debug, Default)]
pub struct LinkStats {
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub packets_in: AtomicU64,
    pub packets_out: AtomicU64,
    /// Smoothed round-trip time in microseconds, 0 if unknown.
    pub rtt_us: AtomicU64,
    /// Round-trip time variation (RFC 6298 `RTTVAR`) in microseconds, 0 if unknown.
    pub rtt_var_us: AtomicU64,
    /// Packets this side sent that the transport declared lost.
    pub packets_lost: AtomicU64,
}

/// A copy of [`LinkStats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkStatsSnapshot {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub packets_out: u64,
    /// Smoothed round-trip time, if measured.
    pub rtt: Option<std::time::Duration>,
    /// Round-trip time variation, if measured.
    pub rtt_var: Option<std::time::Duration>,
    pub packets_lost: u64,
}

impl LinkStatsSnapshot {
    /// Share of sent packets declared lost (0 when nothing was sent).
    pub fn loss(&self) -> f64 {
        if self.packets_out == 0 {
            0.0
        } else {
            (self.packets_lost as f64 / self.packets_out as f64).min(1.0)
        }
    }
}

impl LinkStats {
    /// Read every counter.
    pub fn snapshot(&self) -> LinkStatsSnapshot {
        let us = |v: u64| (v > 0).then(|| std::time::Duration::from_micros(v));
        LinkStatsSnapshot {
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            packets_in: self.packets_in.load(Ordering::Relaxed),
            packets_out: self.packets_out.load(Ordering::Relaxed),
            rtt: us(self.rtt_us.load(Ordering::Relaxed)),
            rtt_var: us(self.rtt_var_us.load(Ordering::Relaxed)),
            packets_lost: self.packets_lost.load(Ordering::Relaxed),
        }
    }
    /// Store the round-trip estimate.
    pub fn set_rtt(&self, srtt: std::time::Duration, rtt_var: std::time::Duration) {
        self.rtt_us
            .store(srtt.as_micros().max(1) as u64, Ordering::Relaxed);
        self.rtt_var_us
            .store(rtt_var.as_micros() as u64, Ordering::Relaxed);
    }
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
