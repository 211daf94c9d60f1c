//! Value types shared by the client protocol and the edge-region link.

use serde::{Deserialize, Serialize};

/// Declares a fieldless enum carried on the wire as one `u8` code, with the derives every wire
/// type has, `code()`, `from_u8()` (for decoders: `None` for an unknown code) and `ALL`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize,
            bitcode::Encode, bitcode::Decode,
        )]
        #[repr(u8)]
        pub enum $name { $( $(#[$vmeta])* $variant = $code ),* }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The wire code.
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The value of a wire code, `None` if unknown.
            pub const fn from_u8(code: u8) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use wire_enum;

/// Version of the client protocol carried in [`crate::client::ClientMsg::Hello`].
pub const PROTOCOL_VERSION: u16 = 1;

/// Largest datagram the platform sends (the browser accepts at most 1211 bytes).
pub const MAX_DATAGRAM: usize = 1200;

/// Axial hex coordinate (pointy-top). `s = -q - r` is implied.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
pub struct Hex {
    pub q: i32,
    pub r: i32,
}

impl Hex {
    pub const fn new(q: i32, r: i32) -> Self {
        Self { q, r }
    }
}

/// Region-assigned stable entity identifier (not the ECS entity index).
pub type EntityId = u32;
/// Region-assigned empire identifier.
pub type EmpireId = u32;

wire_enum! {
    /// What an entity is. Drives rendering and, later, priority tiers.
    pub enum EntityKind {
        Scout = 0,
        Frigate = 1,
        Station = 2,
    }
}

wire_enum! {
    /// Visibility of one hex for one empire.
    pub enum Visibility {
        /// Never seen.
        Shroud = 0,
        /// Seen before, not visible now.
        Fog = 1,
        /// Visible now.
        Visible = 2,
    }
}

/// Full state of an entity as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct EntityState {
    pub id: EntityId,
    pub kind: EntityKind,
    pub owner: EmpireId,
    pub pos: Hex,
    pub health: u16,
}

/// Changed fields of an entity the client already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct EntityChange {
    pub id: EntityId,
    pub pos: Option<Hex>,
    pub health: Option<u16>,
}

/// A hex whose visibility changed for the receiving client's empire.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct VisionChange {
    pub hex: Hex,
    pub state: Visibility,
}

wire_enum! {
    /// Kinds of empire resources.
    pub enum ResourceKind {
        Credits = 0,
        Metal = 1,
        Crystal = 2,
    }
}

/// The map of one region: a pocket of hex chunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct MapInfo {
    /// Radius of every chunk (a chunk holds `3r(r+1)+1` hexes).
    pub chunk_radius: u8,
    /// Centers of the chunks, in axial coordinates.
    pub chunks: Vec<Hex>,
    /// Impassable hexes (asteroid fields) inside the chunks, sorted.
    pub blocked: Vec<Hex>,
}

/// A per-client update: what changed in what the client's empire can see.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
pub struct Update {
    pub tick: u32,
    pub appeared: Vec<EntityState>,
    pub changed: Vec<EntityChange>,
    pub disappeared: Vec<EntityId>,
    pub vision: Vec<VisionChange>,
    pub resources: Vec<(ResourceKind, u32)>,
}

wire_enum! {
    /// Why a session was refused or closed. Values are stable wire codes.
    pub enum RejectReason {
        /// The token is not a well-formed JWT or lacks required claims.
        MalformedToken = 1,
        /// The signature does not verify against the login service's key.
        BadSignature = 2,
        /// The `iss` claim is not the configured issuer.
        WrongIssuer = 3,
        /// The token's `exp` is in the past.
        Expired = 4,
        /// `activated == 0` (or any value `<= 0` other than -1): account not activated.
        NotActivated = 5,
        /// `activated == -1`: the account is banned.
        Banned = 6,
        /// The token is on the revocation blacklist.
        Blacklisted = 7,
        /// The client speaks a protocol version this edge does not.
        UnsupportedVersion = 8,
        /// No region server is reachable for the player.
        RegionUnavailable = 9,
        /// The client violated the protocol (e.g. a command before hello).
        ProtocolViolation = 10,
        /// The server is shutting down.
        ShuttingDown = 11,
    }
}

wire_enum! {
    /// Why a command was refused. Values are stable wire codes.
    pub enum CommandError {
        /// No such entity (or not visible to the sender).
        UnknownUnit = 1,
        /// The entity belongs to another empire.
        NotYourUnit = 2,
        /// The destination is not on the map.
        OffMap = 3,
        /// The destination is impassable.
        Impassable = 4,
        /// No path leads there.
        NoPath = 5,
        /// Too many commands: the per-user rate limit was exceeded.
        RateLimited = 6,
        /// The entity cannot move (e.g. a station).
        Immobile = 7,
    }
}

/// A game command from a client (after the edge has verified who sent it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum Command {
    /// Move `unit` to `to` along a shortest path.
    Move { unit: EntityId, to: Hex },
}
