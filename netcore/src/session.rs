//! The AEAD session that follows the handshake.
//!
//! A session packet is `[type][counter u64 LE][AEAD(key, nonce = counter, [type][body])]`.
//! The outer type byte is repeated inside the ciphertext so it is authenticated too.

use crate::packet::{MAX_DATAGRAM, MAX_SESSION_BODY, PacketType, SESSION_HEADER_LEN, TAG_LEN};
use crate::replay::{ReplayError, ReplayWindow};
use snow::StatelessTransportState;

/// Why a datagram was dropped. Each reason has its own counter in [`DropCounters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Shorter than its packet type needs.
    TooShort,
    /// Longer than [`MAX_DATAGRAM`] or than its packet type allows.
    Oversized,
    /// Unknown packet-type byte.
    UnknownType,
    /// A packet type this side never accepts (e.g. a handshake init at a client).
    UnexpectedType,
    /// A session packet from an address with no session.
    UnknownPeer,
    /// Authentication failed (tampered, or encrypted under another key).
    Decrypt,
    /// Counter already accepted.
    Replayed,
    /// Counter below the replay window.
    TooOld,
    /// Authenticated inner type differs from the outer type byte.
    TypeMismatch,
    /// A handshake init that failed (bad version, wrong server key, garbage).
    HandshakeFailed,
    /// A new handshake init for an address that has a live session.
    HandshakeForLivePeer,
    /// The server is at its peer limit.
    ServerFull,
}

impl DropReason {
    /// A short label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::Oversized => "oversized",
            Self::UnknownType => "unknown_type",
            Self::UnexpectedType => "unexpected_type",
            Self::UnknownPeer => "unknown_peer",
            Self::Decrypt => "decrypt",
            Self::Replayed => "replayed",
            Self::TooOld => "too_old",
            Self::TypeMismatch => "type_mismatch",
            Self::HandshakeFailed => "handshake_failed",
            Self::HandshakeForLivePeer => "handshake_for_live_peer",
            Self::ServerFull => "server_full",
        }
    }
}

/// Counts of dropped datagrams by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounters {
    pub too_short: u64,
    pub oversized: u64,
    pub unknown_type: u64,
    pub unexpected_type: u64,
    pub unknown_peer: u64,
    pub decrypt: u64,
    pub replayed: u64,
    pub too_old: u64,
    pub type_mismatch: u64,
    pub handshake_failed: u64,
    pub handshake_for_live_peer: u64,
    pub server_full: u64,
}

impl DropCounters {
    /// Count one drop.
    pub fn record(&mut self, reason: DropReason) {
        let slot = match reason {
            DropReason::TooShort => &mut self.too_short,
            DropReason::Oversized => &mut self.oversized,
            DropReason::UnknownType => &mut self.unknown_type,
            DropReason::UnexpectedType => &mut self.unexpected_type,
            DropReason::UnknownPeer => &mut self.unknown_peer,
            DropReason::Decrypt => &mut self.decrypt,
            DropReason::Replayed => &mut self.replayed,
            DropReason::TooOld => &mut self.too_old,
            DropReason::TypeMismatch => &mut self.type_mismatch,
            DropReason::HandshakeFailed => &mut self.handshake_failed,
            DropReason::HandshakeForLivePeer => &mut self.handshake_for_live_peer,
            DropReason::ServerFull => &mut self.server_full,
        };
        *slot += 1;
    }

    /// Sum of all counters.
    pub fn total(&self) -> u64 {
        self.too_short
            + self.oversized
            + self.unknown_type
            + self.unexpected_type
            + self.unknown_peer
            + self.decrypt
            + self.replayed
            + self.too_old
            + self.type_mismatch
            + self.handshake_failed
            + self.handshake_for_live_peer
            + self.server_full
    }
}

/// Error sealing a session packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("body of {0} bytes exceeds the session packet limit")]
    TooLarge(usize),
    #[error("packet type is not a session type")]
    NotSessionType,
    #[error("send counter exhausted")]
    Exhausted,
    #[error("encryption failed")]
    Crypto,
}

