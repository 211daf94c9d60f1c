//! The Noise NK handshake: the client knows the server's static X25519 key, the server learns
//! nothing about the client (identity comes later, from the JWT in the first reliable message).
//!
//! Sans-IO: [`ClientHandshake`] takes time and datagrams and yields datagrams, events and its
//! next deadline; [`ServerHandshake`] turns one init datagram into a response and a session.

use crate::packet::{
    HANDSHAKE_INIT_LEN, HANDSHAKE_RESPONSE_LEN, NOISE_INIT_LEN, PROTOCOL_VERSION, PacketType,
};
use crate::session::Session;
pub use crate::x25519::public_key_of;
use crate::x25519::resolver;
use snow::params::NoiseParams;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The Noise protocol name used by both sides.
pub const NOISE_PARAMS: &str = "Noise_NK_25519_AESGCM_SHA256";
const PROLOGUE: &[u8] = b"starlane-udp v1";

/// Error in the handshake; the datagram that caused it is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error("handshake packet has the wrong length")]
    BadLength,
    #[error("not the expected handshake packet type")]
    WrongType,
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    #[error("noise handshake failed")]
    Crypto,
    #[error("invalid key")]
    BadKey,
    #[error("no answer from the server before the deadline")]
    TimedOut,
}

fn params() -> NoiseParams {
    NOISE_PARAMS
        .parse()
        .expect("NOISE_PARAMS is a valid constant protocol name")
}

/// Generate a static X25519 keypair: `(private, public)`.
pub fn generate_keypair() -> ([u8; 32], [u8; 32]) {
    let mut private = [0u8; 32];
    rand::fill(&mut private);
    let public = public_key_of(&private);
    (private, public)
}

/// Timers of the client handshake.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeTiming {
    /// Resend the init this often until answered.
    pub resend_interval: Duration,
    /// Give up this long after starting.
    pub timeout: Duration,
}

impl Default for HandshakeTiming {
    fn default() -> Self {
        Self {
            resend_interval: Duration::from_millis(250),
            timeout: Duration::from_secs(5),
        }
    }
}

/// What the client handshake produced.
#[derive(Debug)]
pub enum ClientEvent {
    /// The server answered; the session is ready. `rtt` is measured from the last init sent.
    Established { session: Session, rtt: Duration },
    /// The handshake gave up.
    Failed(HandshakeError),
}

/// The initiator side of the handshake.
pub struct ClientHandshake {
    server_public: [u8; 32],
    noise: Option<snow::HandshakeState>,
    init: Vec<u8>,
    timing: HandshakeTiming,
    deadline: Instant,
    next_resend: Instant,
    last_sent: Instant,
    transmit: Option<Vec<u8>>,
    event: Option<ClientEvent>,
}

