//! The link API: what every client transport (encrypted UDP, QUIC, WebTransport, WebSocket)
//! presents to the edge.
//!
//! A link is a pair of bounded byte queues plus stats. A driver accepts connections and hands
//! the edge a [`Link`] per client; the edge reads [`LinkEvent`]s and writes through the
//! [`LinkSender`]. Drivers only move bytes: they know nothing of the messages inside. What
//! happens when a queue is full: [`queue`] and README.md, "Queues and limits".

mod liveness;
pub mod queue;

pub use liveness::Liveness;

pub use queue::{
    ACCEPT_QUEUE_FULL, EventSender, LinkControl, LinkSender, OutgoingReceiver, QueueLimits,
    SLOW_CONSUMER, SendOutcome,
};

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
    /// WebSocket over TCP (WEBSOCKET.md): the browsers' fallback where UDP is blocked.
    WebSocket,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::WebTransport => "webtransport",
            Self::Quic => "quic",
            Self::WebSocket => "websocket",
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
    /// The peer's first reliable message is longer than the server's first-message limit
    /// (`first_message_limit` of [`UdpServerConfig`](crate::udp::UdpServerConfig),
    /// [`QuicServerConfig`](crate::quic::QuicServerConfig) and
    /// [`WtServerConfig`](crate::webtransport::WtServerConfig); the edge bounds the client's
    /// hello with it). Sent as soon as the length is known: the length a stream frame
    /// declares, or over encrypted UDP the bytes received so far, over the limit. The message
    /// is not delivered and nothing the peer sends reliably after it is read; datagrams still
    /// are. The application answers (reliably) and closes the link.
    FirstMessageTooLarge(usize),
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

impl Outgoing {
    /// Bytes of the message (0 for a close).
    pub fn len(&self) -> usize {
        match self {
            Self::Reliable(b) | Self::Datagram(b) => b.len(),
            Self::Close(_) => 0,
        }
    }

    /// Whether the message carries no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
    /// Outgoing datagrams dropped because the link's outgoing queue was full.
    pub datagrams_dropped_full: AtomicU64,
    /// Sheds because a reliable message found the outgoing queue full (0 or 1).
    pub shed_outgoing_full: AtomicU64,
    /// Sheds because the event queue was full (shared UDP driver; 0 or 1).
    pub shed_events_full: AtomicU64,
    /// Times a per-connection driver stopped reading because the event queue was full.
    pub events_full_pauses: AtomicU64,
    /// Bytes of the messages in the outgoing queue now (queued by the edge, not yet taken by
    /// the driver).
    pub outgoing_bytes: AtomicU64,
    /// The most [`LinkStats::outgoing_bytes`] has been: what the outgoing queue held at most.
    pub outgoing_bytes_peak: AtomicU64,
    /// The most messages the outgoing queue held at once (at most [`QueueLimits::outgoing`]).
    pub outgoing_messages_peak: AtomicU64,
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
    pub datagrams_dropped_full: u64,
    pub shed_outgoing_full: u64,
    pub shed_events_full: u64,
    pub events_full_pauses: u64,
    /// Bytes in the outgoing queue at that moment.
    pub outgoing_bytes: u64,
    /// The most bytes the outgoing queue held so far.
    pub outgoing_bytes_peak: u64,
    /// The most messages the outgoing queue held so far.
    pub outgoing_messages_peak: u64,
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
            datagrams_dropped_full: self.datagrams_dropped_full.load(Ordering::Relaxed),
            shed_outgoing_full: self.shed_outgoing_full.load(Ordering::Relaxed),
            shed_events_full: self.shed_events_full.load(Ordering::Relaxed),
            events_full_pauses: self.events_full_pauses.load(Ordering::Relaxed),
            outgoing_bytes: self.outgoing_bytes.load(Ordering::Relaxed),
            outgoing_bytes_peak: self.outgoing_bytes_peak.load(Ordering::Relaxed),
            outgoing_messages_peak: self.outgoing_messages_peak.load(Ordering::Relaxed),
        }
    }

    /// Add one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
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

/// One client connection as the edge sees it.
#[derive(Debug)]
pub struct Link {
    pub peer: SocketAddr,
    pub transport: TransportKind,
    pub events: mpsc::Receiver<LinkEvent>,
    pub sender: LinkSender,
    pub stats: Arc<LinkStats>,
}

/// The driver's half of a link.
#[derive(Debug)]
pub struct DriverSide {
    pub events: EventSender,
    pub outgoing: OutgoingReceiver,
    pub stats: Arc<LinkStats>,
    /// Close-at-once requests (see [`DriverSide::aborted`]).
    pub control: Arc<LinkControl>,
}

impl DriverSide {
    /// Resolves when the link must close at once (a reliable message found the outgoing
    /// queue full, or a close found it full); gives the close code.
    pub async fn aborted(&self) -> u8 {
        self.control.aborted().await
    }

    /// Hand `event` to the edge if its queue has room; gives it back (and counts a pause in
    /// [`LinkStats::events_full_pauses`]) when the queue is full.
    pub fn offer(&self, event: LinkEvent) -> Option<LinkEvent> {
        let refused = self.events.try_deliver(event).err();
        if refused.is_some() {
            LinkStats::bump(&self.stats.events_full_pauses);
        }
        refused
    }
}

/// Make a connected pair with queues bounded by `limits`: the [`Link`] for the edge and the
/// [`DriverSide`] for the driver. Limits below 1 count as 1.
pub fn link_pair(
    peer: SocketAddr,
    transport: TransportKind,
    limits: QueueLimits,
) -> (Link, DriverSide) {
    // One more event slot, kept for the final `Closed`.
    let (ev_tx, ev_rx) = mpsc::channel(limits.events.max(1) + 1);
    let (out_tx, out_rx) = mpsc::channel(limits.outgoing.max(1));
    let stats = Arc::new(LinkStats::default());
    let control = Arc::new(LinkControl::default());
    let sender = LinkSender {
        tx: out_tx,
        control: control.clone(),
        stats: stats.clone(),
    };
    (
        Link {
            peer,
            transport,
            events: ev_rx,
            sender,
            stats: stats.clone(),
        },
        DriverSide {
            events: EventSender { tx: ev_tx },
            outgoing: OutgoingReceiver {
                rx: out_rx,
                stats: stats.clone(),
            },
            stats,
            control,
        },
    )
}

/// What became of a new link offered to a server's bounded accept queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// The edge will take it.
    Accepted,
    /// The accept queue was full: the driver refuses the connection with
    /// [`ACCEPT_QUEUE_FULL`] and counts it.
    Full,
    /// Nobody takes links any more.
    Gone,
}

/// Offer `link` to a server's accept queue without waiting.
pub fn hand_over(links: &mpsc::Sender<Link>, link: Link) -> Handover {
    match links.try_send(link) {
        Ok(()) => Handover::Accepted,
        Err(mpsc::error::TrySendError::Full(_)) => Handover::Full,
        Err(mpsc::error::TrySendError::Closed(_)) => Handover::Gone,
    }
}
