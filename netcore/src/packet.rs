//! Datagram layout of the encrypted UDP transport (see `netcore/README.md`).
//!
//! Every datagram starts with one packet-type byte. Handshake packets carry a Noise message;
//! session packets carry an 8-byte little-endian counter (the AEAD nonce) and the ciphertext
//! of `[inner type][body]` followed by the 16-byte tag.

/// Largest datagram either side sends or accepts.
pub const MAX_DATAGRAM: usize = 1200;
/// Version byte carried in the handshake init (also bound into the Noise prologue).
pub const PROTOCOL_VERSION: u8 = 1;
/// Bytes of the packet-type byte plus the counter.
pub const SESSION_HEADER_LEN: usize = 1 + 8;
/// AEAD tag length.
pub const TAG_LEN: usize = 16;
/// Total bytes a session packet adds around its body.
pub const SESSION_OVERHEAD: usize = SESSION_HEADER_LEN + 1 + TAG_LEN;
/// Largest body a session packet can carry.
pub const MAX_SESSION_BODY: usize = MAX_DATAGRAM - SESSION_OVERHEAD;
/// Length of the Noise NK first message (ephemeral key + empty encrypted payload).
pub const NOISE_INIT_LEN: usize = 32 + TAG_LEN;
/// Length of the Noise NK second message.
pub const NOISE_RESPONSE_LEN: usize = 32 + TAG_LEN;
/// Length of a handshake-init datagram: type, version, Noise message, zero padding.
/// The padding keeps the response (type + Noise message) smaller than the request.
pub const HANDSHAKE_INIT_LEN: usize = 2 + NOISE_INIT_LEN + 14;
/// Length of a handshake-response datagram.
pub const HANDSHAKE_RESPONSE_LEN: usize = 1 + NOISE_RESPONSE_LEN;

// No response may be larger than its request (no amplification).
const _: () = assert!(HANDSHAKE_RESPONSE_LEN <= HANDSHAKE_INIT_LEN);
// A full laminar fragment plus headers fits one datagram.
const _: () = assert!(SESSION_OVERHEAD + 1100 + 20 <= MAX_DATAGRAM);

/// The first byte of every datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// Client to server: `[type][version][Noise NK message 1][padding]`.
    HandshakeInit = 1,
    /// Server to client: `[type][Noise NK message 2]`.
    HandshakeResponse = 2,
    /// Either way: `[type][counter][AEAD([type][laminar packet])]`.
    Data = 3,
    /// Either way: `[type][counter][AEAD([type][reason code])]`.
    Disconnect = 4,
}

impl PacketType {
    /// Parse a packet-type byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::HandshakeInit),
            2 => Some(Self::HandshakeResponse),
            3 => Some(Self::Data),
            4 => Some(Self::Disconnect),
            _ => None,
        }
    }

    /// Whether this type is carried inside an established session.
    pub fn is_session(self) -> bool {
        matches!(self, Self::Data | Self::Disconnect)
    }
}

/// Read the packet type of a datagram, if it has a known one.
pub fn peek_type(datagram: &[u8]) -> Option<PacketType> {
    datagram.first().copied().and_then(PacketType::from_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for t in [
            PacketType::HandshakeInit,
            PacketType::HandshakeResponse,
            PacketType::Data,
            PacketType::Disconnect,
        ] {
            assert_eq!(PacketType::from_byte(t as u8), Some(t));
        }
        assert_eq!(PacketType::from_byte(0), None);
        assert_eq!(peek_type(&[]), None);
    }
}
