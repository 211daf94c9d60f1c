//! A sans-IO encrypted-UDP endpoint: a set of peers, each with a session, in the server or
//! client role. It takes `(now, from, datagram)`, returns authenticated plaintext, and queues
//! datagrams to send and events for its driver.

use crate::handshake::{
    ClientEvent, ClientHandshake, HandshakeError, HandshakeTiming, ServerHandshake,
};
use crate::packet::{MAX_DATAGRAM, PacketType, peek_type};
use crate::session::{DropCounters, DropReason, SealError, Session};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Something the driver must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointEvent {
    /// A session with this peer is established. `rtt` is known on the client side.
    Connected {
        peer: SocketAddr,
        rtt: Option<Duration>,
    },
    /// The peer sent an authenticated disconnect with this code; its session is gone.
    Disconnected { peer: SocketAddr, code: u8 },
    /// Nothing authenticated was heard from the peer for the idle timeout; its session is gone.
    TimedOut { peer: SocketAddr },
    /// Client role: the handshake failed.
    ConnectFailed(HandshakeError),
}

/// Error sending to a peer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("no session with {0}")]
    UnknownPeer(SocketAddr),
    #[error(transparent)]
    Seal(#[from] SealError),
}

struct Peer {
    session: Session,
    last_heard: Instant,
    /// Server role: the init that created this session and our answer, to answer resends.
    init: Vec<u8>,
    response: Vec<u8>,
}

enum Role {
    Server {
        handshake: ServerHandshake,
        max_peers: usize,
    },
    Client {
        server: SocketAddr,
        handshake: Option<ClientHandshake>,
    },
}

/// Settings of an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct EndpointConfig {
    /// Drop a session after this long without an authenticated packet.
    pub idle_timeout: Duration,
    /// Server role: most sessions held at once.
    pub max_peers: usize,
    /// Client role: handshake resend interval and deadline.
    pub handshake: HandshakeTiming,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(10),
            max_peers: 100_000,
            handshake: HandshakeTiming::default(),
        }
    }
}

