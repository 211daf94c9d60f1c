//! Edge-region link frames (bitcode), carried over QUIC between an edge and a region server.
//!
//! Each frame on the link's stream is a little-endian `u32` length followed by that many bytes
//! of a bitcode-encoded [`EdgeToRegion`] or [`RegionToEdge`]. Frames larger than
//! [`MAX_LINK_FRAME`] are a protocol error and close the link.

use crate::types::*;
use serde::{Deserialize, Serialize};

/// Largest link frame accepted (bytes).
pub const MAX_LINK_FRAME: usize = 1 << 20;

/// Version of the link protocol, checked in [`EdgeToRegion::Hello`].
pub const LINK_VERSION: u16 = 2;

/// TLS ALPN protocol of the edge-region link (QUIC): both ends offer exactly this, so a
/// peer speaking anything else fails the handshake.
pub const LINK_ALPN: &[u8] = b"starlane-link/1";

/// Edge-local session identifier (unique per edge connection).
pub type SessionId = u64;

/// Verified identity of a player, taken from the JWT by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct PlayerIdentity {
    pub user_id: i64,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum EdgeToRegion {
    /// First frame on a link.
    Hello { version: u16, edge_id: String },
    /// Open a session for a verified player.
    Join {
        session: SessionId,
        player: PlayerIdentity,
    },
    /// A command from the session's player.
    Command {
        session: SessionId,
        seq: u32,
        command: Command,
    },
    /// The session ended at the edge.
    Leave { session: SessionId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum RegionToEdge {
    /// The session is open: the player's empire and the map.
    Joined {
        session: SessionId,
        empire: EmpireId,
        tick_rate_hz: u8,
        map: MapInfo,
    },
    /// The session could not be opened.
    JoinRefused {
        session: SessionId,
        reason: RejectReason,
    },
    /// Messages for one session's client, in order.
    ToClient {
        session: SessionId,
        msgs: Vec<LinkServerMsg>,
    },
    /// Entity state for the edge's mirror: the changes of the entities visible to at least
    /// one of this edge's sessions, once per tick for all of them (not once per session).
    /// Sent before the tick's `ToClient` frames, so every id a [`ViewChange::entered`] names
    /// is already in the mirror.
    Entities(EntityFrame),
}

/// One tick of entity changes for an edge's mirror (see [`RegionToEdge::Entities`]).
///
/// The edge applies, in order: `reset` (clear the mirror), `appeared` (insert or replace),
/// `changed` (merge the present fields into the mirrored state), `removed` (delete).
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct EntityFrame {
    /// The region tick these states belong to.
    pub tick: u32,
    /// A full resync: the mirror is replaced by `appeared` (the region could not give this
    /// edge the changes since its previous frame from its delta log).
    pub reset: bool,
    /// Full states of entities the edge did not hold: newly visible to one of its sessions,
    /// or every entity the edge's sessions see when `reset`.
    pub appeared: Vec<EntityState>,
    /// Changed fields of entities the edge already holds, since the previous frame.
    pub changed: Vec<EntityChange>,
    /// Entities none of this edge's sessions sees any more.
    pub removed: Vec<EntityId>,
}

/// What changed in one session's view in one tick (see [`LinkServerMsg::View`]).
///
/// Ids only: the states are in the edge's mirror. Anti-ESP: `entered` names only entities
/// inside the session's empire's vision now; nothing about an entity outside it is sent.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct ViewChange {
    /// The region tick.
    pub tick: u32,
    /// Entities that came into the session's view, sorted.
    pub entered: Vec<EntityId>,
    /// Entities that left the session's view, sorted.
    pub left: Vec<EntityId>,
    /// Hexes whose visibility changed for the session's empire.
    pub vision: Vec<VisionChange>,
}

/// The subset of [`ServerMsg`] a region sends on the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum LinkServerMsg {
    /// The session's view changed (entities entered or left, hex visibility).
    View(ViewChange),
    /// New totals of the empire's resources.
    Resources(Vec<(ResourceKind, u32)>),
    /// The command numbered `seq` was accepted.
    CommandAck { seq: u32 },
    /// The command numbered `seq` was refused.
    CommandRejected { seq: u32, error: CommandError },
}

/// Errors decoding a link frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("link frame of {0} bytes exceeds the limit of {MAX_LINK_FRAME}")]
    TooLarge(usize),
    #[error("malformed link frame: {0}")]
    Malformed(#[from] bitcode::Error),
}

/// Encode a link frame: a little-endian `u32` length, then the bitcode body.
pub fn encode_frame<T: bitcode::Encode + ?Sized>(msg: &T) -> Vec<u8> {
    let body = bitcode::encode(msg);
    let mut out = Vec::with_capacity(4 + body.len());
    // A body over u32::MAX cannot be built by this crate's messages; saturate and let the
    // receiver reject it as too large rather than wrap.
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Check a frame length read from the wire before allocating for its body.
pub fn check_frame_len(len: u32) -> Result<usize, FrameError> {
    let len = len as usize;
    if len > MAX_LINK_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    Ok(len)
}

/// Decode a frame body (without its length prefix).
pub fn decode_frame<'a, T: bitcode::Decode<'a>>(body: &'a [u8]) -> Result<T, FrameError> {
    Ok(bitcode::decode(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trip() {
        let msg = EdgeToRegion::Join {
            session: 7,
            player: PlayerIdentity {
                user_id: 42,
                username: "ada".into(),
            },
        };
        let bytes = encode_frame(&msg);
        let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        assert_eq!(check_frame_len(len).unwrap(), bytes.len() - 4);
        let back: EdgeToRegion = decode_frame(&bytes[4..]).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn oversized_and_garbage_frames_are_errors() {
        assert!(matches!(
            check_frame_len(u32::MAX),
            Err(FrameError::TooLarge(_))
        ));
        assert!(decode_frame::<RegionToEdge>(&[0xff, 0x13, 0x77]).is_err());
    }
}
