//! The bit-packed client-protocol codec: `ClientMsg::{encode, decode}` and
//! `ServerMsg::{encode, decode}`, specified in `protocol/SPEC.md`.
//!
//! Decoding never panics and never allocates more than the input could justify: every list
//! count and string length is checked against its limit and against the bits left in the
//! input before anything is allocated.

mod catalog;
mod client_msg;
mod delta_msg;
mod delta_size;
mod prim;
mod server_msg;
mod social;
pub use social::social_kind;

#[cfg(test)]
mod delta_size_tests;
#[cfg(test)]
mod delta_tests;
#[cfg(test)]
mod tests;

pub use prim::{zigzag_decode, zigzag_encode};

/// Longest `Hello` token any decoder accepts (bytes of UTF-8): the protocol's hard ceiling.
/// An edge refuses longer tokens sooner, at its configured `max_token_bytes` (8 KiB by
/// default, at most this), with `RejectReason::TokenTooLarge`.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Longest `Notice.text` (bytes of UTF-8).
pub const MAX_NOTICE_LEN: usize = 1024;

/// Bytes of the least `Hello` header: type (1) and version (2); the token's length
/// (a varint) and its bytes follow.
const HELLO_HEADER_LEN: usize = 3;

/// The encoded size of a `Hello` whose token is `token_len` bytes: the bound a transport can
/// put on a session's first reliable message when tokens may be at most `token_len` bytes.
pub fn hello_len(token_len: usize) -> usize {
    // A varint carries 7 bits per byte; zero still takes one byte.
    let bits = usize::BITS - token_len.leading_zeros();
    let varint = bits.div_ceil(7).max(1) as usize;
    HELLO_HEADER_LEN + varint + token_len
}

/// Longest resume ticket on the wire (bytes), in `Resume`, `Move` and `ResumeTicket`.
pub const MAX_TICKET_LEN: usize = 128;

/// Longest `Move.connect_url` (bytes of UTF-8).
pub const MAX_URL_LEN: usize = 1024;

/// The encoded size of a `Resume` whose token is `token_len` bytes and whose ticket is the
/// longest accepted: with [`hello_len`], the bound a transport puts on a first message.
pub fn resume_len(token_len: usize) -> usize {
    // One more type-independent field: the ticket's length (a varint of at most 2 bytes for
    // 128) and its bytes.
    hello_len(token_len) + 2 + MAX_TICKET_LEN
}

/// Most entries accepted in any list field.
pub const MAX_LIST_LEN: usize = 4096;

/// Largest `Welcome.user_id` on the wire: 2^53 - 1, so TypeScript clients hold it exactly.
pub const MAX_USER_ID: u64 = (1 << 53) - 1;

/// Largest stream frame body on WebTransport bidirectional streams (bytes).
pub const MAX_STREAM_FRAME: usize = 1 << 20;

/// 8-bit message type codes, client → edge.
pub mod client_type {
    /// `ClientMsg::Hello`.
    pub const HELLO: u8 = 0x01;
    /// `ClientMsg::Command`.
    pub const COMMAND: u8 = 0x02;
    /// `ClientMsg::Ping`.
    pub const PING: u8 = 0x03;
    /// `ClientMsg::Ack`.
    pub const ACK: u8 = 0x04;
    /// `ClientMsg::Resume`.
    pub const RESUME: u8 = 0x05;
}

/// 8-bit message type codes, edge → client.
pub mod server_type {
    /// `ServerMsg::Welcome`.
    pub const WELCOME: u8 = 0x81;
    /// `ServerMsg::Reject`.
    pub const REJECT: u8 = 0x82;
    /// `ServerMsg::Map`.
    pub const MAP: u8 = 0x83;
    /// `ServerMsg::Update`.
    pub const UPDATE: u8 = 0x84;
    /// `ServerMsg::CommandAck`.
    pub const COMMAND_ACK: u8 = 0x85;
    /// `ServerMsg::CommandRejected`.
    pub const COMMAND_REJECTED: u8 = 0x86;
    /// `ServerMsg::Pong`.
    pub const PONG: u8 = 0x87;
    /// `ServerMsg::EntityPacket`.
    pub const ENTITY_PACKET: u8 = 0x88;
    /// `ServerMsg::Notice`.
    pub const NOTICE: u8 = 0x89;
    /// `ServerMsg::Move`.
    pub const MOVE: u8 = 0x8A;
    /// `ServerMsg::ResumeTicket`.
    pub const RESUME_TICKET: u8 = 0x8B;
    /// `ServerMsg::Catalog` (protocol version 3).
    pub const CATALOG: u8 = 0x8C;
    /// `ServerMsg::Social` (protocol version 5).
    pub const SOCIAL: u8 = 0x8D;
}

/// 8-bit command type codes inside `ClientMsg::Command`.
pub mod command_type {
    /// `Command::Move`.
    pub const MOVE: u8 = 0x01;
    /// `Command::Stop` (protocol version 2).
    pub const STOP: u8 = 0x02;
    /// `Command::Attack` (protocol version 2).
    pub const ATTACK: u8 = 0x03;
    /// `Command::Build` (protocol version 3).
    pub const BUILD: u8 = 0x04;
    /// `Command::Train` (protocol version 3).
    pub const TRAIN: u8 = 0x05;
    /// `Command::Cancel` (protocol version 3).
    pub const CANCEL: u8 = 0x06;
    /// `Command::ShareVision` (protocol version 4).
    pub const SHARE_VISION: u8 = 0x07;
    /// `Command::RevokeVision` (protocol version 4).
    pub const REVOKE_VISION: u8 = 0x08;
    /// `Command::Chat` (protocol version 5).
    pub const CHAT: u8 = 0x09;
    /// `Command::CreateAlliance` (protocol version 5).
    pub const CREATE_ALLIANCE: u8 = 0x0A;
    /// `Command::InviteToAlliance` (protocol version 5).
    pub const INVITE_TO_ALLIANCE: u8 = 0x0B;
    /// `Command::JoinAlliance` (protocol version 5).
    pub const JOIN_ALLIANCE: u8 = 0x0C;
    /// `Command::LeaveAlliance` (protocol version 5).
    pub const LEAVE_ALLIANCE: u8 = 0x0D;
    /// `Command::KickFromAlliance` (protocol version 5).
    pub const KICK_FROM_ALLIANCE: u8 = 0x0E;
    /// `Command::SetAllianceRole` (protocol version 5).
    pub const SET_ALLIANCE_ROLE: u8 = 0x0F;
    /// `Command::AddFriend` (protocol version 6).
    pub const ADD_FRIEND: u8 = 0x10;
    /// `Command::RemoveFriend` (protocol version 6).
    pub const REMOVE_FRIEND: u8 = 0x11;
    /// `Command::SendMail` (protocol version 6).
    pub const SEND_MAIL: u8 = 0x12;
    /// `Command::DeleteMail` (protocol version 6).
    pub const DELETE_MAIL: u8 = 0x13;
}
