//! Value types shared by the client protocol and the edge-region link.

pub use crate::hex::Hex;
use serde::{Deserialize, Serialize};

/// Declares a fieldless enum carried on the wire as one `u8` code, with the derives every wire
/// type has, `code()`, `from_u8()` (for decoders: `None` for an unknown code) and `ALL`.
///
/// Variants written `Name = code => "name"` also get `name()`, `from_name()` and `NAMES`:
/// stable lowercase names for configuration keys and logs, declared once beside the codes.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal ),* $(,)?
        }
    ) => {
        wire_enum! {
            $(#[$meta])*
            pub enum $name { $( $(#[$vmeta])* $variant = $code ),* }
        }

        impl $name {
            /// Every name, in code order.
            pub const NAMES: &'static [&'static str] = &[$($label),*];

            /// The stable lowercase name (a configuration key, e.g. in bandwidth profiles).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }

            /// The value of a name (exact, case-sensitive), `None` if unknown.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($label => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
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

/// Version of the client protocol carried in [`crate::client::ClientMsg::Hello`] (2: the
/// `Stop` and `Attack` commands, their errors and the `Combat` event, SPEC.md §18; 3: the
/// building and resource-field kinds, the `Build`, `Train` and `Cancel` commands, their errors,
/// the `Catalog` message and the `Job` event, SPEC.md §19; 4: shared vision, the `ShareVision`
/// and `RevokeVision` commands, their errors and the extended event's `Sharing`, SPEC.md §20; 5: the
/// social layer, the `Chat` and alliance commands, their errors and the `Social` message,
/// SPEC.md §21; 6: friends, mail and presence, their commands and errors and the `Social`
/// message's kinds 4 to 7, SPEC.md §22). An edge refuses any other version with [`RejectReason::UnsupportedVersion`].
pub const PROTOCOL_VERSION: u16 = 6;

/// Largest datagram the platform sends (the browser accepts at most 1211 bytes).
pub const MAX_DATAGRAM: usize = 1200;

/// Region-assigned stable entity identifier (not the ECS entity index).
pub type EntityId = u32;
/// Region-assigned empire identifier.
pub type EmpireId = u32;
/// A recipe's id in the region's catalog (protocol version 3).
pub type RecipeId = u16;
/// A production job's id, unique in its building (protocol version 3).
pub type JobId = u32;

/// The owner of neutral entities (pirates, NPCs): no player's empire. Regions never assign it
/// to a player, so an entity is own when its owner is the session's empire, neutral when it
/// is this, and hostile otherwise (SPEC.md §6.2, `EntityState.owner`). It is also the owner
/// of the default state of delta records (SPEC.md §16.2).
pub const NEUTRAL_EMPIRE: EmpireId = 0;

wire_enum! {
    /// What an entity is. Drives rendering and the per-kind priority multipliers of bandwidth
    /// profiles (keyed by [`EntityKind::name`]).
    pub enum EntityKind {
        Scout = 0 => "scout",
        Frigate = 1 => "frigate",
        Station = 2 => "station",
        /// A building that mines the resource fields next to it (protocol version 3).
        Extractor = 3 => "extractor",
        /// A building that builds ships (protocol version 3).
        Shipyard = 4 => "shipyard",
        /// A neutral metal deposit that extractors mine (protocol version 3).
        MetalField = 5 => "metal_field",
        /// A neutral crystal deposit that extractors mine (protocol version 3).
        CrystalField = 6 => "crystal_field",
    }
}

impl EntityKind {
    /// Whether the kind is a building (it stands still and may hold a production queue).
    pub const fn is_building(self) -> bool {
        matches!(self, Self::Station | Self::Extractor | Self::Shipyard)
    }

    /// The resource a field of this kind yields, `None` if it is not a resource field.
    pub const fn deposit(self) -> Option<ResourceKind> {
        match self {
            Self::MetalField => Some(ResourceKind::Metal),
            Self::CrystalField => Some(ResourceKind::Crystal),
            _ => None,
        }
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
        Credits = 0 => "credits",
        Metal = 1 => "metal",
        Crystal = 2 => "crystal",
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
        /// The token's `nbf` (not before) lies in the future: it is not valid yet.
        NotYetValid = 12,
        /// The `Hello` (its token) is longer than the edge accepts (its `max_token_bytes`, at
        /// most [`MAX_TOKEN_LEN`](crate::codec::MAX_TOKEN_LEN)); refused as soon as its length
        /// is known.
        TokenTooLarge = 13,
        /// The token (by its `jti`, its SHA-256, or its user) was revoked; a session open with
        /// it is closed with this reason (after a `Notice` of kind `Revoked`).
        Revoked = 14,
        /// The edge is draining: it takes no new sessions; connect to another edge of the
        /// region (through the connect endpoint).
        Draining = 15,
        /// The resume ticket is not one this region's edges issued (bad MAC, malformed), or
        /// it was issued to another user: resume refused, say `Hello` instead.
        ResumeInvalid = 16,
        /// The resume ticket has expired: resume refused, say `Hello` instead.
        ResumeExpired = 17,
    }
}

wire_enum! {
    /// What a [`ServerMsg::Notice`](crate::client::ServerMsg::Notice) is about. Values are
    /// stable wire codes.
    pub enum NoticeKind {
        /// An operator's broadcast to every connected client.
        Broadcast = 0,
        /// The session's token was revoked; the session closes (`Reject(Revoked)` follows).
        Revoked = 1,
        /// The region restarted from its last world snapshot: recent changes may be lost.
        WorldRestored = 2,
    }
}

wire_enum! {
    /// Why the edge tells a client to move to another edge ([`crate::client::ServerMsg::Move`]).
    pub enum MoveReason {
        /// The edge is draining (an operator or SIGTERM); the rest of the region serves on.
        Drain = 1 => "drain",
        /// The edge is shutting down.
        Shutdown = 2 => "shutdown",
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
        /// No such target (or not visible to the sender: a target the sender cannot see
        /// reads exactly as one that does not exist). Protocol version 2.
        UnknownTarget = 8,
        /// The target cannot be attacked by the sender (its own unit, or the unit itself).
        /// Protocol version 2.
        InvalidTarget = 9,
        /// The unit has no weapon. Protocol version 2.
        Unarmed = 10,
        /// No recipe has that id, or none builds that kind. Protocol version 3.
        UnknownRecipe = 11,
        /// The recipe is not made by that unit or building kind. Protocol version 3.
        WrongProducer = 12,
        /// The empire lacks the recipe's inputs. Protocol version 3.
        InsufficientResources = 13,
        /// The building's production queue is full. Protocol version 3.
        QueueFull = 14,
        /// The building has no job with that id. Protocol version 3.
        UnknownJob = 15,
        /// The building site is not valid: out of the builder's reach, off the map, blocked,
        /// taken by another building or (an extractor) with no resource field next to it.
        /// Protocol version 3.
        BadSite = 16,
        /// The building is still under construction. Protocol version 3.
        UnderConstruction = 17,
        /// The empire named cannot take a vision grant: it is the sender's own or
        /// [`NEUTRAL_EMPIRE`]. Protocol version 4.
        InvalidEmpire = 18,
        /// The sender already shares its vision with as many empires as the region allows.
        /// Protocol version 4.
        TooManyGrants = 19,
        /// The sender does not share its vision with that empire (nothing to revoke).
        /// Protocol version 4.
        NotShared = 20,
        /// A chat text or alliance name is blank or holds a forbidden character
        /// (`social::check_text`). Protocol version 5.
        InvalidText = 21,
        /// A chat text or alliance name is longer than the region allows. Protocol version 5.
        TextTooLong = 22,
        /// The sender's empire is already in an alliance. Protocol version 5.
        AlreadyInAlliance = 23,
        /// The sender's empire is in no alliance, or the empire named is not in the sender's.
        /// Protocol version 5.
        NotInAlliance = 24,
        /// The sender's empire has no invitation to that alliance (or no such alliance
        /// exists). Protocol version 5.
        NotInvited = 25,
        /// The sender's role in its alliance does not allow this. Protocol version 5.
        NotPermitted = 26,
        /// The alliance has as many members and invitations as the region allows. Protocol
        /// version 5.
        AllianceFull = 27,
        /// Another alliance of the region has that name. Protocol version 5.
        NameTaken = 28,
        /// No player has that user id, or it is the sender's own. Protocol version 6.
        UnknownPlayer = 29,
        /// The sender's friends and requests, or the other player's, are as many as the
        /// region allows. Protocol version 6.
        FriendLimit = 30,
        /// The recipient's mailbox holds as many mails as the region allows. Protocol
        /// version 6.
        MailboxFull = 31,
        /// The sender's mailbox holds no mail with that id. Protocol version 6.
        UnknownMail = 32,
    }
}

/// A game command from a client (after the edge has verified who sent it).
///
/// Each command names the unit or building it orders, or (shared vision) the empire it is
/// about; the region validates it against what the sender owns and sees (SPEC.md §6.1, §18)
/// and answers with an ack or a [`CommandError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub enum Command {
    /// Move `unit` to `to` along a shortest path (drops an attack order).
    Move { unit: EntityId, to: Hex },
    /// Stop `unit`: drop its path and its attack order (protocol version 2).
    Stop { unit: EntityId },
    /// Order `unit` to attack `target`: it closes to its weapon range and fires until the
    /// target is destroyed or out of the sender's sight (protocol version 2).
    Attack { unit: EntityId, target: EntityId },
    /// Order `unit` to build a building of `kind` at `at` (protocol version 3): the recipe
    /// that `unit`'s kind makes into `kind` is paid now and a construction site appears.
    Build {
        unit: EntityId,
        kind: EntityKind,
        at: Hex,
    },
    /// Queue `recipe` in `building`'s production queue (protocol version 3), paid now;
    /// `repeat` queues it again each time it completes.
    Train {
        building: EntityId,
        recipe: RecipeId,
        repeat: bool,
    },
    /// Cancel the job `job` of `building` and refund what it cost (protocol version 3); the
    /// construction job of a site removes the site.
    Cancel { building: EntityId, job: JobId },
    /// Share the sender's vision with empire `to` (protocol version 4): from the next tick
    /// on, `to` sees what the sender's units see, until revoked. One-way.
    ShareVision { to: EmpireId },
    /// Stop sharing the sender's vision with empire `to` (protocol version 4).
    RevokeVision { to: EmpireId },
    /// Say `text` to the sender's region, its alliance or one player (protocol version 5,
    /// SPEC.md §21.1).
    Chat {
        to: crate::social::ChatTo,
        text: String,
    },
    /// Found an alliance named `name`, with the sender as its leader (protocol version 5).
    CreateAlliance { name: String },
    /// Invite empire `empire` to the sender's alliance (protocol version 5).
    InviteToAlliance { empire: EmpireId },
    /// Accept the invitation to `alliance` (protocol version 5).
    JoinAlliance { alliance: crate::social::AllianceId },
    /// Leave the sender's alliance (protocol version 5).
    LeaveAlliance,
    /// Remove `empire` from the sender's alliance, or withdraw its invitation (protocol
    /// version 5).
    KickFromAlliance { empire: EmpireId },
    /// Give `empire`, a member of the sender's alliance, the role `role` (protocol version 5);
    /// `Leader` hands the lead over and makes the sender an officer.
    SetAllianceRole {
        empire: EmpireId,
        role: crate::social::AllianceRole,
    },
    /// Ask player `user` to be friends, or accept its request (protocol version 6, SPEC.md
    /// §22.1).
    AddFriend { user: crate::social::UserId },
    /// End the friendship with `user`, or withdraw or decline a request (protocol version 6).
    RemoveFriend { user: crate::social::UserId },
    /// Send `text` as a mail to player `to`, kept until it deletes it (protocol version 6,
    /// SPEC.md §22.2).
    SendMail {
        to: crate::social::UserId,
        text: String,
    },
    /// Delete the mail `id` from the sender's mailbox (protocol version 6).
    DeleteMail { id: crate::social::MailId },
}

impl Command {
    /// The unit or building the command orders; `None` for the commands about an empire.
    pub fn unit(&self) -> Option<EntityId> {
        match self {
            Command::Move { unit, .. }
            | Command::Stop { unit }
            | Command::Attack { unit, .. }
            | Command::Build { unit, .. } => Some(*unit),
            Command::Train { building, .. } | Command::Cancel { building, .. } => Some(*building),
            _ => None,
        }
    }

    /// Number of command kinds.
    pub const KINDS: usize = 12;

    /// Every command kind's stable lowercase name, in the order of [`Command::kind_index`]
    /// (configuration keys such as the region's `[command_kinds]`, metrics labels, logs).
    pub const KIND_NAMES: [&'static str; Self::KINDS] = [
        "move", "stop", "attack", "build", "train", "cancel", "share", "revoke", "chat",
        "alliance", "friend", "mail",
    ];

    /// The index of the command's kind in [`Command::KIND_NAMES`].
    pub const fn kind_index(&self) -> u8 {
        match self {
            Command::Move { .. } => 0,
            Command::Stop { .. } => 1,
            Command::Attack { .. } => 2,
            Command::Build { .. } => 3,
            Command::Train { .. } => 4,
            Command::Cancel { .. } => 5,
            Command::ShareVision { .. } => 6,
            Command::RevokeVision { .. } => 7,
            Command::Chat { .. } => 8,
            Command::CreateAlliance { .. }
            | Command::InviteToAlliance { .. }
            | Command::JoinAlliance { .. }
            | Command::LeaveAlliance
            | Command::KickFromAlliance { .. }
            | Command::SetAllianceRole { .. } => 9,
            Command::AddFriend { .. } | Command::RemoveFriend { .. } => 10,
            Command::SendMail { .. } | Command::DeleteMail { .. } => 11,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_kind_names_round_trip_in_code_order() {
        assert_eq!(
            EntityKind::NAMES,
            [
                "scout",
                "frigate",
                "station",
                "extractor",
                "shipyard",
                "metal_field",
                "crystal_field"
            ]
        );
        for (kind, name) in EntityKind::ALL.iter().zip(EntityKind::NAMES) {
            assert_eq!(kind.name(), *name);
            assert_eq!(EntityKind::from_name(name), Some(*kind));
        }
        assert_eq!(EntityKind::from_name("Scout"), None);
        assert_eq!(EntityKind::from_name("carrier"), None);
        assert_eq!(EntityKind::from_name(""), None);
    }
}