/// The sans-IO encrypted endpoint.
pub struct Endpoint {
    role: Role,
    config: EndpointConfig,
    peers: HashMap<SocketAddr, Peer>,
    transmits: VecDeque<(SocketAddr, Vec<u8>)>,
    events: VecDeque<EndpointEvent>,
    drops: DropCounters,
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
            handshake: ServerHandshake::new(private_key),
            max_peers: config.max_peers,
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
        let mut hs = ClientHandshake::new(now, server_public_key, config.handshake)?;
        let mut ep = Self::with_role(
            Role::Client {
                server,
                handshake: None,
            },
            config,
        );
        if let Some(init) = hs.poll_transmit() {
            ep.transmits.push_back((server, init));
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
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            drops: DropCounters::default(),
        }
    }

    /// Server role: the static public key.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        match &self.role {
            Role::Server { handshake, .. } => Some(handshake.public_key()),
            Role::Client { .. } => None,
        }
    }

    /// Datagrams dropped so far, by reason.
    pub fn drops(&self) -> DropCounters {
        self.drops
    }

    /// Number of established sessions.
    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Handle one received datagram. Returns the authenticated body of a data packet, if it was
    /// one; everything else is consumed here (handshakes answered, drops counted).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Option<Vec<u8>> {
        match self.classify(now, from, datagram) {
            Ok(body) => body,
            Err(reason) => {
                self.drops.record(reason);
                None
            }
        }
    }

    fn classify(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<Option<Vec<u8>>, DropReason> {
        if datagram.len() > MAX_DATAGRAM {
            return Err(DropReason::Oversized);
        }
        if datagram.is_empty() {
            return Err(DropReason::TooShort);
        }
        match peek_type(datagram).ok_or(DropReason::UnknownType)? {
            PacketType::HandshakeInit => self.on_init(now, from, datagram).map(|()| None),
            PacketType::HandshakeResponse => self.on_response(now, from, datagram).map(|()| None),
            PacketType::Data | PacketType::Disconnect => self.on_session(now, from, datagram),
        }
    }

    fn on_init(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), DropReason> {
        let Role::Server {
            handshake,
            max_peers,
        } = &self.role
        else {
            return Err(DropReason::UnexpectedType);
        };
        if let Some(peer) = self.peers.get(&from) {
            if peer.init == datagram {
                // Our response was lost: answer again, with the same bytes.
                self.transmits.push_back((from, peer.response.clone()));
                return Ok(());
            }
            return Err(DropReason::HandshakeForLivePeer);
        }
        if self.peers.len() >= *max_peers {
            return Err(DropReason::ServerFull);
        }
        let accepted = handshake
            .accept(datagram)
            .map_err(|_| DropReason::HandshakeFailed)?;
        self.transmits.push_back((from, accepted.response.clone()));
        self.peers.insert(
            from,
            Peer {
                session: accepted.session,
                last_heard: now,
                init: datagram.to_vec(),
                response: accepted.response,
            },
        );
        self.events.push_back(EndpointEvent::Connected {
            peer: from,
            rtt: None,
        });
        Ok(())
    }

    fn on_response(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), DropReason> {
        let Role::Client { server, handshake } = &mut self.role else {
            return Err(DropReason::UnexpectedType);
        };
        if from != *server {
            return Err(DropReason::UnknownPeer);
        }
        let Some(hs) = handshake.as_mut() else {
            // A duplicate response after we are established.
            return Err(DropReason::UnexpectedType);
        };
        let result = hs.handle_packet(now, datagram);
        let server = *server;
        self.pump_client(now, server);
        result.map_err(|e| match e {
            HandshakeError::BadLength => DropReason::TooShort,
            _ => DropReason::HandshakeFailed,
        })
    }

    fn on_session(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<Option<Vec<u8>>, DropReason> {
        let peer = self.peers.get_mut(&from).ok_or(DropReason::UnknownPeer)?;
        let opened = peer.session.open(datagram).map_err(|e| e.reason())?;
        peer.last_heard = now;
        match opened.kind {
            PacketType::Data => Ok(Some(opened.body)),
            _ => {
                let code = opened.body.first().copied().unwrap_or(0);
                self.peers.remove(&from);
                self.events
                    .push_back(EndpointEvent::Disconnected { peer: from, code });
                Ok(None)
            }
        }
    }

    /// Move the client handshake's output into the endpoint queues.
    fn pump_client(&mut self, now: Instant, server: SocketAddr) {
        let Role::Client {
            handshake: Some(hs),
            ..
        } = &mut self.role
        else {
            return;
        };
        if let Some(init) = hs.poll_transmit() {
            self.transmits.push_back((server, init));
        }
        match hs.poll_event() {
            Some(ClientEvent::Established { session, rtt }) => {
                self.role = Role::Client {
                    server,
                    handshake: None,
                };
                let peer = Peer {
                    session,
                    last_heard: now,
                    init: Vec::new(),
                    response: Vec::new(),
                };
                self.peers.insert(server, peer);
                self.events.push_back(EndpointEvent::Connected {
                    peer: server,
                    rtt: Some(rtt),
                });
            }
            Some(ClientEvent::Failed(e)) => {
                self.role = Role::Client {
                    server,
                    handshake: None,
                };
                self.events.push_back(EndpointEvent::ConnectFailed(e));
            }
            None => {}
        }
    }

    /// Encrypt a data packet for `to`.
    pub fn seal(&mut self, to: SocketAddr, body: &[u8]) -> Result<Vec<u8>, SendError> {
        let peer = self.peers.get_mut(&to).ok_or(SendError::UnknownPeer(to))?;
        Ok(peer.session.seal(PacketType::Data, body)?)
    }

    /// Queue an authenticated disconnect with `code` and forget the peer. Returns whether the
    /// peer had a session. The disconnect is queued twice to survive one loss.
    pub fn close(&mut self, peer: SocketAddr, code: u8) -> bool {
        let Some(mut p) = self.peers.remove(&peer) else {
            return false;
        };
        for _ in 0..2 {
            if let Ok(d) = p.session.seal(PacketType::Disconnect, &[code]) {
                self.transmits.push_back((peer, d));
            }
        }
        true
    }

    /// Forget a peer without telling it.
    pub fn remove(&mut self, peer: SocketAddr) -> bool {
        self.peers.remove(&peer).is_some()
    }

    /// Advance timers: client handshake resends and deadline, idle sessions.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Role::Client {
            server,
            handshake: Some(hs),
        } = &mut self.role
        {
            hs.handle_timeout(now);
            let server = *server;
            self.pump_client(now, server);
        }
        let idle = self.config.idle_timeout;
        let expired: Vec<SocketAddr> = self
            .peers
            .iter()
            .filter(|(_, p)| now.saturating_duration_since(p.last_heard) >= idle)
            .map(|(a, _)| *a)
            .collect();
        for peer in expired {
            self.peers.remove(&peer);
            self.events.push_back(EndpointEvent::TimedOut { peer });
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<(SocketAddr, Vec<u8>)> {
        self.transmits.pop_front()
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
            _ => None,
        };
        let idle = self
            .peers
            .values()
            .map(|p| p.last_heard + self.config.idle_timeout)
            .min();
        match (hs, idle) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
