//! Datagram layout of the encrypted UDP transport (specified in `netcore/SPEC.md`).
//!
//! Every datagram starts with one packet-type byte. The handshake is four packets: the client's
//! hello, the server's stateless cookie, the client's init (cookie + Noise message 1) and the
//! server's response (Noise message 2, whose payload is the server's connection ID). Session
//! packets carry the receiver's connection ID (8 bytes towards the server; none towards the
//! client, which holds one connection per socket), an 8-byte little-endian counter (the AEAD
//! nonce) and the ciphertext of the body followed by the 16-byte tag; everything before the
//! ciphertext is the AEAD's associated data.

/// Largest datagram either side sends or accepts.
pub const MAX_DATAGRAM: usize = 1200;
/// Version byte carried in the hello and the init; a hello or init with another version is
/// refused (`bad_version`). Version 4: packets to the server carry the connection ID the
/// server chose (in the response), so a connection survives a change of the client's address
/// (roaming, `netcore/SPEC.md`). Version 3: the data body is netcore's own channel byte plus
/// frames or a datagram (version 2 carried a laminar packet). The Noise prologue string
/// (`starlane-udp v2`) is unchanged: the Noise pattern did not change.
pub const PROTOCOL_VERSION: u8 = 4;
/// Length of a server's connection ID.
pub const CID_LEN: usize = 8;
/// Bytes of the packet-type byte plus the counter (a packet to the client).
pub const SESSION_HEADER_LEN: usize = 1 + 8;
/// Bytes of the packet-type byte, the connection ID and the counter (a packet to the server).
pub const SESSION_HEADER_CID_LEN: usize = SESSION_HEADER_LEN + CID_LEN;
/// AEAD tag length.
pub const TAG_LEN: usize = 16;
/// Fewest bytes a session packet to the client adds around its body.
pub const SESSION_OVERHEAD: usize = SESSION_HEADER_LEN + TAG_LEN;
/// Largest body a session packet can carry, in either direction (the same limit both ways:
/// a packet to the server, with its connection ID, stays within [`MAX_DATAGRAM`]).
pub const MAX_SESSION_BODY: usize = MAX_DATAGRAM - SESSION_HEADER_CID_LEN - TAG_LEN;
/// Length of the client's random nonce that binds a cookie to one handshake attempt.
pub const CLIENT_NONCE_LEN: usize = 16;
/// Length of a cookie: epoch (u32 LE) + truncated HMAC-SHA256 (16 bytes).
pub const COOKIE_LEN: usize = 4 + 16;
/// Length of the Noise NK first message (ephemeral key + empty encrypted payload).
pub const NOISE_INIT_LEN: usize = 32 + TAG_LEN;
/// Length of the Noise NK second message (ephemeral key + the encrypted connection ID).
pub const NOISE_RESPONSE_LEN: usize = 32 + CID_LEN + TAG_LEN;
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
    /// Server to client: `[type][Noise NK message 2 (payload: the connection ID)]`.
    Response = 4,
    /// Either way: `[type][connection ID, to the server][counter][AEAD(body)]`, associated
    /// data: everything before the ciphertext.
    Data = 5,
    /// Either way, laid out as data: the body is `[reason code]`.
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

/// The connection ID of a session packet to the server (`None` if too short to hold one).
pub fn cid_of(datagram: &[u8]) -> Option<[u8; CID_LEN]> {
    datagram.get(1..1 + CID_LEN)?.try_into().ok()
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
        assert_eq!(RESPONSE_LEN, 57);
        assert_eq!(MAX_SESSION_BODY, 1167);
    }
}
