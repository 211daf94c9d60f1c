//! A simulated network around the sans-IO encrypted-UDP [`Endpoint`], for the
//! `handshake_server` and `handshake_client` targets.
//!
//! One server endpoint and [`CLIENTS`] real client endpoints exchange datagrams through
//! queues that the fuzzer drives: it delivers, drops, reorders, mutates and replays them,
//! advances a simulated clock, and injects raw datagrams from [`SOURCES`] addresses into the
//! endpoint under test. Real clients let the fuzzer reach established sessions (and their
//! data and disconnect packets) that it could never forge.
//!
//! Only the endpoint's public calls are used: `Endpoint::{server, client, handle_datagram,
//! handle_timeout, poll_transmit, poll_event, public_key}` for the handshake, and
//! `Endpoint::{send_reliable, send_datagram, close}` to make connection traffic (see [`ops`]).
//! Nothing depends on the packet layout, so the targets keep working when it changes.
//!
//! Clients roam: the fuzzer may move a client to another address (see [`Op::Rebind`]), a fresh
//! one or one that raw datagrams or another client use, so the server's path validation and
//! migration run under the same deliveries, losses, mutations and replays as the handshake.
//!
//! Invariants checked (a violation panics, which the fuzzer reports as a crash):
//! * **no amplification**: the server never sends an address that has no connection more
//!   bytes than it received from it (a hello's cookie, an init's response, a roaming client's
//!   path challenge all count), and a datagram from such an address sends nothing to another
//!   address without a connection;
//! * **authenticity**: a message or datagram the server delivers was sent by one of the
//!   clients, and one a client delivers was sent by the server (checked per side, not per
//!   address: the address is not what authenticates a packet);
//! * a client endpoint sends only to its server.

mod ops;
mod writer;

pub use ops::{Mutation, Op};
pub use writer::OpWriter;

use crate::input::Input;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::proto::entropy::EntropySource;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

/// Real client endpoints in the simulation; they use source addresses `0..CLIENTS`.
pub const CLIENTS: usize = 3;
/// Source addresses raw datagrams may come from (the first [`CLIENTS`] are the clients').
pub const SOURCES: usize = 6;
/// Addresses a client may rebind to besides the [`SOURCES`]: no one else uses them.
pub const FRESH: usize = 4;
/// Most operations run for one input.
pub const MAX_OPS: usize = 256;
/// Datagrams kept per queue; older ones are dropped (lost).
const QUEUE_CAP: usize = 32;
/// Datagrams remembered for replays.
const HISTORY_CAP: usize = 64;
/// The server's static private key.
pub const SERVER_KEY: [u8; 32] = [0x5a; 32];

/// The server's address (documentation range: no packet is ever sent anywhere).
pub fn server_addr() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 4434)
}

/// The address of source `i` (modulo [`SOURCES`]).
pub fn source_addr(i: usize) -> SocketAddr {
    let i = i % SOURCES;
    // i < SOURCES, so these casts are exact.
    SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1 + i as u8)),
        40_000 + i as u16,
    )
}

/// The address a rebinding client moves to: `i` modulo `SOURCES + FRESH`, a source address
/// (perhaps another client's) below [`SOURCES`], a fresh one above.
pub fn rebind_addr(i: usize) -> SocketAddr {
    match i % (SOURCES + FRESH) {
        i if i < SOURCES => source_addr(i),
        // i < SOURCES + FRESH, so these casts are exact.
        i => SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1 + i as u8)),
            50_000 + i as u16,
        ),
    }
}

/// What happened in one run (to check that the harness reaches established connections).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// `Connected` events of the server.
    pub server_connected: usize,
    /// Messages and datagrams the server delivered.
    pub server_delivered: usize,
    /// Messages and datagrams the clients delivered.
    pub clients_delivered: usize,
    /// `Migrated` events of the server: connections that moved to a validated address.
    pub server_migrated: usize,
}

/// Which endpoint raw datagrams are injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The server; raw datagrams come from the source addresses.
    Server,
    /// Client 0; raw datagrams come from the server's address (source 0) or other sources.
    Client,
}

/// One client endpoint and the datagrams in flight between it and the server.
struct ClientSlot {
    endpoint: Option<Endpoint>,
    /// Where the client is now: its datagrams come from here, and the server's datagrams to
    /// here reach it.
    addr: SocketAddr,
    /// The address the server knows this client's connection by (its `Connected` and
    /// `Migrated` events): `ServerSend` and a close by the server go there.
    server_view: SocketAddr,
    /// Datagrams on their way to the server.
    to_server: VecDeque<Vec<u8>>,
    /// Datagrams on their way from the server.
    to_client: VecDeque<Vec<u8>>,
}

