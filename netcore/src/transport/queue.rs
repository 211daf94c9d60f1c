//! The two bounded queues of a link and what happens when one is full.
//!
//! * Outgoing (edge to driver, [`QueueLimits::outgoing`] messages): a datagram that finds it
//!   full is dropped and counted ([`SendOutcome::Dropped`]); a reliable message that finds it
//!   full sheds the link: the driver closes it at once with [`SLOW_CONSUMER`]
//!   ([`SendOutcome::Shed`]).
//! * Events (driver to edge, [`QueueLimits::events`] events, plus one slot kept for the final
//!   [`LinkEvent::Closed`]): a per-connection driver (QUIC, WebTransport) stops reading while it
//!   is full, so transport flow control pushes back on the peer; the shared UDP driver, which
//!   cannot block every client for one, sheds that connection with [`SLOW_CONSUMER`].
//!
//! The bytes waiting in the outgoing queue are counted as they come and go
//! ([`LinkStats::outgoing_bytes`], and its high-water mark [`LinkStats::outgoing_bytes_peak`]):
//! the memory a link's outgoing queue holds is at most [`QueueLimits::outgoing`] messages
//! ([`LinkStats::outgoing_messages_peak`] says how many it held at most), and these say how
//! many bytes that was.

use super::{CloseReason, LinkEvent, LinkStats, Outgoing};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Notify, mpsc};

/// Close code of a link shed because one of its queues was full: the edge queued reliable
/// messages faster than the peer took them, or the edge did not read the link's events (UDP).
/// Shared by every transport (netcore/SPEC.md, "Closing").
pub const SLOW_CONSUMER: u8 = 249;
/// Close code of a connection refused because the server's accept queue was full.
pub const ACCEPT_QUEUE_FULL: u8 = 248;

/// Bounds of a link's queues and of a server's accept queue (README.md, "Queues and
/// limits", says how the defaults were chosen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Events a link holds for the edge before it is full.
    pub events: usize,
    /// Messages the edge may queue on a link before it is full.
    pub outgoing: usize,
    /// New links a server holds for the edge before it refuses connections.
    pub accept: usize,
    /// UDP driver: messages its loop holds from all links' outgoing queues at once (each
    /// link's forwarder waits for room, so the links' own queues fill behind it).
    pub udp_loop: usize,
}

impl QueueLimits {
    /// The defaults (README.md, "Queues and limits", says how they were sized): 4096
    /// outgoing messages per link (about 4.5 s of the largest bandwidth profile, `lan`: 1 MB/s
    /// in datagrams of up to 1100 bytes), 2048 events per link (about 2 s of a client's
    /// commands and acknowledgements at that rate), 1024 pending accepts and 8192 messages in
    /// the UDP loop's queue.
    pub const DEFAULT: Self = Self {
        events: 2048,
        outgoing: 4096,
        accept: 1024,
        udp_loop: 8192,
    };
}

impl Default for QueueLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What became of a message the edge queued on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Queued for the driver.
    Queued,
    /// A datagram dropped because the link's outgoing queue was full.
    Dropped,
    /// A reliable message found the outgoing queue full: the link is shed (closed with
    /// [`SLOW_CONSUMER`]) and the message dropped.
    Shed,
    /// The link is gone, or is being closed at once (it was shed, or a close found the
    /// queue full): the message was dropped.
    Closed,
}

impl SendOutcome {
    /// Whether the message was queued.
    pub fn is_queued(self) -> bool {
        self == Self::Queued
    }
}

/// Requests that bypass the outgoing queue: close at once with a code.
#[derive(Debug, Default)]
pub struct LinkControl {
    /// 0: nothing asked; otherwise `code + 1`.
    abort: AtomicU16,
    notify: Notify,
}

impl LinkControl {
    /// Ask the driver to close the link at once with `code` (the first request wins);
    /// true if this was the first.
    fn abort(&self, code: u8) -> bool {
        let first = self
            .abort
            .compare_exchange(0, u16::from(code) + 1, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        self.notify.notify_one();
        first
    }

    fn requested(&self) -> Option<u8> {
        match self.abort.load(Ordering::Acquire) {
            0 => None,
            v => u8::try_from(v - 1).ok(),
        }
    }

    /// Wait until an abort is asked for; returns its code.
    pub async fn aborted(&self) -> u8 {
        loop {
            if let Some(code) = self.requested() {
                return code;
            }
            self.notify.notified().await;
        }
    }
}

/// The edge's handle to send on a link. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LinkSender {
    pub(super) tx: mpsc::Sender<Outgoing>,
    pub(super) control: Arc<LinkControl>,
    pub(super) stats: Arc<LinkStats>,
}

