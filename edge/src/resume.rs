//! Resume tickets (SPEC.md §17.2): what lets a client continue its session on another edge of
//! the region without logging in again, and keep its command stream so the region applies
//! each command once across the move.
//!
//! A ticket is 61 bytes: `version` (u8, 1), `user_id` (u64), `empire` (u32), `stream` (u64),
//! `expires` (u64, unix seconds), all big-endian, then the HMAC-SHA256 of those 29 bytes under
//! the key the region's edges share (`[resume] key`). It is never trusted alone: the client
//! presents its token again, verified in full, and the ticket must name the token's user.
//! Verification is a pure function of the key, the bytes and the time.

use ring::hmac;
use std::time::Duration;
use thiserror::Error;

/// Ticket format version.
const VERSION: u8 = 1;
/// Bytes before the MAC.
const BODY_LEN: usize = 1 + 8 + 4 + 8 + 8;
/// Bytes of a ticket.
pub const TICKET_LEN: usize = BODY_LEN + 32;

/// Default lifetime of a ticket (`[resume] ticket_ttl_secs`).
pub const DEFAULT_TICKET_TTL: Duration = Duration::from_secs(300);

/// What a valid ticket says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The user it was issued to.
    pub user_id: u64,
    /// The user's empire when it was issued.
    pub empire: u32,
    /// The client's command stream (LINK.md §6.3).
    pub stream: u64,
    /// Unix seconds after which it is refused.
    pub expires: u64,
}

/// Why a ticket was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TicketError {
    /// Not a ticket of this key (wrong length or version, bad MAC).
    #[error("resume ticket is not valid")]
    Invalid,
    /// Issued to another user than the token's.
    #[error("resume ticket was issued to another user")]
    OtherUser,
    /// Past its expiry.
    #[error("resume ticket has expired")]
    Expired,
}

/// The key tickets are signed with, shared by the region's edges.
#[derive(Debug)]
pub struct TicketKey {
    key: hmac::Key,
    ttl: Duration,
}

impl TicketKey {
    /// A key from its bytes (at least 32), issuing tickets valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            ttl,
        }
    }

    /// A random key: tickets are accepted only by this edge process.
    pub fn random(ttl: Duration) -> Self {
        Self::new(&rand::random::<[u8; 32]>(), ttl)
    }

    /// How long tickets stay valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A ticket for `user_id`'s `empire` and command `stream`, issued at `now` (unix seconds).
    pub fn issue(&self, user_id: u64, empire: u32, stream: u64, now: u64) -> Vec<u8> {
        let expires = now.saturating_add(self.ttl.as_secs());
        let mut out = Vec::with_capacity(TICKET_LEN);
        out.push(VERSION);
        out.extend_from_slice(&user_id.to_be_bytes());
        out.extend_from_slice(&empire.to_be_bytes());
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(&expires.to_be_bytes());
        let tag = hmac::sign(&self.key, &out);
        out.extend_from_slice(tag.as_ref());
        out
    }

    /// Check `bytes` for the token's `user_id` at `now` (unix seconds): the MAC first, then
    /// the user, then the expiry.
    pub fn verify(&self, bytes: &[u8], user_id: u64, now: u64) -> Result<Ticket, TicketError> {
        if bytes.len() != TICKET_LEN || bytes.first() != Some(&VERSION) {
            return Err(TicketError::Invalid);
        }
        let (body, tag) = bytes.split_at(BODY_LEN);
        hmac::verify(&self.key, body, tag).map_err(|_| TicketError::Invalid)?;
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&body[i..i + 8]);
            u64::from_be_bytes(b)
        };
        let mut e = [0u8; 4];
        e.copy_from_slice(&body[9..13]);
        let ticket = Ticket {
            user_id: u64_at(1),
            empire: u32::from_be_bytes(e),
            stream: u64_at(13),
            expires: u64_at(21),
        };
        if ticket.user_id != user_id {
            return Err(TicketError::OtherUser);
        }
        if now > ticket.expires {
            return Err(TicketError::Expired);
        }
        Ok(ticket)
    }
}

/// Parse a key written as hex (at least 32 bytes), naming the field on error.
pub fn parse_key(field: &str, text: &str) -> Result<Vec<u8>, String> {
    let bytes = hex::decode(text.trim())
        .map_err(|_| format!("{field} must be hex (generate one with `openssl rand -hex 32`)"))?;
    if bytes.len() < 32 {
        return Err(format!(
            "{field} must hold at least 32 bytes (64 hex digits); generate one with `openssl rand -hex 32`"
        ));
    }
    Ok(bytes)
}
