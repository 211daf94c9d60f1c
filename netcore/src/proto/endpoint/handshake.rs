//! Handshakes inside the endpoint: a server answering hellos (cookies) and inits (a new
//! connection with its connection ID), and a client's handshake becoming its connection.

use super::{Endpoint, EndpointEvent, Peer, Role};
use crate::proto::conn::Connection;
use crate::proto::cookie::CookieJar;
use crate::proto::drops::DropReason;
use crate::proto::handshake::{ClientEvent, ServerHandshake};
use crate::proto::packet::{CID_LEN, CLIENT_NONCE_LEN};
use std::net::SocketAddr;
use std::time::Instant;

impl Endpoint {
    pub(super) fn jar(&mut self, now: Instant) -> Option<&mut CookieJar> {
        let every = self.config.cookie_rotate_every;
        let entropy = &self.config.entropy;
        match &mut self.role {
            Role::Server { jar, .. } => {
                Some(jar.get_or_insert_with(|| CookieJar::new(now, every, entropy.clone())))
            }
            Role::Client { .. } => None,
        }
    }

    /// Server role: the handshake and the cookie jar (made on first use).
    fn server_parts(&mut self, now: Instant) -> Result<(&ServerHandshake, &CookieJar), DropReason> {
        self.jar(now);
        match &self.role {
            Role::Server {
                handshake,
                jar: Some(jar),
            } => Ok((handshake, jar)),
            _ => Err(DropReason::UnexpectedType),
        }
    }

    pub(super) fn on_hello(
        &mut self,
        now: Instant,
        from: SocketAddr,
        d: &[u8],
    ) -> Result<(), DropReason> {
        let (handshake, jar) = self.server_parts(now)?;
        let cookie = handshake.answer_hello(jar, from, d)?;
        self.handshake_out.push_back((from, cookie));
        Ok(())
    }

    pub(super) fn on_init(
        &mut self,
        now: Instant,
        from: SocketAddr,
        d: &[u8],
    ) -> Result<(), DropReason> {
        let (handshake, jar) = self.server_parts(now)?;
        handshake.check_init(jar, from, d)?;
        if self.closed_inits.contains_key(&nonce_of_init(d)) {
            return Err(DropReason::Replayed);
        }
        if let Some(peer) = self.peers.get(&from) {
            if peer.init == d {
                // Our response was lost: answer again, with the same bytes.
                self.handshake_out.push_back((from, peer.response.clone()));
                return Ok(());
            }
            return Err(DropReason::HandshakeForLivePeer);
        }
        if self.peers.len() >= self.config.max_peers {
            return Err(DropReason::ServerFull);
        }
        let cid = self.fresh_cid();
        let Role::Server { handshake, .. } = &self.role else {
            return Err(DropReason::UnexpectedType);
        };
        let accepted = handshake.accept(d, cid)?;
        self.handshake_out
            .push_back((from, accepted.response.clone()));
        let conn = Connection::new(now, from, accepted.session, self.config.conn, None);
        self.cids.insert(cid, from);
        self.insert(from, conn, d.to_vec(), accepted.response, Some(cid));
        self.events.push_back(EndpointEvent::Connected {
            peer: from,
            rtt: None,
        });
        Ok(())
    }

    /// A connection ID no live connection has (drawn from the entropy source, 8 bytes; a
    /// collision, one in 2^64 per pair, draws again).
    pub(super) fn fresh_cid(&self) -> [u8; CID_LEN] {
        loop {
            let cid = self.config.entropy.array();
            if !self.cids.contains_key(&cid) {
                return cid;
            }
        }
    }

    pub(super) fn insert(
        &mut self,
        peer: SocketAddr,
        conn: Connection,
        init: Vec<u8>,
        response: Vec<u8>,
        cid: Option<[u8; CID_LEN]>,
    ) {
        self.timers.set(peer, conn.poll_timeout());
        self.peers.insert(
            peer,
            Peer {
                conn,
                init,
                response,
                cid,
                probe: None,
            },
        );
        self.mark_active(peer);
    }

    pub(super) fn on_client_handshake(
        &mut self,
        now: Instant,
        from: SocketAddr,
        d: &[u8],
    ) -> Result<(), DropReason> {
        let Role::Client { server, handshake } = &mut self.role else {
            return Err(DropReason::UnexpectedType);
        };
        if from != *server {
            return Err(DropReason::UnknownPeer);
        }
        let Some(hs) = handshake.as_mut() else {
            // A duplicate answer after the handshake ended.
            return Err(DropReason::HandshakeFailed);
        };
        let result = hs.handle_packet(now, d);
        self.pump_client(now);
        result
    }

    /// Move the client handshake's output into the endpoint queues.
    pub(super) fn pump_client(&mut self, now: Instant) {
        let Role::Client {
            server,
            handshake: Some(hs),
        } = &mut self.role
        else {
            return;
        };
        let server = *server;
        if let Some(d) = hs.poll_transmit() {
            self.handshake_out.push_back((server, d));
        }
        match hs.poll_event() {
            Some(ClientEvent::Established { session, rtt }) => {
                self.role = Role::Client {
                    server,
                    handshake: None,
                };
                let conn = Connection::new(now, server, session, self.config.conn, Some(rtt));
                self.insert(server, conn, Vec::new(), Vec::new(), None);
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
}

/// The client nonce of an init (checked to be a well-formed init before).
pub(super) fn nonce_of_init(init: &[u8]) -> [u8; CLIENT_NONCE_LEN] {
    init.get(2..2 + CLIENT_NONCE_LEN)
        .and_then(|n| n.try_into().ok())
        .unwrap_or([0u8; CLIENT_NONCE_LEN])
}
