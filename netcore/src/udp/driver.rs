//! The loop shared by the server and the client: moves datagrams between a UDP socket and the
//! sans-IO [`Endpoint`], and messages between the endpoint and the [`Link`]s. No protocol
//! logic lives here.
//!
//! The loop runs on a single-threaded tokio runtime owned by its thread. It sleeps until the
//! socket is readable, a link queues something to send, the endpoint's next deadline
//! ([`Endpoint::poll_timeout`]) passes or its owner stops it: it never polls, so a message the
//! application queues leaves at once and an idle loop costs nothing.

use super::routing::{Queued, Slot};
use super::socket::{Runs, Socket};
use crate::proto::conn::codes;
use crate::proto::drops::DropCounters;
use crate::proto::endpoint::{Endpoint, PathCounters};
use crate::proto::handshake::HandshakeError;
use crate::proto::packet::{PacketType, peek_type};
use crate::transport::{Handover, Link, QueueLimits};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::{Notify, mpsc};

/// Longest the loop sleeps with nothing to do (a safety net: every event wakes it).
const MAX_WAIT: Duration = Duration::from_secs(1);
/// Least the loop sleeps when the endpoint's deadline did not move after it was handled
/// (guards against spinning on a deadline that stays in the past).
const MIN_RETRY: Duration = Duration::from_millis(1);
/// How often link stats and drop counters are published while something happens.
const STATS_INTERVAL: Duration = Duration::from_millis(100);
/// Most datagrams read before the loop turns to its other work.
const RECV_BATCH: usize = 256;
/// Most queued link messages taken before the loop turns to its other work.
const SEND_BATCH: usize = 4096;

/// Where the loop hands new links and handshake failures.
pub(crate) trait LinkSink: Send {
    /// A peer's connection is up: offer its link.
    fn link(&mut self, link: Link) -> Handover;
    /// Client role: the handshake failed.
    fn failed(&mut self, error: HandshakeError);
}

/// Shared between the loop thread and its owner.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    stop: AtomicBool,
    wake: Notify,
    /// Drop counters, as last published.
    pub drops: Mutex<DropCounters>,
    /// What roaming did ([`Endpoint::paths`]), as last published.
    pub paths: Mutex<PathCounters>,
    /// [`Endpoint::sources_tracked`], as last published.
    pub sources_tracked: AtomicUsize,
    /// [`Endpoint::peer_count`], as last published.
    pub connections: AtomicUsize,
    /// Connections refused because the accept queue was full.
    pub accept_refused: AtomicU64,
    /// Connections shed because their link's event queue was full (the edge did not read).
    pub shed_events_full: AtomicU64,
    /// Handshake datagrams (hello, init, cookie, response) handled by the endpoint.
    pub handshake_packets: AtomicU64,
    /// Wall time spent handling them, in nanoseconds (the cookie MACs and the Noise key
    /// agreement: the loop's handshake CPU, as nothing else runs on its thread meanwhile).
    pub handshake_nanos: AtomicU64,
    /// Datagrams read from the socket.
    pub datagrams_in: AtomicU64,
    /// System calls that read them (a batched read takes many datagrams per call).
    pub receive_calls: AtomicU64,
    /// Datagrams handed to the socket.
    pub datagrams_out: AtomicU64,
    /// System calls that sent them (a GSO send takes a run of one peer's datagrams).
    pub send_calls: AtomicU64,
    /// The most datagrams one of those calls carried.
    pub largest_send: AtomicU64,
}

