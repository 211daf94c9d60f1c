//! The handshake: a stateless cookie round-trip, then Noise NK (the client knows the server's
//! static X25519 key; the server learns nothing about the client, whose identity comes later
//! from the JWT in its first reliable message).
//!
//! Sans-IO: [`ClientHandshake`] takes time and datagrams and yields datagrams, its outcome and
//! its next deadline; [`ServerHandshake`] answers a hello with a cookie without keeping any
//! state, and turns an init carrying a valid cookie into a response and a [`Session`].

use crate::proto::cookie::CookieJar;
use crate::proto::drops::DropReason;
use crate::proto::entropy::EntropySource;
use crate::proto::packet::{
    CID_LEN, CLIENT_NONCE_LEN, COOKIE_LEN, COOKIE_PACKET_LEN, HELLO_LEN, INIT_LEN, NOISE_INIT_LEN,
    PROTOCOL_VERSION, PacketType, RESPONSE_LEN,
};
use crate::proto::session::Session;
pub use crate::proto::x25519::public_key_of;
use crate::proto::x25519::{replaying_resolver, resolver};
use snow::params::NoiseParams;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The Noise protocol name used by both sides.
pub const NOISE_PARAMS: &str = "Noise_NK_25519_AESGCM_SHA256";
/// Prologue prefix; the client nonce follows it, binding the Noise run to one attempt.
const PROLOGUE: &[u8] = b"starlane-udp v2";

/// Error in the client handshake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error("invalid server key")]
    BadKey,
    #[error("noise handshake failed")]
    Crypto,
    #[error("no answer from the server before the deadline")]
    TimedOut,
}

fn params() -> NoiseParams {
    NOISE_PARAMS
        .parse()
        .expect("NOISE_PARAMS is a valid constant protocol name")
}

fn prologue(nonce: &[u8]) -> Vec<u8> {
    [PROLOGUE, nonce].concat()
}

/// Generate a static X25519 keypair from the operating system's generator:
/// `(private, public)`.
pub fn generate_keypair() -> ([u8; 32], [u8; 32]) {
    generate_keypair_with(&EntropySource::os())
}

/// Generate a static X25519 keypair from `entropy` (one 32-byte draw): `(private, public)`.
pub fn generate_keypair_with(entropy: &EntropySource) -> ([u8; 32], [u8; 32]) {
    let private = entropy.array::<32>();
    let public = public_key_of(&private);
    (private, public)
}

/// Finish a Noise run: take the raw split keys (initiator-to-responder first) into a session.
fn into_session(mut noise: snow::HandshakeState, initiator: bool) -> Option<Session> {
    let (mut i2r, mut r2i) = noise.dangerously_get_raw_split();
    if initiator {
        Session::new(&mut i2r, &mut r2i)
    } else {
        Session::new(&mut r2i, &mut i2r)
    }
}

/// Timers of the client handshake.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeTiming {
    /// Resend the hello or init this often until answered.
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