impl LinkSender {
    fn push(&self, out: Outgoing) -> Result<(), mpsc::error::TrySendError<Outgoing>> {
        let len = out.len() as u64;
        // Counted before it is queued, so the driver never takes more than was counted.
        let held = self.stats.outgoing_bytes.fetch_add(len, Ordering::AcqRel) + len;
        let pushed = self.tx.try_send(out);
        if pushed.is_ok() {
            self.stats
                .outgoing_bytes_peak
                .fetch_max(held, Ordering::AcqRel);
            self.stats
                .outgoing_messages_peak
                .fetch_max(self.queued() as u64, Ordering::AcqRel);
        } else {
            self.stats.outgoing_bytes.fetch_sub(len, Ordering::AcqRel);
        }
        pushed
    }

    /// Messages in the outgoing queue now (at most [`QueueLimits::outgoing`]).
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Queue a reliable, ordered message. A full queue sheds the link; a link already being
    /// closed at once (shed, or a close that found the queue full) takes nothing more
    /// ([`SendOutcome::Closed`]), so a link is shed and counted once.
    pub fn send_reliable(&self, bytes: Vec<u8>) -> SendOutcome {
        if self.control.requested().is_some() {
            return SendOutcome::Closed;
        }
        match self.push(Outgoing::Reliable(bytes)) {
            Ok(()) => SendOutcome::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.control.abort(SLOW_CONSUMER) {
                    // Another message shed it (or a close aborted it) just before.
                    return SendOutcome::Closed;
                }
                LinkStats::bump(&self.stats.shed_outgoing_full);
                SendOutcome::Shed
            }
            Err(mpsc::error::TrySendError::Closed(_)) => SendOutcome::Closed,
        }
    }

    /// Queue an unreliable datagram. A full queue drops it; a link being closed at once
    /// takes nothing more ([`SendOutcome::Closed`]).
    pub fn send_datagram(&self, bytes: Vec<u8>) -> SendOutcome {
        if self.control.requested().is_some() {
            return SendOutcome::Closed;
        }
        match self.push(Outgoing::Datagram(bytes)) {
            Ok(()) => SendOutcome::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                LinkStats::bump(&self.stats.datagrams_dropped_full);
                SendOutcome::Dropped
            }
            Err(mpsc::error::TrySendError::Closed(_)) => SendOutcome::Closed,
        }
    }

    /// Close the link with an application code after flushing what is queued; with the queue
    /// full, at once.
    pub fn close(&self, code: u8) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.push(Outgoing::Close(code)) {
            // The first request to close at once wins; a later one has nothing to add.
            let _ = self.control.abort(code);
        }
    }
}

/// The driver's end of a link's outgoing queue: the edge's messages, in order. Taking one
/// takes its bytes off [`LinkStats::outgoing_bytes`].
#[derive(Debug)]
pub struct OutgoingReceiver {
    pub(super) rx: mpsc::Receiver<Outgoing>,
    pub(super) stats: Arc<LinkStats>,
}

impl OutgoingReceiver {
    fn took(&self, out: Option<&Outgoing>) {
        if let Some(out) = out {
            let len = out.len() as u64;
            self.stats.outgoing_bytes.fetch_sub(len, Ordering::AcqRel);
        }
    }

    /// The next message; `None` once the edge dropped every sender and the queue is empty.
    pub async fn recv(&mut self) -> Option<Outgoing> {
        let out = self.rx.recv().await;
        self.took(out.as_ref());
        out
    }

    /// The next message if one is queued.
    pub fn try_recv(&mut self) -> Result<Outgoing, TryRecvError> {
        let out = self.rx.try_recv();
        self.took(out.as_ref().ok());
        out
    }

    /// Messages queued.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }
}

impl Drop for OutgoingReceiver {
    /// The messages left in the queue are freed with it: their bytes are no longer held.
    fn drop(&mut self) {
        self.rx.close();
        while let Ok(out) = self.rx.try_recv() {
            self.took(Some(&out));
        }
    }
}

/// The driver's end of a link's event queue. One slot stays free for the final
/// [`LinkEvent::Closed`], so the close is always delivered.
#[derive(Debug)]
pub struct EventSender {
    pub(super) tx: mpsc::Sender<LinkEvent>,
}

impl EventSender {
    /// Deliver `event` if there is room; gives it back when the queue is full.
    pub fn try_deliver(&self, event: LinkEvent) -> Result<(), LinkEvent> {
        if self.tx.capacity() <= 1 {
            return Err(event);
        }
        self.tx.try_send(event).map_err(|e| e.into_inner())
    }

    /// Wait until an event fits (the edge read some); false if the edge dropped its link.
    pub async fn room(&self) -> bool {
        // Two permits: one for the event, one kept for the close.
        self.tx.reserve_many(2).await.is_ok()
    }

    /// Wait for room, then deliver; false if the edge dropped its link.
    pub async fn deliver(&self, event: LinkEvent) -> bool {
        self.room().await && self.try_deliver(event).is_ok()
    }

    /// Report the close (always fits: data events leave a slot for it).
    pub fn closed(&self, reason: CloseReason) {
        let _ = self.tx.try_send(LinkEvent::Closed(reason));
    }
}
