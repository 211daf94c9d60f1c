//! Datagram layout of the encrypted UDP transport (specified in `netcore/SPEC.md`).
//!
//! Every datagram starts with one packet-type byte. The handshake is four packets: the client's
//! hello, the server's stateless cookie, the client's init (cookie + Noise message 1) and the
//! server's response (Noise message 2). Session packets carry an 8-byte little-endian counter
//! (the AEAD nonce) and the ciphertext of the body followed by the 16-byte tag; the type byte and
//! the counter are the AEAD's associated data.

/// Largest datagram either side sends or accepts.
pub const MAX_DATAGRAM: usize = 1200;
/// Version byte carried in the hello and the init; a hello or init with another version is
/// refused (`bad_version`). Version 3: the data body is netcore's own channel byte plus frames
/// or a datagram (version 2 carried a laminar packet). The Noise prologue string
/// (`starlane-udp v2`) is unchanged: the handshake did not change.
pub const PROTOCOL_VERSION: u8 = 3;
/// Bytes of the packet-type byte plus the counter.
pub const SESSION_HEADER_LEN: usize = 1 + 8;
/// AEAD tag length.
pub const TAG_LEN: usize = 16;
/// Total bytes a session packet adds around its body.
pub const SESSION_OVERHEAD: usize = SESSION_HEADER_LEN + TAG_LEN;
/// Largest body a session packet can carry.
pub const MAX_SESSION_BODY: usize = MAX_DATAGRAM - SESSION_OVERHEAD;
/// Length of the client's random nonce that binds a cookie to one handshake attempt.
pub const CLIENT_NONCE_LEN: usize = 16;
/// Length of a cookie: epoch (u32 LE) + truncated HMAC-SHA256 (16 bytes).
pub const COOKIE_LEN: usize = 4 + 16;
/// Length of the Noise NK first message (ephemeral key + empty encrypted payload).
pub const NOISE_INIT_LEN: usize = 32 + TAG_LEN;
/// Length of the Noise NK second message.
pub const NOISE_RESPONSE_LEN: usize = 32 + TAG_LEN;
/// Length of a hello: `type version client_nonce` and zero padding up to 64 bytes, so the
/// cookie answer is never larger than the hello that asked for it.
pub const HELLO_LEN: usize = 64;
/// Length of a cookie packet: `type client_nonce cookie`.
pub const COOKIE_PACKET_LEN: usize = 1 + CLIENT_NONCE_LEN + COOKIE_LEN;
/// Length of an init: `type version client_nonce cookie noise_msg1`.
pub const INIT_LEN: usize = 2 + CLIENT_NONCE_LEN + COOKIE_LEN + NOISE_INIT_LEN;
/// Length of a response: `type noise_msg2`.
pub const RESPONSE_LEN: usize = 1 + NOISE_RESPONSE_LEN;

// No response may be larger than its request (no amplification).
const _: () = assert!(COOKIE_PACKET_LEN <= HELLO_LEN);
const _: () = assert!(RESPONSE_LEN <= INIT_LEN);
// The fixed parts of a hello fit its padded length.
const _: () = assert!(2 + CLIENT_NONCE_LEN <= HELLO_LEN);

/// The first byte of every datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// Client to server: `[type][version][client nonce 16][zero padding]` = 64 bytes.
    Hello = 1,
    /// Server to client: `[type][client nonce 16][cookie 20]` = 37 bytes. Stateless.
    Cookie = 2,
    /// Client to server: `[type][version][client nonce 16][cookie 20][Noise NK message 1]`.
    Init = 3,
    /// Server to client: `[type][Noise NK message 2]`.
    Response = 4,
    /// Either way: `[type][counter][AEAD(body)]`, associated data `[type][counter]`.
    Data = 5,
    /// Either way: `[type][counter][AEAD([reason code])]`, associated data `[type][counter]`.
    Disconnect = 6,
}

impl PacketType {
    /// Parse a packet-type byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Hello),
            2 => Some(Self::Cookie),
            3 => Some(Self::Init),
            4 => Some(Self::Response),
            5 => Some(Self::Data),
            6 => Some(Self::Disconnect),
            _ => None,
        }
    }

    /// Whether this type is carried inside an established session.
    pub fn is_session(self) -> bool {
        matches!(self, Self::Data | Self::Disconnect)
    }

    /// The exact length a handshake packet of this type must have (`None` for session types).
    pub fn handshake_len(self) -> Option<usize> {
        match self {
            Self::Hello => Some(HELLO_LEN),
            Self::Cookie => Some(COOKIE_PACKET_LEN),
            Self::Init => Some(INIT_LEN),
            Self::Response => Some(RESPONSE_LEN),
            Self::Data | Self::Disconnect => None,
        }
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
        for b in 0..=u8::MAX {
            if let Some(t) = PacketType::from_byte(b) {
                assert_eq!(t as u8, b);
            }
        }
        assert_eq!(PacketType::from_byte(0), None);
        assert_eq!(PacketType::from_byte(7), None);
        assert_eq!(peek_type(&[]), None);
    }

    #[test]
    fn handshake_sizes_are_fixed_and_answers_smaller() {
        assert_eq!(HELLO_LEN, 64);
        assert_eq!(COOKIE_PACKET_LEN, 37);
        assert_eq!(INIT_LEN, 86);
        assert_eq!(RESPONSE_LEN, 49);
    }
}
