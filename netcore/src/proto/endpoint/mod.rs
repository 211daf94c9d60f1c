//! A sans-IO encrypted-UDP endpoint: the connections of one socket, in the server or client
//! role. It takes `(now, from, datagram)` and time, and hands out datagrams to send, events
//! and its next deadline. No sockets, no clocks.
//!
//! The server keeps no state for a source before that source echoes a cookie (see
//! [`crate::proto::cookie`]): a hello is answered with one cookie packet, smaller than the hello.
//!
//! Connections are keyed by the address their packets go to. A server finds the connection of
//! a session packet by its connection ID, so a client that roams keeps its connection: see
//! [`path`] and [`EndpointEvent::Migrated`].

mod handshake;
mod path;
mod timers;
mod types;

pub use path::{CHALLENGE_PACKET_LEN, MAX_CHALLENGES, PATH_TAKEN, PathCounters};
pub use types::{EndpointConfig, EndpointEvent};

use crate::proto::conn::{ConnEvent, ConnState, ConnStats, Connection, SendError};
use crate::proto::cookie::CookieJar;
use crate::proto::drops::{DropCounters, DropReason};
use crate::proto::handshake::{ClientHandshake, ClientState, HandshakeError, ServerHandshake};
use crate::proto::packet::{
    CID_LEN, CLIENT_NONCE_LEN, MAX_DATAGRAM, PacketType, cid_of, peek_type,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;
use timers::Timers;

struct Peer {
    conn: Connection,
    /// Server role: the init that created this connection and our answer, to answer resends.
    init: Vec<u8>,
    response: Vec<u8>,
    /// Server role: the connection ID its client puts in every packet.
    cid: Option<[u8; CID_LEN]>,
    /// Server role: a new address of the client being validated.
    /// Boxed: a probe is rare and short, and every connection would otherwise carry its
    /// room (about 150 bytes each in the endpoint's map).
    probe: Option<Box<path::Probe>>,
}

impl Peer {
    /// When the endpoint must next look at this connection.
    fn deadline(&self) -> Option<Instant> {
        let probe = self.probe.as_deref().and_then(path::Probe::deadline);
        [self.conn.poll_timeout(), probe]
            .into_iter()
            .flatten()
            .min()
    }
}

enum Role {
    Server {
        handshake: ServerHandshake,
        jar: Option<CookieJar>,
    },
    Client {
        server: SocketAddr,
        handshake: Option<ClientHandshake>,
    },
}

/// The sans-IO encrypted endpoint.
pub struct Endpoint {
    role: Role,
    config: EndpointConfig,
    peers: HashMap<SocketAddr, Peer>,
    /// Server role: where each connection ID's connection is.
    cids: HashMap<[u8; CID_LEN], SocketAddr>,
    /// Handshake answers (cookies, responses) waiting to be sent.
    handshake_out: VecDeque<(SocketAddr, Vec<u8>)>,
    /// Connections that may have something to send.
    active: VecDeque<SocketAddr>,
    active_set: HashSet<SocketAddr>,
    timers: Timers,
    /// Server role: client nonces of inits whose connections closed, until their cookies
    /// expire, so a replayed init cannot revive a connection nobody can use.
    closed_inits: HashMap<[u8; CLIENT_NONCE_LEN], Instant>,
    events: VecDeque<EndpointEvent>,
    drops: DropCounters,
    paths: PathCounters,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("peers", &self.peers.len())
            .field("drops", &self.drops)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// A server holding the static private key.
    pub fn server(private_key: [u8; 32], config: EndpointConfig) -> Self {
        let role = Role::Server {
            handshake: ServerHandshake::new(private_key, config.entropy.clone()),
            jar: None,
        };
        Self::with_role(role, config)
    }

    /// A client that starts a handshake to `server` at once.
    pub fn client(
        now: Instant,
        server: SocketAddr,
        server_public_key: [u8; 32],
        config: EndpointConfig,
    ) -> Result<Self, HandshakeError> {
        let mut hs = ClientHandshake::new(
            now,
            server_public_key,
            config.handshake,
            config.entropy.clone(),
        )?;
        let mut ep = Self::with_role(
            Role::Client {
                server,
                handshake: None,
            },
            config,
        );
        if let Some(hello) = hs.poll_transmit() {
            ep.handshake_out.push_back((server, hello));
        }
        ep.role = Role::Client {
            server,
            handshake: Some(hs),
        };
        Ok(ep)
    }

    fn with_role(role: Role, config: EndpointConfig) -> Self {
        Self {
            role,
            config,
            peers: HashMap::new(),
            cids: HashMap::new(),
            handshake_out: VecDeque::new(),
            active: VecDeque::new(),
            active_set: HashSet::new(),
            timers: Timers::default(),
            closed_inits: HashMap::new(),
            events: VecDeque::new(),
            drops: DropCounters::default(),
            paths: PathCounters::default(),
        }
    }

    /// Server role: the static public key.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        match &self.role {
            Role::Server { handshake, .. } => Some(handshake.public_key()),
            Role::Client { .. } => None,
        }
    }

    /// Client role: where the handshake is (`None` for a server).
    pub fn client_state(&self) -> Option<ClientState> {
        match &self.role {
            Role::Client {
                handshake: Some(hs),
                ..
            } => Some(hs.state()),
            Role::Client { server, .. } if self.peers.contains_key(server) => {
                Some(ClientState::Established)
            }
            Role::Client { .. } => Some(ClientState::Failed),
            Role::Server { .. } => None,
        }
    }

    /// Datagrams dropped so far, by reason.
    pub fn drops(&self) -> DropCounters {
        self.drops
    }

    /// Number of established connections.
    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Entries this endpoint holds for remote addresses (connections, their timers and
    /// send-queue slots, unsent handshake answers). Before a source echoes a cookie it adds
    /// at most one unsent answer, gone at the next [`poll_transmit`](Self::poll_transmit).
    pub fn sources_tracked(&self) -> usize {
        self.peers.len()
            + self.cids.len()
            + self.timers.len()
            + self.active_set.len()
            + self.handshake_out.len()
            + self.closed_inits.len()
    }

    /// The state of the connection with `peer` (`None`: nothing is held for it).
    pub fn connection_state(&self, peer: SocketAddr) -> Option<ConnState> {
        self.peers.get(&peer).map(|p| p.conn.state())
    }

    /// Whether a connection with `peer` is established.
    pub fn is_connected(&self, peer: SocketAddr) -> bool {
        self.peers.contains_key(&peer)
    }

    /// Counters and RTT of the connection with `peer`.
    pub fn stats(&self, peer: SocketAddr) -> Option<ConnStats> {
        self.peers.get(&peer).map(|p| p.conn.stats())
    }

    /// Handle one received datagram. Everything is consumed here: handshakes answered,
    /// messages and datagrams queued as events, drops counted.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        if let Err(reason) = self.classify(now, from, datagram) {
            self.drops.record(reason);
        }
    }

    fn classify(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), DropReason> {
        if datagram.len() > MAX_DATAGRAM {
            return Err(DropReason::Oversized);
        }
        let kind = match peek_type(datagram) {
            Some(k) => k,
            None if datagram.is_empty() => return Err(DropReason::TooShort),
            None => return Err(DropReason::UnknownType),
        };
        let server = matches!(self.role, Role::Server { .. });
        match kind {
            PacketType::Hello if server => self.on_hello(now, from, datagram),
            PacketType::Init if server => self.on_init(now, from, datagram),
            PacketType::Cookie | PacketType::Response if !server => {
                self.on_client_handshake(now, from, datagram)
            }
            PacketType::Data | PacketType::Disconnect => self.on_session(now, from, datagram),
            _ => Err(DropReason::UnexpectedType),
        }
    }

    fn on_session(&mut self, now: Instant, from: SocketAddr, d: &[u8]) -> Result<(), DropReason> {
        let current = match &self.role {
            Role::Server { .. } => {
                // Too short to hold a connection ID names none.
                let cid = cid_of(d).ok_or(DropReason::UnknownPeer)?;
                *self.cids.get(&cid).ok_or(DropReason::UnknownPeer)?
            }
            Role::Client { server, .. } if from == *server => from,
            Role::Client { .. } => return Err(DropReason::UnknownPeer),
        };
        let peer = self
            .peers
            .get_mut(&current)
            .ok_or(DropReason::UnknownPeer)?;
        let (count, top) = (peer.conn.stats().packets_in, peer.conn.received_top());
        let result = peer.conn.handle_packet(now, d);
        let authenticated = peer.conn.stats().packets_in != count;
        let newest = peer.conn.received_top() != top;
        let mut at = current;
        if authenticated && from != current {
            self.on_other_path(now, current, from, d.len(), newest);
            at = self.check_path_responses(now, current, from);
        } else if authenticated {
            // A response can only validate the probed address: drop any read here.
            while let Some(p) = self.peers.get_mut(&current)
                && p.conn.take_path_response().is_some()
            {}
        }
        self.after_conn(now, at);
        result
    }

    /// Move a connection's events out, schedule it, and forget it once closed (after its
    /// last datagrams are sent).
    fn after_conn(&mut self, now: Instant, peer: SocketAddr) {
        let Some(p) = self.peers.get_mut(&peer) else {
            return;
        };
        while let Some(ev) = p.conn.poll_event() {
            self.events.push_back(match ev {
                ConnEvent::Message(bytes) => EndpointEvent::Message { peer, bytes },
                ConnEvent::Datagram(bytes) => EndpointEvent::Datagram { peer, bytes },
                ConnEvent::FirstMessageTooLarge(len) => {
                    EndpointEvent::FirstMessageTooLarge { peer, len }
                }
                ConnEvent::Closed(cause) => EndpointEvent::Closed { peer, cause },
            });
        }
        if p.conn.is_closed() {
            // Flush what the close queued (the disconnect), then forget the peer.
            while let Some(d) = p.conn.poll_transmit(now) {
                self.handshake_out.push_back((peer, d));
            }
            if let Some(p) = self.peers.remove(&peer) {
                if let Some(cid) = p.cid {
                    self.cids.remove(&cid);
                }
                if !p.init.is_empty() {
                    let expiry = now + self.config.cookie_rotate_every * 2;
                    self.closed_inits
                        .insert(handshake::nonce_of_init(&p.init), expiry);
                }
            }
            self.timers.set(peer, None);
            return;
        }
        self.timers.set(peer, p.deadline());
        self.mark_active(peer);
    }

    fn mark_active(&mut self, peer: SocketAddr) {
        if self.active_set.insert(peer) {
            self.active.push_back(peer);
        }
    }

    /// Queue a reliable message for `to`.
    pub fn send_reliable(
        &mut self,
        now: Instant,
        to: SocketAddr,
        msg: &[u8],
    ) -> Result<(), SendError> {
        let peer = self.peers.get_mut(&to).ok_or(SendError::Closed)?;
        let r = peer.conn.send_reliable(msg);
        self.after_conn(now, to);
        r
    }

    /// Send an unreliable datagram to `to`.
    pub fn send_datagram(
        &mut self,
        now: Instant,
        to: SocketAddr,
        bytes: &[u8],
    ) -> Result<(), SendError> {
        let peer = self.peers.get_mut(&to).ok_or(SendError::Closed)?;
        let r = peer.conn.send_datagram(now, bytes);
        self.after_conn(now, to);
        r
    }

    /// Close the connection with `peer` with `code` (an authenticated disconnect is sent).
    /// Returns whether there was one.
    pub fn close(&mut self, now: Instant, peer: SocketAddr, code: u8) -> bool {
        let Some(p) = self.peers.get_mut(&peer) else {
            return false;
        };
        p.conn.close(now, code);
        self.after_conn(now, peer);
        true
    }

    /// Advance timers: client handshake resends and deadline, cookie rotation, idle
    /// connections, resends and keepalives.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Role::Client {
            handshake: Some(hs),
            ..
        } = &mut self.role
        {
            hs.handle_timeout(now);
            self.pump_client(now);
        }
        if let Some(jar) = self.jar(now) {
            jar.handle_timeout(now);
        }
        self.closed_inits.retain(|_, expiry| *expiry > now);
        for peer in self.timers.expired(now) {
            if let Some(p) = self.peers.get_mut(&peer) {
                p.conn.handle_timeout(now);
            }
            self.probe_step(now, peer);
            self.after_conn(now, peer);
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<(SocketAddr, Vec<u8>)> {
        if let Some(t) = self.handshake_out.pop_front() {
            return Some(t);
        }
        while let Some(peer) = self.active.pop_front() {
            let Some(p) = self.peers.get_mut(&peer) else {
                self.active_set.remove(&peer);
                continue;
            };
            match p.conn.poll_transmit(now) {
                Some(d) => {
                    // It may have more: keep it active, behind the others (fairness).
                    self.active.push_back(peer);
                    self.timers.set(peer, p.deadline());
                    return Some((peer, d));
                }
                None => {
                    self.active_set.remove(&peer);
                    self.timers.set(peer, p.deadline());
                }
            }
        }
        None
    }

    /// The next datagram for `peer` alone, after [`poll_transmit`](Self::poll_transmit)
    /// gave one for it: lets a driver gather a peer's datagrams into one batched send (GSO).
    /// `None` when the peer has nothing more now; it stays queued for `poll_transmit`, which
    /// drops it from its turn when it finds nothing.
    pub fn poll_transmit_to(&mut self, now: Instant, peer: SocketAddr) -> Option<Vec<u8>> {
        if !self.active_set.contains(&peer) {
            return None;
        }
        let p = self.peers.get_mut(&peer)?;
        let d = p.conn.poll_transmit(now);
        self.timers.set(peer, p.deadline());
        d
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<EndpointEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let hs = match &self.role {
            Role::Client {
                handshake: Some(hs),
                ..
            } => hs.poll_timeout(),
            Role::Server { jar: Some(jar), .. } => Some(jar.poll_timeout()),
            _ => None,
        };
        [hs, self.timers.next()].into_iter().flatten().min()
    }
}
