//! One client session over encrypted UDP or WebTransport: hello, welcome, map, updates, commands, pings.

use crate::http::ConnectInfo;
use crate::world::{Applied, WorldView};
use starlane_netcore::link::{CloseReason, Link, LinkEvent};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::{
    Command, CommandError, EmpireId, EntityId, Hex, PROTOCOL_VERSION, RejectReason, Update,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use thiserror::Error;

/// How long to wait for the edge's welcome.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors opening a session.
#[derive(Debug, Error)]
pub enum ClientError {
    #[error("could not connect to the edge: {0}")]
    Connect(String),
    #[error("the edge refused the session: {0:?}")]
    Rejected(RejectReason),
    #[error("the link closed before the welcome: {0:?}")]
    Closed(CloseReason),
    #[error("no welcome within {0:?}")]
    Timeout(Duration),
    #[error("the edge sent an undecodable message: {0}")]
    Decode(String),
}

/// The edge closes a refused session with the reject reason as its close code, so the reason
/// is known even if the reject message itself was lost.
fn closed_before_welcome(reason: CloseReason) -> ClientError {
    match reason {
        CloseReason::Peer(code) => match RejectReason::from_u8(code) {
            Some(r) => ClientError::Rejected(r),
            None => ClientError::Closed(CloseReason::Peer(code)),
        },
        other => ClientError::Closed(other),
    }
}

/// Something that happened in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// An update was applied to [`Client::world`].
    Updated(Applied),
    /// The answer to a command.
    CommandResult {
        seq: u32,
        result: Result<(), CommandError>,
    },
    /// A pong: the measured round-trip time.
    Rtt(Duration),
    /// The session ended.
    Closed(String),
}

/// A connected, welcomed session.
#[derive(Debug)]
pub struct Client {
    link: Link,
    pub user_id: u64,
    pub empire: EmpireId,
    pub tick_rate_hz: u8,
    pub world: WorldView,
    next_seq: u32,
    next_nonce: u32,
    pings: HashMap<u32, Instant>,
    /// Latest round-trip time measured with pings.
    pub rtt: Option<Duration>,
    /// Messages received that did not decode.
    pub undecodable: u64,
    /// Updates kept for later analysis, when recording is on.
    recorded: Option<Vec<Update>>,
}

impl Client {
    /// Connect to the edge over encrypted UDP, send the token and wait for the welcome.
    pub async fn connect(info: &ConnectInfo, token: &str) -> Result<Self, ClientError> {
        let link = starlane_netcore::udp::connect(
            info.udp_addr,
            info.udp_public_key,
            Duration::from_secs(5),
        )
        .await
        .map_err(|e| ClientError::Connect(e.to_string()))?;
        Self::connect_link(link, token).await
    }

    /// Connect to the edge over WebTransport (`url` such as `https://127.0.0.1:4433/`),
    /// pinning the certificate whose SHA-256 is `cert_hash`, then send the token and wait
    /// for the welcome.
    pub async fn connect_webtransport(
        url: &str,
        cert_hash: [u8; 32],
        token: &str,
    ) -> Result<Self, ClientError> {
        let link = starlane_netcore::webtransport::connect_native(url, cert_hash)
            .await
            .map_err(|e| ClientError::Connect(e.to_string()))?;
        Self::connect_link(link, token).await
    }