impl std::fmt::Debug for ClientHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandshake")
            .field("done", &self.noise.is_none())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl ClientHandshake {
    /// Start a handshake towards a server whose static public key is `server_public`.
    /// The first init is ready in [`poll_transmit`](Self::poll_transmit).
    pub fn new(
        now: Instant,
        server_public: [u8; 32],
        timing: HandshakeTiming,
    ) -> Result<Self, HandshakeError> {
        let mut hs = Self {
            server_public,
            noise: None,
            init: Vec::new(),
            timing,
            deadline: now + timing.timeout,
            next_resend: now,
            last_sent: now,
            transmit: None,
            event: None,
        };
        hs.restart(now)?;
        Ok(hs)
    }

    /// Build a fresh initiator state and init datagram.
    fn restart(&mut self, now: Instant) -> Result<(), HandshakeError> {
        let mut noise = snow::Builder::with_resolver(params(), resolver())
            .prologue(PROLOGUE)
            .and_then(|b| b.remote_public_key(&self.server_public))
            .and_then(|b| b.build_initiator())
            .map_err(|_| HandshakeError::BadKey)?;
        let mut init = vec![0u8; HANDSHAKE_INIT_LEN];
        init[0] = PacketType::HandshakeInit as u8;
        init[1] = PROTOCOL_VERSION;
        let n = noise
            .write_message(&[], &mut init[2..])
            .map_err(|_| HandshakeError::Crypto)?;
        if n != NOISE_INIT_LEN {
            return Err(HandshakeError::Crypto);
        }
        self.noise = Some(noise);
        self.init = init;
        self.send_init(now);
        Ok(())
    }

    fn send_init(&mut self, now: Instant) {
        self.transmit = Some(self.init.clone());
        self.last_sent = now;
        self.next_resend = now + self.timing.resend_interval;
    }

    /// Whether the handshake has finished (either way).
    pub fn is_done(&self) -> bool {
        self.noise.is_none()
    }

    /// Feed a datagram from the server. On error the datagram is dropped and the handshake
    /// goes on (a forged response restarts it with a fresh ephemeral key).
    pub fn handle_packet(&mut self, now: Instant, datagram: &[u8]) -> Result<(), HandshakeError> {
        let Some(noise) = self.noise.as_mut() else {
            return Err(HandshakeError::WrongType);
        };
        if datagram.first() != Some(&(PacketType::HandshakeResponse as u8)) {
            return Err(HandshakeError::WrongType);
        }
        if datagram.len() != HANDSHAKE_RESPONSE_LEN {
            return Err(HandshakeError::BadLength);
        }
        let mut payload = [0u8; HANDSHAKE_RESPONSE_LEN];
        if noise.read_message(&datagram[1..], &mut payload).is_err() {
            // The Noise state may be poisoned; begin again with a new ephemeral key.
            self.restart(now)?;
            return Err(HandshakeError::Crypto);
        }
        let noise = self.noise.take().ok_or(HandshakeError::Crypto)?;
        let transport = noise
            .into_stateless_transport_mode()
            .map_err(|_| HandshakeError::Crypto)?;
        let rtt = now.saturating_duration_since(self.last_sent);
        self.transmit = None;
        self.event = Some(ClientEvent::Established {
            session: Session::new(transport),
            rtt,
        });
        Ok(())
    }

    /// Advance timers: resend the init, or give up at the deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.noise.is_none() {
            return;
        }
        if now >= self.deadline {
            self.noise = None;
            self.transmit = None;
            self.event = Some(ClientEvent::Failed(HandshakeError::TimedOut));
        } else if now >= self.next_resend {
            self.send_init(now);
        }
    }

    /// The next datagram to send to the server.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.take()
    }

    /// The outcome, once.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.event.take()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.noise
            .as_ref()
            .map(|_| self.next_resend.min(self.deadline))
    }
}

/// A handshake the server accepted.
#[derive(Debug)]
pub struct Accepted {
    /// The handshake-response datagram to send back.
    pub response: Vec<u8>,
    /// The established session.
    pub session: Session,
}

/// The responder side: holds the server's static key.
pub struct ServerHandshake {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl std::fmt::Debug for ServerHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandshake")
            .field("public", &hex::encode(self.public))
            .finish()
    }
}

impl ServerHandshake {
    /// A responder for the static private key `private`.
    pub fn new(private: [u8; 32]) -> Self {
        let public = public_key_of(&private);
        Self {
            private: Zeroizing::new(private),
            public,
        }
    }

    /// The static public key clients must know.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// Answer a handshake-init datagram.
    pub fn accept(&self, datagram: &[u8]) -> Result<Accepted, HandshakeError> {
        if datagram.first() != Some(&(PacketType::HandshakeInit as u8)) {
            return Err(HandshakeError::WrongType);
        }
        if datagram.len() != HANDSHAKE_INIT_LEN {
            return Err(HandshakeError::BadLength);
        }
        let version = datagram.get(1).copied().unwrap_or(0);
        if version != PROTOCOL_VERSION {
            return Err(HandshakeError::UnsupportedVersion(version));
        }
        let message = datagram
            .get(2..2 + NOISE_INIT_LEN)
            .ok_or(HandshakeError::BadLength)?;
        let mut noise = snow::Builder::with_resolver(params(), resolver())
            .prologue(PROLOGUE)
            .and_then(|b| b.local_private_key(&self.private[..]))
            .and_then(|b| b.build_responder())
            .map_err(|_| HandshakeError::BadKey)?;
        let mut payload = [0u8; HANDSHAKE_INIT_LEN];
        noise
            .read_message(message, &mut payload)
            .map_err(|_| HandshakeError::Crypto)?;
        let mut response = vec![0u8; HANDSHAKE_RESPONSE_LEN];
        response[0] = PacketType::HandshakeResponse as u8;
        let n = noise
            .write_message(&[], &mut response[1..])
            .map_err(|_| HandshakeError::Crypto)?;
        response.truncate(1 + n);
        let transport = noise
            .into_stateless_transport_mode()
            .map_err(|_| HandshakeError::Crypto)?;
        Ok(Accepted {
            response,
            session: Session::new(transport),
        })
    }
}
