//! The messages of the edge-region link, one struct per message (LINK.md §5 and §6).
//!
//! Every message but the three control frames ([`super::control`]) is carried as the bitcode
//! encoding of its struct here, so the field order below is the wire order.

use super::control::{Close, Hello, Welcome};
use crate::types::*;
use serde::{Deserialize, Serialize};

/// Edge-local session identifier (unique per edge connection).
pub type SessionId = u64;

/// Verified identity of a player, taken from the JWT by the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct PlayerIdentity {
    pub user_id: i64,
    pub username: String,
    /// The client's command stream (link version 4): the region applies each command
    /// `seq` of one `(user_id, command_stream)` at most once, across edges, so a client that
    /// moved to another edge (resuming with a ticket that names this stream) may send an
    /// unanswered command again. `0`: no deduplication (LINK.md §6.3).
    pub command_stream: u64,
}

/// Open a session for a verified player (`Join`), or announce again a session the edge held
/// while it had no link (`Rejoin`): the region treats both alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct Join {
    pub session: SessionId,
    pub player: PlayerIdentity,
}

/// A command from the session's player, numbered by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct SessionCommand {
    pub session: SessionId,
    pub seq: u32,
    pub command: Command,
}

/// The session ended at the edge.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct Leave {
    pub session: SessionId,
}

/// The session is open: the player's empire and the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct Joined {
    pub session: SessionId,
    pub empire: EmpireId,
    pub tick_rate_hz: u8,
    pub map: MapInfo,
    /// The region's recipe catalog (link version 7): the edge sends it to the client as
    /// `ServerMsg::Catalog` after `Map`.
    pub catalog: crate::economy::Catalog,
}

/// The session could not be opened.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct JoinRefused {
    pub session: SessionId,
    pub reason: RejectReason,
}

/// Messages for one session's client, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct ToClient {
    pub session: SessionId,
    pub msgs: Vec<LinkServerMsg>,
}

/// A notice for one session's client (link version 5): the edge hands it to the client as
/// the client protocol's `Notice` (SPEC.md). A frame of its own rather than a `LinkServerMsg`
/// variant: a fifth variant would change bitcode's packing of every `ToClient` that carries
/// more than one message, which a version-4 peer would misread (LINK.md §6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct SessionNotice {
    pub session: SessionId,
    /// A [`NoticeKind`] code. A code the edge does not know is dropped and counted (the link
    /// stays up), so later versions may add kinds without a new link version.
    pub kind: u8,
    /// At most [`MAX_NOTICE_LEN`](crate::codec::MAX_NOTICE_LEN) bytes; longer does not
    /// decode.
    pub text: String,
}

impl SessionNotice {
    /// A notice of `kind` for `session`, its text cut to
    /// [`MAX_NOTICE_LEN`](crate::codec::MAX_NOTICE_LEN) bytes at a character boundary.
    pub fn new(session: SessionId, kind: NoticeKind, text: &str) -> Self {
        let mut end = text.len().min(crate::codec::MAX_NOTICE_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            session,
            kind: kind.code(),
            text: text[..end].to_owned(),
        }
    }

    /// The notice's kind, `None` for a code this build does not know.
    pub fn notice_kind(&self) -> Option<NoticeKind> {
        NoticeKind::from_u8(self.kind)
    }
}

/// A frame from an edge to a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeToRegion {
    /// First frame on a link: the versions the edge speaks and its name.
    Hello(Hello),
    /// Open a session.
    Join(Join),
    /// Announce again a session held across a link loss (treated as a join).
    Rejoin(Join),
    /// A command of a session's player.
    Command(SessionCommand),
    /// A session ended at the edge.
    Leave(Leave),
    /// The edge closes the link (its last frame).
    Close(Close),
}

/// A frame from a region to an edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionToEdge {
    /// Answer to `Hello`: the version chosen and the region's identity.
    Welcome(Welcome),
    /// A session is open.
    Joined(Joined),
    /// A session could not be opened.
    JoinRefused(JoinRefused),
    /// Messages for one session's client.
    ToClient(ToClient),
    /// Entity state for the edge's mirror: the changes of the entities visible to at least
    /// one of this edge's sessions, once per tick for all of them (not once per session).
    /// Sent before the tick's `ToClient` frames, so every id a [`ViewChange::entered`] names
    /// is already in the mirror.
    Entities(EntityFrame),
    /// A notice for one session's client (link version 5 and later only).
    Notice(SessionNotice),
    /// The region closes the link (its last frame).
    Close(Close),
}

/// One tick of entity changes for an edge's mirror (see [`RegionToEdge::Entities`]).
///
/// The edge applies, in order: `reset` (clear the mirror), `appeared` (insert or replace),
/// `changed` (merge the present fields into the mirrored state), `removed` (delete); see
/// [`EntityFrame::apply`].
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

/// What a region tells one session's client through the edge.
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
    /// The empire's combat report (link version 6): the edge sends it to the client as an
    /// `Event::Combat` (SPEC.md §18).
    Combat(crate::delta::CombatReport),
    /// A production job of the empire changed state (link version 7): the edge sends it to
    /// the client as an `Event::Job` (SPEC.md §19).
    Job(crate::economy::JobEvent),
    /// A vision grant to or from the empire began or ended (link version 8): the edge sends it
    /// to the client as an `Event::Sharing` (SPEC.md §20).
    Sharing(crate::sharing::SharingEvent),
    /// An entity left the empire's view and is remembered (link version 8): the edge sends it
    /// to the client as an `Event::LastSeen` (SPEC.md §20.6).
    LastSeen(crate::memory::LastSeenEvent),
    /// The empire forgot entity `id` (link version 8): an `Event::Forget` to the client.
    Forget { id: EntityId },
    /// Chat or alliance news for the session (link version 9): the edge sends it to the
    /// client as a `ServerMsg::Social` on the reliable stream (SPEC.md §21).
    Social(crate::social::SocialMsg),
}