impl Shared {
    /// Ask the loop to close every link and end; it wakes at once.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        // Stores a permit if the loop is not waiting yet, so the request cannot be missed.
        self.wake.notify_one();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

/// The loop state.
pub(crate) struct Driver<S: LinkSink> {
    /// Taken by [`run`](Self::run); still here if the driver is dropped without running.
    rt: Option<Runtime>,
    socket: Socket,
    pub(super) endpoint: Endpoint,
    pub(super) links: HashMap<SocketAddr, Slot>,
    /// Where each link's connection is now, by link id (the key of [`links`](Self::links)).
    pub(super) link_addrs: HashMap<u64, SocketAddr>,
    /// The links' forwarders send here what the application queued (see `routing`);
    /// bounded by [`QueueLimits::udp_loop`].
    pub(super) queued_tx: mpsc::Sender<Queued>,
    queued_rx: mpsc::Receiver<Queued>,
    /// Bounds of every link's queues.
    pub(super) limits: QueueLimits,
    pub(super) next_link_id: u64,
    pub(super) sink: S,
    pub(super) shared: Arc<Shared>,
    /// Client role: the loop ends when its one link is gone.
    pub(super) single: bool,
    pub(super) started: bool,
    send_errors: u64,
    next_stats: Instant,
    /// Something happened since stats were last published.
    dirty: bool,
    /// The endpoint deadline last handled (see [`MIN_RETRY`]).
    handled: Option<Instant>,
}

impl<S: LinkSink> Driver<S> {
    /// Take over `udp` (already bound) and prepare the loop's runtime.
    pub fn new(
        udp: std::net::UdpSocket,
        endpoint: Endpoint,
        sink: S,
        shared: Arc<Shared>,
        single: bool,
        limits: QueueLimits,
    ) -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let registered = {
            let _in_rt = rt.enter();
            // The server batches; a client (one of many in a bot process) keeps one small
            // buffer.
            Socket::new(udp, !single)
        };
        let socket = match registered {
            Ok(socket) => socket,
            Err(e) => {
                // The caller may be in an async context, where dropping a runtime panics.
                rt.shutdown_background();
                return Err(e);
            }
        };
        let (queued_tx, queued_rx) = mpsc::channel(limits.udp_loop.max(1));
        Ok(Self {
            rt: Some(rt),
            socket,
            endpoint,
            links: HashMap::new(),
            link_addrs: HashMap::new(),
            queued_tx,
            queued_rx,
            limits,
            next_link_id: 0,
            sink,
            shared,
            single,
            started: false,
            send_errors: 0,
            next_stats: Instant::now(),
            dirty: false,
            handled: None,
        })
    }

    /// Run until stopped (or, for a client, until its link is closed). Blocks the calling
    /// thread, which must not be inside an async context.
    pub fn run(mut self) {
        let Some(rt) = self.rt.take() else {
            return;
        };
        // The loop's state (socket, link forwarders) is dropped inside the runtime too.
        rt.block_on(async move { self.run_loop().await });
    }

    async fn run_loop(&mut self) {
        let mut woken_by: Option<Queued> = None;
        loop {
            if self.shared.stopped() {
                self.close_all(codes::SHUTDOWN).await;
                return;
            }
            let mut busy = self.receive();
            // Route what the datagrams caused first: a connection they moved to its client's
            // new address (`Migrated`) must be re-keyed before the queued messages below are
            // applied, or one of them would go to the old address, which the endpoint no
            // longer knows, and be lost.
            let mut go_on = self.events();
            let now = Instant::now();
            if let Some(q) = woken_by.take() {
                self.apply(now, q);
                busy = true;
            }
            for _ in 0..SEND_BATCH {
                let Ok(q) = self.queued_rx.try_recv() else {
                    break;
                };
                self.apply(now, q);
                busy = true;
            }
            if let Some(t) = self.endpoint.poll_timeout().filter(|t| *t <= now) {
                self.endpoint.handle_timeout(now);
                self.handled = Some(t);
                busy = true;
            }
            go_on &= self.events();
            busy |= self.transmit(now).await;
            if !go_on {
                return;
            }
            self.dirty |= busy;
            if self.dirty && now >= self.next_stats {
                self.publish_stats();
                self.next_stats = now + STATS_INTERVAL;
                self.dirty = false;
            }
            if self.single && self.started && self.links.is_empty() {
                return;
            }
            woken_by = self.wait().await;
        }
    }

    /// Sleep until there is work: a stop request, a queued message (returned), a readable
    /// socket, the endpoint's deadline, or the stats deadline if there is news to publish.
    async fn wait(&mut self) -> Option<Queued> {
        let now = Instant::now();
        let mut deadline = now + MAX_WAIT;
        if let Some(t) = self.endpoint.poll_timeout() {
            let t = if self.handled == Some(t) {
                t.max(now + MIN_RETRY)
            } else {
                t
            };
            deadline = deadline.min(t);
        }
        if self.dirty {
            deadline = deadline.min(self.next_stats);
        }
        let deadline = tokio::time::Instant::from_std(deadline);
        tokio::select! {
            biased;
            () = self.shared.wake.notified() => None,
            // The loop holds a sender itself, so `recv` never ends with `None`.
            q = self.queued_rx.recv() => q,
            r = self.socket.readable() => {
                if let Err(e) = r {
                    tracing::warn!("udp socket not readable: {e}");
                    tokio::time::sleep(MIN_RETRY).await;
                }
                None
            }
            () = tokio::time::sleep_until(deadline) => None,
        }
    }

