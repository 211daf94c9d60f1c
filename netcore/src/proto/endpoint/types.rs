//! What an endpoint tells its driver, and how it is set up.

use crate::proto::conn::{CloseCause, ConnConfig};
use crate::proto::cookie::DEFAULT_ROTATE_EVERY;
use crate::proto::entropy::EntropySource;
use crate::proto::handshake::{HandshakeError, HandshakeTiming};
use std::net::SocketAddr;
use std::time::Duration;

/// Something the driver must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointEvent {
    /// A connection with this peer is established. `rtt` is known on the client side.
    Connected {
        peer: SocketAddr,
        rtt: Option<Duration>,
    },
    /// A reliable message from the peer (exactly once, in order).
    Message { peer: SocketAddr, bytes: Vec<u8> },
    /// An unreliable datagram from the peer.
    Datagram { peer: SocketAddr, bytes: Vec<u8> },
    /// The peer's first reliable message passed the first-message limit
    /// ([`ConnConfig::max_first_message`]) with `len` bytes received; it is dropped.
    FirstMessageTooLarge { peer: SocketAddr, len: usize },
    /// The connection with this peer ended; its keys are wiped.
    Closed { peer: SocketAddr, cause: CloseCause },
    /// Server role: the connection at `from` proved its client receives at `to` and moved
    /// there; every later event and call names it by `to`.
    Migrated { from: SocketAddr, to: SocketAddr },
    /// Client role: the handshake failed.
    ConnectFailed(HandshakeError),
}

/// Settings of an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// Settings of each connection (idle timeout, keepalive, message limits).
    pub conn: ConnConfig,
    /// Server role: most connections held at once.
    pub max_peers: usize,
    /// Server role: how often cookie secrets rotate (a cookie lives one to two periods).
    pub cookie_rotate_every: Duration,
    /// Client role: handshake resend interval and deadline.
    pub handshake: HandshakeTiming,
    /// Where every random byte comes from: client nonces, ephemeral keys, cookie secrets
    /// (draw order: `netcore/SPEC.md`, "Randomness"). The operating system's generator by
    /// default; tests inject a seeded or scripted one.
    pub entropy: EntropySource,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            conn: ConnConfig::default(),
            max_peers: 100_000,
            cookie_rotate_every: DEFAULT_ROTATE_EVERY,
            handshake: HandshakeTiming::default(),
            entropy: EntropySource::default(),
        }
    }
}
