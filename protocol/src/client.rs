//! The client protocol: messages between game clients and the edge.
//!
//! Encoding and decoding are specified in `protocol/SPEC.md`.

use crate::delta::EntityPacket;
use crate::types::*;

/// Client → edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMsg {
    /// First reliable message of a session: protocol version and the login JWT.
    Hello { version: u16, token: String },
    /// A game command, numbered by the client so the answer can be matched.
    Command { seq: u32, command: Command },
    /// Round-trip probe; answered by [`ServerMsg::Pong`] with the same nonce.
    Ping { nonce: u32 },
    /// Acknowledges [`ServerMsg::EntityPacket`]s: `newest` is the newest sequence number
    /// received, bit `i` of `mask` is set if `newest - 1 - i` was received (SPEC.md §16).
    Ack { newest: u16, mask: u32 },
    /// First reliable message of a session that continues one opened on another edge of the
    /// region: the login JWT again (verified in full) and the resume ticket the previous edge
    /// gave (SPEC.md §17).
    Resume {
        version: u16,
        token: String,
        ticket: Vec<u8>,
    },
}

/// Edge → client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMsg {
    /// The session is accepted.
    Welcome {
        user_id: u64,
        empire: EmpireId,
        tick_rate_hz: u8,
    },
    /// The session is refused or closed; the connection ends after this.
    Reject { reason: RejectReason },
    /// The region's map.
    Map(MapInfo),
    /// Changes in what the client's empire sees. Retired (SPEC.md §5, §16): the edge sends
    /// [`ServerMsg::EntityPacket`]s instead; still a valid message that clients accept.
    Update(Update),
    /// The command numbered `seq` was accepted. Retired (SPEC.md §5, §16): command results
    /// travel as `EntityPacket` events; still a valid message that clients accept.
    CommandAck { seq: u32 },
    /// The command numbered `seq` was refused. Retired, as [`ServerMsg::CommandAck`].
    CommandRejected { seq: u32, error: CommandError },
    /// Answer to [`ClientMsg::Ping`].
    Pong { nonce: u32 },
    /// Entity state and reliable events, as an acknowledged datagram (SPEC.md §16).
    EntityPacket(EntityPacket),
    /// Something the client should show its player (SPEC.md §6.2): an operator broadcast, a
    /// revocation before the session closes, a world restored from a snapshot.
    Notice { kind: NoticeKind, text: String },
    /// Move to another edge of the region (SPEC.md §17): reconnect through `connect_url`
    /// (empty: the connect endpoint the client already uses) and say `Resume` with `ticket`.
    Move {
        reason: MoveReason,
        connect_url: String,
        ticket: Vec<u8>,
    },
    /// A resume ticket for this session (after `Welcome`, renewed before it expires), kept by
    /// the client for a reconnection after an unexpected close (SPEC.md §17).
    ResumeTicket { ticket: Vec<u8> },
    /// The region's recipe catalog (protocol version 3, SPEC.md §19), sent once after `Map`.
    Catalog(crate::economy::Catalog),
    /// Chat and the alliance of the player's empire (protocol version 5, SPEC.md §21.3).
    Social(crate::social::SocialMsg),
}

/// Why a client-protocol message was refused by [`ClientMsg::decode`] or [`ServerMsg::decode`].
///
/// Every variant maps to a stable snake_case label ([`DecodeError::reason`]) that is used as a
/// metrics label and appears in `protocol/vectors/invalid.json`; the TypeScript codec uses the
/// same labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before a field was complete (or a count promised more than fits).
    #[error("message truncated")]
    Truncated,
    /// The 8-bit message type is not defined for this direction.
    #[error("unknown message type {0:#04x}")]
    UnknownType(u8),
    /// The 8-bit command type inside a command message is not defined.
    #[error("unknown command type {0:#04x}")]
    UnknownCommand(u8),
    /// An enum-valued field holds a code outside its defined set.
    #[error("value {value} is not a valid {field}")]
    BadEnum {
        /// Name of the enum field.
        field: &'static str,
        /// The code found on the wire.
        value: u8,
    },
    /// A varint has too many groups or a value too large for its field.
    #[error("varint too large for its field")]
    VarintOverflow,
    /// A varint was not in its shortest form.
    #[error("varint not in its shortest form")]
    NonCanonicalVarint,
    /// A string's length prefix exceeds the field's maximum.
    #[error("string of {len} bytes exceeds the limit of {max}")]
    StringTooLong {
        /// Length found on the wire.
        len: u64,
        /// The field's limit.
        max: usize,
    },
    /// A list's count exceeds the field's maximum.
    #[error("{field} list of {len} entries exceeds the limit of {max}")]
    ListTooLong {
        /// Name of the list field.
        field: &'static str,
        /// Count found on the wire.
        len: u64,
        /// The field's limit.
        max: usize,
    },
    /// A varint is within its width but outside the field's range (e.g. a zero
    /// `baseline_age` or `health_step`).
    #[error("{field} out of range")]
    OutOfRange {
        /// Name of the field.
        field: &'static str,
    },
    /// A field holds a value in a form the canonical encoding does not use (SPEC.md §16.2:
    /// an explicit baseline age equal to the common age, a position delta that is one of the
    /// six steps, a common age that is not the most frequent age).
    #[error("{field} is not in its canonical form")]
    NonCanonical {
        /// Name of the field.
        field: &'static str,
    },
    /// A string is not valid UTF-8.
    #[error("string is not valid utf-8")]
    InvalidUtf8,
    /// The unused bits of the final byte are not all zero.
    #[error("non-zero padding bits in the final byte")]
    NonZeroPadding,
    /// Bytes follow the final byte of the message.
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
}

impl DecodeError {
    /// Every label [`DecodeError::reason`] can return, for pre-registering metrics.
    pub const REASONS: &'static [&'static str] = &[
        "truncated",
        "unknown_type",
        "unknown_command",
        "bad_enum",
        "varint_overflow",
        "non_canonical_varint",
        "string_too_long",
        "list_too_long",
        "invalid_utf8",
        "nonzero_padding",
        "trailing_bytes",
        "out_of_range",
        "non_canonical",
    ];

    /// A short, stable snake_case label for this error (a metrics label).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Truncated => "truncated",
            Self::UnknownType(_) => "unknown_type",
            Self::UnknownCommand(_) => "unknown_command",
            Self::BadEnum { .. } => "bad_enum",
            Self::VarintOverflow => "varint_overflow",
            Self::NonCanonicalVarint => "non_canonical_varint",
            Self::StringTooLong { .. } => "string_too_long",
            Self::ListTooLong { .. } => "list_too_long",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::NonZeroPadding => "nonzero_padding",
            Self::TrailingBytes(_) => "trailing_bytes",
            Self::OutOfRange { .. } => "out_of_range",
            Self::NonCanonical { .. } => "non_canonical",
        }
    }
}