    /// Run a session over an already connected link of any transport: send the hello with
    /// `token` and wait for the welcome.
    pub async fn connect_link(link: Link, token: &str) -> Result<Self, ClientError> {
        let hello = ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: token.to_string(),
        };
        link.sender.send_reliable(hello.encode());
        let mut client = Self {
            link,
            user_id: 0,
            empire: 0,
            tick_rate_hz: 0,
            world: WorldView::default(),
            next_seq: 1,
            next_nonce: 1,
            pings: HashMap::new(),
            rtt: None,
            undecodable: 0,
            recorded: None,
        };
        tokio::time::timeout(WELCOME_TIMEOUT, client.await_welcome())
            .await
            .map_err(|_| ClientError::Timeout(WELCOME_TIMEOUT))??;
        Ok(client)
    }

    /// Keep a copy of every update received from now on (see [`Client::take_recorded`]).
    pub fn record_updates(&mut self) {
        self.recorded.get_or_insert_with(Vec::new);
    }

    /// The updates recorded since [`Client::record_updates`] (recording goes on).
    pub fn take_recorded(&mut self) -> Vec<Update> {
        self.recorded
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    async fn await_welcome(&mut self) -> Result<(), ClientError> {
        loop {
            let bytes = match self.link.events.recv().await {
                Some(LinkEvent::Reliable(b)) | Some(LinkEvent::Datagram(b)) => b,
                Some(LinkEvent::Closed(r)) => return Err(closed_before_welcome(r)),
                None => return Err(ClientError::Closed(CloseReason::Transport("gone".into()))),
            };
            match ServerMsg::decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))? {
                ServerMsg::Welcome {
                    user_id,
                    empire,
                    tick_rate_hz,
                } => {
                    self.user_id = user_id;
                    self.empire = empire;
                    self.tick_rate_hz = tick_rate_hz;
                    self.world = WorldView::new(empire);
                    return Ok(());
                }
                ServerMsg::Reject { reason } => return Err(ClientError::Rejected(reason)),
                _ => {} // nothing else can precede the welcome; ignore it
            }
        }
    }

    /// Order `unit` to move to `to`. Returns the command's sequence number.
    pub fn send_move(&mut self, unit: EntityId, to: Hex) -> u32 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let msg = ClientMsg::Command {
            seq,
            command: Command::Move { unit, to },
        };
        self.link.sender.send_reliable(msg.encode());
        seq
    }

    /// Send a ping datagram; the pong yields [`ClientEvent::Rtt`].
    pub fn ping(&mut self) {
        let nonce = self.next_nonce;
        self.next_nonce = self.next_nonce.wrapping_add(1);
        self.pings.insert(nonce, Instant::now());
        if self.pings.len() > 64 {
            // Lost pings would otherwise accumulate forever.
            let oldest = self.pings.iter().min_by_key(|(_, t)| **t).map(|(n, _)| *n);
            if let Some(n) = oldest {
                self.pings.remove(&n);
            }
        }
        self.link
            .sender
            .send_datagram(ClientMsg::Ping { nonce }.encode());
    }

    /// Close the session.
    pub fn close(&self) {
        self.link.sender.close(0);
    }

    /// Link counters (bytes and packets each way).
    pub fn stats(&self) -> &starlane_netcore::link::LinkStats {
        &self.link.stats
    }

    /// Wait for the next event; `None` once the session has ended and been reported.
    pub async fn next_event(&mut self) -> Option<ClientEvent> {
        loop {
            let bytes = match self.link.events.recv().await? {
                LinkEvent::Reliable(b) | LinkEvent::Datagram(b) => b,
                LinkEvent::Closed(r) => return Some(ClientEvent::Closed(format!("{r:?}"))),
            };
            let Ok(msg) = ServerMsg::decode(&bytes) else {
                self.undecodable += 1;
                continue;
            };
            if let Some(event) = self.handle(msg) {
                return Some(event);
            }
        }
    }

    fn handle(&mut self, msg: ServerMsg) -> Option<ClientEvent> {
        match msg {
            ServerMsg::Map(map) => {
                self.world.map = Some(map);
                None
            }
            ServerMsg::Update(u) => {
                let applied = self.world.apply(&u);
                if let Some(rec) = self.recorded.as_mut() {
                    rec.push(u);
                }
                Some(ClientEvent::Updated(applied))
            }
            ServerMsg::CommandAck { seq } => Some(ClientEvent::CommandResult {
                seq,
                result: Ok(()),
            }),
            ServerMsg::CommandRejected { seq, error } => Some(ClientEvent::CommandResult {
                seq,
                result: Err(error),
            }),
            ServerMsg::Pong { nonce } => {
                let rtt = self.pings.remove(&nonce)?.elapsed();
                self.rtt = Some(rtt);
                Some(ClientEvent::Rtt(rtt))
            }
            ServerMsg::Reject { reason } => {
                Some(ClientEvent::Closed(format!("rejected: {reason:?}")))
            }
            // Delta updates (SPEC.md §16) are not sent by the edge yet.
            ServerMsg::Welcome { .. } | ServerMsg::EntityPacket(_) => None,
        }
    }
}
