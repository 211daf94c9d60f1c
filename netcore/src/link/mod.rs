//! The QUIC driver of the edge-region link (LINK.md §1): it moves bytes between one quinn
//! bidirectional stream and a link state machine ([`crate::proto::link::EdgeLink`] or
//! [`crate::proto::link::RegionLink`]), runs its timers and hands its events on. It knows
//! nothing of the messages.
//!
//! A reader reads at most [`READ_CHUNK`] bytes at a time and feeds them to the core; it hands
//! every event to the caller's `deliver` and awaits it, so a caller that cannot take more stops
//! the reads and QUIC's flow control pushes back on the peer. A writer takes chunks of frames
//! from the core only while the stream accepts them, so a peer that does not read leaves the
//! frames in the core's bounded queue. When the link ends, the writer flushes what is queued
//! (the `Close` frame) for at most [`FLUSH_TIMEOUT`] and the connection is closed with the
//! link's close code.

mod peers;

pub use peers::{EdgeClient, EdgeClientError, RegionPeer};

use crate::proto::link::{EdgeLink, EdgeLinkEvent, RegionLink, RegionLinkEvent};
use quinn::{Connection, ConnectionError, RecvStream, SendStream, VarInt};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Most bytes read from the stream per step.
pub const READ_CHUNK: usize = 64 * 1024;
/// How long the writer flushes queued frames after the link ended.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(1);

/// What the driver needs of a link state machine; implemented by both sides.
pub trait LinkCore: Send + 'static {
    /// Its events.
    type Event: Send + 'static;
    /// Take bytes read from the stream.
    fn handle_bytes(&mut self, now: Instant, bytes: &[u8]);
    /// Run timers.
    fn handle_timeout(&mut self, now: Instant);
    /// The connection ended (with the peer's application code, if any).
    fn handle_transport_closed(&mut self, code: Option<u8>, reason: &str);
    /// Bytes to write.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// The next event.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// The next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The code to close the connection with, once the link on it ended.
    fn ended(&self) -> Option<u8>;
}

impl LinkCore for RegionLink {
    type Event = RegionLinkEvent;
    fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        RegionLink::handle_bytes(self, now, bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        RegionLink::handle_timeout(self, now);
    }
    fn handle_transport_closed(&mut self, code: Option<u8>, reason: &str) {
        RegionLink::handle_transport_closed(self, code, reason);
    }
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        RegionLink::poll_transmit(self)
    }
    fn poll_event(&mut self) -> Option<RegionLinkEvent> {
        RegionLink::poll_event(self)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        RegionLink::poll_timeout(self)
    }
    fn ended(&self) -> Option<u8> {
        self.close_code()
    }
}

impl LinkCore for EdgeLink {
    type Event = EdgeLinkEvent;
    fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        EdgeLink::handle_bytes(self, now, bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        EdgeLink::handle_timeout(self, now);
    }
    fn handle_transport_closed(&mut self, code: Option<u8>, reason: &str) {
        EdgeLink::handle_transport_closed(self, code, reason);
    }
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        EdgeLink::poll_transmit(self)
    }
    fn poll_event(&mut self) -> Option<EdgeLinkEvent> {
        EdgeLink::poll_event(self)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        EdgeLink::poll_timeout(self)
    }
    fn ended(&self) -> Option<u8> {
        self.close_code()
    }
}

/// Where a driver hands a link's events, in order. Awaiting in [`EventSink::deliver`] stops the
/// driver's reads (so QUIC pushes back on the peer).
pub trait EventSink<E>: Send {
    /// Take one event.
    fn deliver(&mut self, event: E) -> impl std::future::Future<Output = ()> + Send;
}

/// A link state machine shared between its driver and the code that sends on it, with the
/// signal that wakes the driver's writer.
#[derive(Debug)]
pub struct SharedLink<C> {
    core: Mutex<C>,
    /// Wakes the writer: frames were queued, or the link ended.
    wake: Notify,
    /// Wakes the reader: the link's state changed outside it (the sender shed or closed it).
    changed: Notify,
}

impl<C: LinkCore> SharedLink<C> {
    /// Share `core`.
    pub fn new(core: C) -> Arc<Self> {
        Arc::new(Self {
            core: Mutex::new(core),
            wake: Notify::new(),
            changed: Notify::new(),
        })
    }

    /// Lock the state machine (a panic while it was held leaves it usable: its state is
    /// consistent between calls).
    pub fn lock(&self) -> MutexGuard<'_, C> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wake the driver: call after queuing frames or closing the link.
    pub fn wake(&self) {
        self.wake.notify_one();
        self.changed.notify_one();
    }

    /// Take the events queued so far.
    fn take_events(&self) -> Vec<C::Event> {
        let mut core = self.lock();
        std::iter::from_fn(|| core.poll_event()).collect()
    }
}

/// The peer's application close code, if the connection was closed with one that fits.
fn peer_code(e: &ConnectionError) -> Option<u8> {
    match e {
        ConnectionError::ApplicationClosed(c) => u8::try_from(c.error_code.into_inner()).ok(),
        _ => None,
    }
}

/// Drive `link` over `conn`'s stream until the link on it ends; every event goes to `sink`,
/// in order. Returns the close code the connection was closed with.
pub async fn drive<C, S>(
    conn: &Connection,
    send: SendStream,
    mut recv: RecvStream,
    link: &Arc<SharedLink<C>>,
    sink: &mut S,
) -> u8
where
    C: LinkCore,
    S: EventSink<C::Event>,
{
    let writer = tokio::spawn(write_loop(send, link.clone()));
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let deadline = link.lock().poll_timeout();
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = recv.read(&mut buf) => {
                let now = Instant::now();
                match read {
                    Ok(Some(n)) => link.lock().handle_bytes(now, &buf[..n]),
                    Ok(None) => link.lock().handle_transport_closed(None, "stream finished"),
                    Err(quinn::ReadError::ConnectionLost(e)) => {
                        link.lock().handle_transport_closed(peer_code(&e), &e.to_string());
                    }
                    Err(e) => link.lock().handle_transport_closed(None, &e.to_string()),
                }
            }
            () = sleep => link.lock().handle_timeout(Instant::now()),
            () = link.changed.notified() => {}
            e = conn.closed() => link.lock().handle_transport_closed(peer_code(&e), &e.to_string()),
        }
        // The core may have queued frames (Welcome, Rejoins, Close).
        link.wake.notify_one();
        for event in link.take_events() {
            sink.deliver(event).await;
        }
        let ended = link.lock().ended();
        if let Some(code) = ended {
            link.wake.notify_one();
            let _ = tokio::time::timeout(FLUSH_TIMEOUT, writer).await;
            conn.close(VarInt::from(code), b"link closed");
            return code;
        }
    }
}

/// Write the core's chunks while the stream takes them; after the link ended, write what is
/// left and finish the stream.
async fn write_loop<C: LinkCore>(mut send: SendStream, link: Arc<SharedLink<C>>) {
    loop {
        let (chunk, ended) = {
            let mut core = link.lock();
            (core.poll_transmit(), core.ended().is_some())
        };
        match chunk {
            Some(bytes) => {
                if send.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            None if ended => {
                let _ = send.finish();
                return;
            }
            None => link.wake.notified().await,
        }
    }
}