/// Where the client handshake is (see `netcore/STATES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// Hello sent; waiting for the cookie.
    AwaitCookie,
    /// Init (with the cookie) sent; waiting for the response.
    AwaitResponse,
    /// The session is established (handed out through [`ClientHandshake::poll_event`]).
    Established,
    /// The handshake gave up.
    Failed,
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
    nonce: [u8; CLIENT_NONCE_LEN],
    state: ClientState,
    /// Where the nonce and the ephemeral key come from.
    entropy: EntropySource,
    /// The ephemeral X25519 secret of the init, drawn when the cookie arrives: each candidate
    /// response is read by a Noise state rebuilt from it (snow replays it as its random
    /// draw), so a forged response cannot poison the one the server answers.
    ephemeral: Option<Zeroizing<[u8; 32]>>,
    /// The packet resent until answered (hello, then init).
    current: Vec<u8>,
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
            .field("state", &self.state)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl ClientHandshake {
    /// Start a handshake towards a server whose static public key is `server_public`, drawing
    /// the client nonce (16 bytes) from `entropy` now and the init's ephemeral key (32 bytes)
    /// from it when the cookie arrives. The hello is ready in
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn new(
        now: Instant,
        server_public: [u8; 32],
        timing: HandshakeTiming,
        entropy: EntropySource,
    ) -> Result<Self, HandshakeError> {
        if public_key_of(&[0u8; 32]) == server_public || server_public == [0u8; 32] {
            return Err(HandshakeError::BadKey);
        }
        let nonce = entropy.array::<CLIENT_NONCE_LEN>();
        let mut hello = vec![0u8; HELLO_LEN];
        hello[0] = PacketType::Hello as u8;
        hello[1] = PROTOCOL_VERSION;
        hello[2..2 + CLIENT_NONCE_LEN].copy_from_slice(&nonce);
        let mut hs = Self {
            server_public,
            nonce,
            state: ClientState::AwaitCookie,
            entropy,
            ephemeral: None,
            current: hello,
            timing,
            deadline: now + timing.timeout,
            next_resend: now,
            last_sent: now,
            transmit: None,
            event: None,
        };
        hs.send_current(now);
        Ok(hs)
    }

    /// The current state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    fn send_current(&mut self, now: Instant) {
        self.transmit = Some(self.current.clone());
        self.last_sent = now;
        self.next_resend = now + self.timing.resend_interval;
    }

    /// A Noise initiator over this attempt's prologue and ephemeral key, with message 1
    /// written into `msg1`.
    fn initiator(&self, msg1: &mut [u8]) -> Result<snow::HandshakeState, HandshakeError> {
        let ephemeral = self.ephemeral.as_ref().ok_or(HandshakeError::Crypto)?;
        let mut noise = snow::Builder::with_resolver(params(), replaying_resolver(ephemeral))
            .prologue(&prologue(&self.nonce))
            .and_then(|b| b.remote_public_key(&self.server_public))
            .and_then(|b| b.build_initiator())
            .map_err(|_| HandshakeError::BadKey)?;
        let n = noise
            .write_message(&[], msg1)
            .map_err(|_| HandshakeError::Crypto)?;
        if n != NOISE_INIT_LEN {
            return Err(HandshakeError::Crypto);
        }
        Ok(noise)
    }

    /// Draw the ephemeral key and build the init carrying `cookie`.
    fn start_noise(&mut self, now: Instant, cookie: &[u8]) -> Result<(), HandshakeError> {
        let mut ephemeral = Zeroizing::new([0u8; 32]);
        self.entropy.fill(&mut ephemeral[..]);
        self.ephemeral = Some(ephemeral);
        let mut init = vec![0u8; INIT_LEN];
        init[0] = PacketType::Init as u8;
        init[1] = PROTOCOL_VERSION;
        init[2..2 + CLIENT_NONCE_LEN].copy_from_slice(&self.nonce);
        let at = 2 + CLIENT_NONCE_LEN;
        init[at..at + COOKIE_LEN].copy_from_slice(cookie);
        self.initiator(&mut init[at + COOKIE_LEN..])?;
        self.current = init;
        self.state = ClientState::AwaitResponse;
        self.send_current(now);
        Ok(())
    }

    /// Feed a datagram from the server. An error means the datagram was ignored, for the
    /// reason given; the handshake goes on.
    pub fn handle_packet(&mut self, now: Instant, datagram: &[u8]) -> Result<(), DropReason> {
        let kind = datagram
            .first()
            .copied()
            .and_then(PacketType::from_byte)
            .ok_or(DropReason::UnknownType)?;
        match (kind, self.state) {
            (PacketType::Cookie, ClientState::AwaitCookie) => {
                if datagram.len() != COOKIE_PACKET_LEN {
                    return Err(DropReason::BadLength);
                }
                let (nonce, cookie) = datagram[1..].split_at(CLIENT_NONCE_LEN);
                if nonce != self.nonce {
                    return Err(DropReason::BadCookie);
                }
                let cookie = cookie.to_vec();
                self.start_noise(now, &cookie)
                    .map_err(|_| DropReason::HandshakeFailed)
            }
            (PacketType::Response, ClientState::AwaitResponse) => {
                if datagram.len() != RESPONSE_LEN {
                    return Err(DropReason::BadLength);
                }
                self.read_response(now, datagram)
            }
            (PacketType::Cookie | PacketType::Response, _) => Err(DropReason::HandshakeFailed),
            _ => Err(DropReason::UnexpectedType),
        }
    }

    fn read_response(&mut self, now: Instant, datagram: &[u8]) -> Result<(), DropReason> {
        // A fresh state per candidate: a forged response leaves the attempt as it was, and
        // the genuine answer to the same init still opens it.
        let mut msg1 = [0u8; NOISE_INIT_LEN];
        let mut noise = self
            .initiator(&mut msg1)
            .map_err(|_| DropReason::HandshakeFailed)?;
        let mut payload = [0u8; RESPONSE_LEN];
        let n = noise
            .read_message(&datagram[1..], &mut payload)
            .map_err(|_| DropReason::HandshakeFailed)?;
        let cid: [u8; CID_LEN] = payload
            .get(..n)
            .and_then(|p| p.try_into().ok())
            .ok_or(DropReason::HandshakeFailed)?;
        let session = into_session(noise, true)
            .ok_or(DropReason::HandshakeFailed)?
            .with_connection_ids(Some(cid), None);
        self.ephemeral = None;
        let rtt = now.saturating_duration_since(self.last_sent);
        self.transmit = None;
        self.state = ClientState::Established;
        self.event = Some(ClientEvent::Established { session, rtt });
        Ok(())
    }

    /// Advance timers: resend the hello or init, or give up at the deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if !matches!(
            self.state,
            ClientState::AwaitCookie | ClientState::AwaitResponse
        ) {
            return;
        }
        if now >= self.deadline {
            self.ephemeral = None;
            self.transmit = None;
            self.state = ClientState::Failed;
            self.event = Some(ClientEvent::Failed(HandshakeError::TimedOut));
        } else if now >= self.next_resend {
            self.send_current(now);
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
        matches!(
            self.state,
            ClientState::AwaitCookie | ClientState::AwaitResponse
        )
        .then(|| self.next_resend.min(self.deadline))
    }
}