    /// Read what the socket has, without blocking; returns whether anything arrived.
    fn receive(&mut self) -> bool {
        let Self {
            socket,
            endpoint,
            shared,
            ..
        } = self;
        let got = socket.receive(RECV_BATCH, |from, d| {
            let handshake = matches!(
                peek_type(d),
                Some(
                    PacketType::Hello
                        | PacketType::Init
                        | PacketType::Cookie
                        | PacketType::Response
                )
            );
            let at = Instant::now();
            endpoint.handle_datagram(at, from, d);
            if handshake {
                let nanos = u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX);
                shared.handshake_packets.fetch_add(1, Ordering::Relaxed);
                shared.handshake_nanos.fetch_add(nanos, Ordering::Relaxed);
            }
        });
        let calls = u64::try_from(got.calls).unwrap_or(u64::MAX);
        let datagrams = u64::try_from(got.datagrams).unwrap_or(u64::MAX);
        shared.receive_calls.fetch_add(calls, Ordering::Relaxed);
        shared.datagrams_in.fetch_add(datagrams, Ordering::Relaxed);
        got.datagrams > 0
    }

    /// Send what the endpoint has (waiting for room in the socket buffer like a blocking
    /// socket would), a peer's consecutive datagrams of one size as one GSO send where the
    /// socket has it; returns whether anything was sent.
    async fn transmit(&mut self, now: Instant) -> bool {
        let max = self.socket.max_segments();
        let mut runs = Runs::default();
        let mut sent = false;
        while let Some((to, d)) = self.endpoint.poll_transmit(now) {
            sent = true;
            let mut next = Some(d);
            while let Some(d) = next.take() {
                if let Some(back) = runs.push(to, d, max) {
                    self.flush(&mut runs).await;
                    runs.push(to, back, max);
                }
                if max > 1 {
                    next = self.endpoint.poll_transmit_to(now, to);
                }
            }
            self.flush(&mut runs).await;
        }
        sent
    }

    /// Send the run gathered in `runs`.
    async fn flush(&mut self, runs: &mut Runs) {
        let Some((to, bytes, segment)) = runs.take() else {
            return;
        };
        let count = segment.map_or(1, |s| bytes.len().div_ceil(s.max(1)));
        let sh = &self.shared;
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        sh.send_calls.fetch_add(1, Ordering::Relaxed);
        sh.datagrams_out.fetch_add(count, Ordering::Relaxed);
        sh.largest_send.fetch_max(count, Ordering::Relaxed);
        if let Err(e) = self.socket.send(to, &bytes, segment).await {
            self.send_errors += 1;
            tracing::trace!(%to, errors = self.send_errors, "udp send failed: {e}");
        }
    }

    fn publish_stats(&mut self) {
        for (peer, slot) in &self.links {
            if let Some(s) = self.endpoint.stats(*peer) {
                slot.copy_stats(&s);
            }
        }
        if let Ok(mut d) = self.shared.drops.lock() {
            *d = self.endpoint.drops();
        }
        if let Ok(mut p) = self.shared.paths.lock() {
            *p = self.endpoint.paths();
        }
        let sh = &self.shared;
        sh.sources_tracked
            .store(self.endpoint.sources_tracked(), Ordering::Relaxed);
        sh.connections
            .store(self.endpoint.peer_count(), Ordering::Relaxed);
    }

    async fn close_all(&mut self, code: u8) {
        let now = Instant::now();
        let peers: Vec<SocketAddr> = self.links.keys().copied().collect();
        for peer in peers {
            self.endpoint.close(now, peer, code);
        }
        self.events();
        self.transmit(now).await;
    }
}

impl<S: LinkSink> Drop for Driver<S> {
    fn drop(&mut self) {
        // Only a driver that never ran still has its runtime; it may be dropped inside an
        // async context (its thread failed to start), where a blocking shutdown would panic.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