/// What the server exchanged with one address.
#[derive(Debug, Clone, Copy, Default)]
struct AddressBytes {
    /// Bytes received from it, whatever it had: a client's packet may reach a roaming probe of
    /// another connection from an address that has its own.
    received: usize,
    /// Bytes sent to it while it had no connection.
    sent_unconnected: usize,
}

/// The simulation: a server, its clients, the queues between them and the clock.
pub struct Sim {
    focus: Focus,
    config: EndpointConfig,
    now: Instant,
    server: Endpoint,
    server_public: [u8; 32],
    clients: Vec<ClientSlot>,
    history: Vec<Vec<u8>>,
    history_next: usize,
    /// Peers the server has a connection with, from its events.
    sessions: HashSet<SocketAddr>,
    /// Per address, for the amplification check (see [`AddressBytes`]).
    bytes_by_address: HashMap<SocketAddr, AddressBytes>,
    /// Messages and datagrams any client endpoint was asked to send.
    sent_by_clients: HashSet<Vec<u8>>,
    /// Messages and datagrams the server was asked to send.
    sent_by_server: HashSet<Vec<u8>>,
    stats: SimStats,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("focus", &self.focus)
            .field("server", &self.server)
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// A server and [`CLIENTS`] clients, each client's first handshake datagram queued.
    pub fn new(focus: Focus) -> Self {
        // Seeded randomness: a crashing input replays with the same nonces and keys.
        let config = EndpointConfig {
            entropy: EntropySource::seeded(0),
            ..EndpointConfig::default()
        };
        let server = Endpoint::server(SERVER_KEY, config.clone());
        let server_public = server
            .public_key()
            .expect("a server-role endpoint has a public key");
        let mut sim = Self {
            focus,
            config,
            now: Instant::now(),
            server,
            server_public,
            clients: Vec::new(),
            history: Vec::new(),
            history_next: 0,
            sessions: HashSet::new(),
            bytes_by_address: HashMap::new(),
            sent_by_clients: HashSet::new(),
            sent_by_server: HashSet::new(),
            stats: SimStats::default(),
        };
        for i in 0..CLIENTS {
            sim.clients.push(ClientSlot {
                endpoint: None,
                addr: source_addr(i),
                server_view: source_addr(i),
                to_server: VecDeque::new(),
                to_client: VecDeque::new(),
            });
            sim.restart_client(i);
        }
        sim
    }

    /// Run every operation of `data` (at most [`MAX_OPS`]).
    pub fn run(focus: Focus, data: &[u8]) -> SimStats {
        let mut sim = Self::new(focus);
        let mut input = Input::new(data);
        for _ in 0..MAX_OPS {
            if input.is_empty() {
                break;
            }
            let op = Op::read(&mut input);
            sim.apply(op);
        }
        // Let every timer fire: resends, deadlines, idle timeouts.
        sim.advance(Duration::from_secs(60));
        sim.stats
    }

    /// The current simulated time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The server's static public key.
    pub fn server_public(&self) -> [u8; 32] {
        self.server_public
    }

    /// The configuration every endpoint uses.
    pub fn config(&self) -> EndpointConfig {
        self.config.clone()
    }

    fn remember(&mut self, datagram: &[u8]) {
        if self.history.len() < HISTORY_CAP {
            self.history.push(datagram.to_vec());
        } else {
            self.history[self.history_next % HISTORY_CAP] = datagram.to_vec();
        }
        self.history_next = self.history_next.wrapping_add(1);
    }

    /// The client at `addr` now (the first, when a rebind put two there).
    fn client_at(&mut self, addr: SocketAddr) -> Option<&mut ClientSlot> {
        self.clients.iter_mut().find(|slot| slot.addr == addr)
    }

    /// Replace client `i`'s endpoint by a fresh one starting a handshake now.
    fn restart_client(&mut self, i: usize) {
        let Some(slot) = self.clients.get_mut(i) else {
            return;
        };
        slot.to_server.clear();
        slot.endpoint = Endpoint::client(
            self.now,
            server_addr(),
            self.server_public,
            self.config.clone(),
        )
        .ok();
        self.drain_client(i);
    }

    /// Deliver `datagram` from `from` to the server and check what it answers.
    fn deliver_to_server(&mut self, from: SocketAddr, datagram: &[u8]) {
        self.remember(datagram);
        let had_connection = self.sessions.contains(&from);
        self.bytes_by_address.entry(from).or_default().received += datagram.len();
        self.server.handle_datagram(self.now, from, datagram);
        while let Some((to, reply)) = self.server.poll_transmit(self.now) {
            self.check_amplification(to, reply.len());
            if !had_connection && to != from {
                // Traffic of established connections may go out here; anything else would
                // reflect an unauthenticated datagram to a third party.
                assert!(
                    self.sessions.contains(&to),
                    "a datagram from {from}, which has no connection, made the server send to \
                     {to}, which has none either"
                );
            }
            self.route_from_server(to, reply);
        }
        self.drain_server_events();
    }