/// A handshake the server accepted.
#[derive(Debug)]
pub struct Accepted {
    /// The response datagram to send back.
    pub response: Vec<u8>,
    /// The established session.
    pub session: Session,
}

/// The responder side: holds the server's static key. Keeps no per-client state.
pub struct ServerHandshake {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
    /// Where each response's ephemeral key comes from (32 bytes per accepted init).
    entropy: EntropySource,
}

impl std::fmt::Debug for ServerHandshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandshake")
            .field("public", &hex::encode(self.public))
            .finish()
    }
}

/// Check a hello or init's fixed length and version; returns the client nonce.
fn nonce_of(datagram: &[u8], len: usize) -> Result<&[u8], DropReason> {
    if datagram.len() != len {
        return Err(DropReason::BadLength);
    }
    if datagram.get(1) != Some(&PROTOCOL_VERSION) {
        return Err(DropReason::BadVersion);
    }
    datagram
        .get(2..2 + CLIENT_NONCE_LEN)
        .ok_or(DropReason::BadLength)
}

impl ServerHandshake {
    /// A responder for the static private key `private`, drawing its ephemeral keys from
    /// `entropy`.
    pub fn new(private: [u8; 32], entropy: EntropySource) -> Self {
        let public = public_key_of(&private);
        Self {
            private: Zeroizing::new(private),
            public,
            entropy,
        }
    }

    /// The static public key clients must know.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// Answer a hello with a cookie packet (smaller than the hello). Stateless.
    pub fn answer_hello(
        &self,
        jar: &CookieJar,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<Vec<u8>, DropReason> {
        let nonce: [u8; CLIENT_NONCE_LEN] = nonce_of(datagram, HELLO_LEN)?
            .try_into()
            .map_err(|_| DropReason::BadLength)?;
        let mut out = Vec::with_capacity(COOKIE_PACKET_LEN);
        out.push(PacketType::Cookie as u8);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&jar.issue(from, &nonce));
        Ok(out)
    }

    /// Check an init's length, version and cookie, without any Noise work.
    pub fn check_init(
        &self,
        jar: &CookieJar,
        from: SocketAddr,
        datagram: &[u8],
    ) -> Result<(), DropReason> {
        let nonce = nonce_of(datagram, INIT_LEN)?;
        let at = 2 + CLIENT_NONCE_LEN;
        let cookie = datagram
            .get(at..at + COOKIE_LEN)
            .ok_or(DropReason::BadLength)?;
        if jar.verify(from, nonce, cookie) {
            Ok(())
        } else {
            Err(DropReason::BadCookie)
        }
    }

    /// Run the Noise responder on an init that passed [`check_init`](Self::check_init). The
    /// response's ephemeral key is drawn from the entropy source (32 bytes) once the init's
    /// Noise message has been read; the response's payload is `cid`, the connection ID the
    /// client will put in every packet of this connection.
    pub fn accept(&self, datagram: &[u8], cid: [u8; CID_LEN]) -> Result<Accepted, DropReason> {
        let nonce = nonce_of(datagram, INIT_LEN)?;
        let at = 2 + CLIENT_NONCE_LEN + COOKIE_LEN;
        let message = datagram
            .get(at..at + NOISE_INIT_LEN)
            .ok_or(DropReason::BadLength)?;
        let mut noise = snow::Builder::with_resolver(params(), resolver(self.entropy.clone()))
            .prologue(&prologue(nonce))
            .and_then(|b| b.local_private_key(&self.private[..]))
            .and_then(|b| b.build_responder())
            .map_err(|_| DropReason::HandshakeFailed)?;
        let mut payload = [0u8; INIT_LEN];
        noise
            .read_message(message, &mut payload)
            .map_err(|_| DropReason::HandshakeFailed)?;
        let mut response = vec![0u8; RESPONSE_LEN];
        response[0] = PacketType::Response as u8;
        let n = noise
            .write_message(&cid, &mut response[1..])
            .map_err(|_| DropReason::HandshakeFailed)?;
        response.truncate(1 + n);
        let session = into_session(noise, false)
            .ok_or(DropReason::HandshakeFailed)?
            .with_connection_ids(None, Some(cid));
        Ok(Accepted { response, session })
    }
}