/// Error opening a session packet; the packet is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("packet too short")]
    TooShort,
    #[error("packet too large")]
    Oversized,
    #[error("not a session packet")]
    NotSessionType,
    #[error("replayed counter")]
    Replayed,
    #[error("counter too old")]
    TooOld,
    #[error("authentication failed")]
    Decrypt,
    #[error("inner type does not match outer type")]
    TypeMismatch,
}

impl OpenError {
    /// The drop counter this error increments.
    pub fn reason(self) -> DropReason {
        match self {
            Self::TooShort => DropReason::TooShort,
            Self::Oversized => DropReason::Oversized,
            Self::NotSessionType => DropReason::UnexpectedType,
            Self::Replayed => DropReason::Replayed,
            Self::TooOld => DropReason::TooOld,
            Self::Decrypt => DropReason::Decrypt,
            Self::TypeMismatch => DropReason::TypeMismatch,
        }
    }
}

impl From<ReplayError> for OpenError {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => Self::Replayed,
            ReplayError::TooOld => Self::TooOld,
        }
    }
}

/// An authenticated session packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// [`PacketType::Data`] or [`PacketType::Disconnect`].
    pub kind: PacketType,
    /// The authenticated body.
    pub body: Vec<u8>,
}

/// Keys and counters of one established session.
pub struct Session {
    transport: StatelessTransportState,
    next_send: u64,
    replay: ReplayWindow,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("next_send", &self.next_send)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Wrap the transport state a finished handshake produced.
    pub fn new(transport: StatelessTransportState) -> Self {
        Self {
            transport,
            next_send: 0,
            replay: ReplayWindow::default(),
        }
    }

    /// Encrypt `body` as a packet of type `kind`.
    pub fn seal(&mut self, kind: PacketType, body: &[u8]) -> Result<Vec<u8>, SealError> {
        if !kind.is_session() {
            return Err(SealError::NotSessionType);
        }
        if body.len() > MAX_SESSION_BODY {
            return Err(SealError::TooLarge(body.len()));
        }
        // Noise reserves the all-ones nonce.
        if self.next_send == u64::MAX {
            return Err(SealError::Exhausted);
        }
        let counter = self.next_send;
        self.next_send += 1;
        let mut plain = Vec::with_capacity(1 + body.len());
        plain.push(kind as u8);
        plain.extend_from_slice(body);
        let mut out = vec![0u8; SESSION_HEADER_LEN + plain.len() + TAG_LEN];
        out[0] = kind as u8;
        out[1..SESSION_HEADER_LEN].copy_from_slice(&counter.to_le_bytes());
        let n = self
            .transport
            .write_message(counter, &plain, &mut out[SESSION_HEADER_LEN..])
            .map_err(|_| SealError::Crypto)?;
        out.truncate(SESSION_HEADER_LEN + n);
        Ok(out)
    }

    /// Authenticate and decrypt a session packet; replays and forgeries are refused.
    pub fn open(&mut self, datagram: &[u8]) -> Result<Opened, OpenError> {
        if datagram.len() > MAX_DATAGRAM {
            return Err(OpenError::Oversized);
        }
        let Some((&type_byte, rest)) = datagram.split_first() else {
            return Err(OpenError::TooShort);
        };
        let kind = PacketType::from_byte(type_byte)
            .filter(|k| k.is_session())
            .ok_or(OpenError::NotSessionType)?;
        let Some((counter_bytes, sealed)) = rest.split_first_chunk::<8>() else {
            return Err(OpenError::TooShort);
        };
        if sealed.len() < 1 + TAG_LEN {
            return Err(OpenError::TooShort);
        }
        let counter = u64::from_le_bytes(*counter_bytes);
        self.replay.check(counter)?;
        let mut plain = vec![0u8; sealed.len()];
        let n = self
            .transport
            .read_message(counter, sealed, &mut plain)
            .map_err(|_| OpenError::Decrypt)?;
        plain.truncate(n);
        if plain.first() != Some(&type_byte) {
            return Err(OpenError::TypeMismatch);
        }
        self.replay.accept(counter)?;
        plain.remove(0);
        Ok(Opened { kind, body: plain })
    }
}