    /// Deliver `datagram` from `from` to client `i`.
    fn deliver_to_client(&mut self, i: usize, from: SocketAddr, datagram: &[u8]) {
        self.remember(datagram);
        if let Some(ep) = self.clients.get_mut(i).and_then(|s| s.endpoint.as_mut()) {
            ep.handle_datagram(self.now, from, datagram);
        }
        self.drain_client(i);
    }

    fn route_from_server(&mut self, to: SocketAddr, datagram: Vec<u8>) {
        self.remember(&datagram);
        // Nobody at `to` (a client that moved away): the datagram is lost.
        if let Some(slot) = self.client_at(to) {
            push_capped(&mut slot.to_client, datagram);
        }
    }

    /// A datagram of `len` bytes goes to `to`: if `to` has no connection, the server's bytes
    /// to it stay within what it sent.
    fn check_amplification(&mut self, to: SocketAddr, len: usize) {
        if self.sessions.contains(&to) {
            return;
        }
        let bytes = self.bytes_by_address.entry(to).or_default();
        bytes.sent_unconnected += len;
        assert!(
            bytes.sent_unconnected <= bytes.received,
            "amplification: {to}, which has no connection, was sent {} bytes after sending {}",
            bytes.sent_unconnected,
            bytes.received
        );
    }

    /// Everything the server has to send goes on its way; its events are checked.
    fn drain_server(&mut self) {
        while let Some((to, d)) = self.server.poll_transmit(self.now) {
            self.check_amplification(to, d.len());
            self.route_from_server(to, d);
        }
        self.drain_server_events();
    }

    fn drain_server_events(&mut self) {
        while let Some(event) = self.server.poll_event() {
            match event {
                EndpointEvent::Connected { peer, .. } => {
                    self.stats.server_connected += 1;
                    self.sessions.insert(peer);
                    if let Some(slot) = self.client_at(peer) {
                        slot.server_view = peer;
                    }
                }
                EndpointEvent::Closed { peer, .. } => {
                    self.sessions.remove(&peer);
                }
                EndpointEvent::Migrated { from, to } => {
                    self.stats.server_migrated += 1;
                    self.sessions.remove(&from);
                    self.sessions.insert(to);
                    for slot in &mut self.clients {
                        if slot.server_view == from {
                            slot.server_view = to;
                        }
                    }
                }
                EndpointEvent::Message { peer, bytes }
                | EndpointEvent::Datagram { peer, bytes } => {
                    self.stats.server_delivered += 1;
                    assert!(
                        self.sent_by_clients.contains(&bytes),
                        "the server delivered {} bytes from {peer} that no client sent",
                        bytes.len()
                    );
                }
                _ => {}
            }
        }
    }

    /// Move client `i`'s transmits into its queue and check its events.
    fn drain_client(&mut self, i: usize) {
        let now = self.now;
        let mut sent = Vec::new();
        let mut delivered = Vec::new();
        if let Some(slot) = self.clients.get_mut(i)
            && let Some(ep) = slot.endpoint.as_mut()
        {
            while let Some((to, datagram)) = ep.poll_transmit(now) {
                assert_eq!(
                    to,
                    server_addr(),
                    "client {i} sent a datagram to {to}, not its server"
                );
                sent.push(datagram.clone());
                push_capped(&mut slot.to_server, datagram);
            }
            while let Some(event) = ep.poll_event() {
                match event {
                    EndpointEvent::Message { peer, bytes }
                    | EndpointEvent::Datagram { peer, bytes } => delivered.push((peer, bytes)),
                    _ => {}
                }
            }
        }
        for d in sent {
            self.remember(&d);
        }
        for (peer, bytes) in delivered {
            self.stats.clients_delivered += 1;
            assert!(
                peer == server_addr() && self.sent_by_server.contains(&bytes),
                "client {i} delivered {} bytes from {peer} that the server did not send",
                bytes.len()
            );
        }
    }

    /// Advance the clock by `by` and run every endpoint's timers.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.server.handle_timeout(self.now);
        self.drain_server();
        for i in 0..CLIENTS {
            if let Some(ep) = self.clients.get_mut(i).and_then(|s| s.endpoint.as_mut()) {
                ep.handle_timeout(self.now);
            }
            self.drain_client(i);
        }
    }
}

fn push_capped(queue: &mut VecDeque<Vec<u8>>, datagram: Vec<u8>) {
    if queue.len() >= QUEUE_CAP {
        queue.pop_front();
    }
    queue.push_back(datagram);
}
