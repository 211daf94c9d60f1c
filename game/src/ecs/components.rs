//! Components and resources of the region world.

use crate::config::RegionConfig;
use crate::map::{GameMap, SpatialGrid};
use bevy_ecs::prelude::*;
use starlane_protocol::link::{EntityFrame, PlayerIdentity, RegionToEdge, SessionId, ToClient};
use starlane_protocol::{
    CommandError, EmpireId, EntityId, EntityKind, Hex, MapInfo, RejectReason, Visibility,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Empire id of neutral (pirate) units: the protocol's constant, re-exported here.
pub use starlane_protocol::NEUTRAL_EMPIRE;

/// Identifies one edge link inside this region process.
pub type LinkId = u64;
/// A session is identified by its link and the edge-local session id.
pub type SessionKey = (LinkId, SessionId);

/// The stable, region-assigned entity id (the `EntityId` of the protocol).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StableId(pub EntityId);

/// The empire owning an entity ([`NEUTRAL_EMPIRE`] for pirates).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(pub EmpireId);

/// What an entity is.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(pub EntityKind);

/// Where an entity is.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub Hex);

/// Hit points.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health(pub u16);

/// Remaining hexes to walk, and ticks spent towards the next one.
#[derive(Component, Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    /// Hexes still to enter, in order.
    pub hexes: VecDeque<Hex>,
    /// Ticks accumulated towards entering the first of `hexes`.
    pub progress: u32,
}

/// Ticks needed to move one hex (0 = cannot move).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveTicks(pub u32);

/// Vision range in hexes.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisionRange(pub u32);

/// The region configuration.
#[derive(Resource, Debug, Clone)]
pub struct Settings(pub RegionConfig);

/// The static map and its client description.
#[derive(Resource, Debug, Clone)]
pub struct WorldMap {
    /// The map.
    pub map: GameMap,
    /// What `Joined` carries.
    pub info: MapInfo,
}

/// Spatial index of entity positions.
#[derive(Resource, Debug, Clone)]
pub struct Grid(pub SpatialGrid);

/// Ticks run so far (the current tick number during a tick).
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct TickCount(pub u32);

/// Stable id -> ECS entity, plus the next id to assign and units per empire.
#[derive(Resource, Debug, Default)]
pub struct EntityIndex {
    /// Live entities by stable id.
    pub by_id: HashMap<EntityId, Entity>,
    /// Next stable id handed out.
    pub next_id: EntityId,
    /// Number of units each empire owns.
    pub units_of: HashMap<EmpireId, u32>,
}

/// Entities whose persisted state changed since the last save.
#[derive(Resource, Debug, Default)]
pub struct Dirty(pub BTreeSet<EntityId>);

/// Outcome of resolving a player's empire in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmpireRecord {
    /// The player's empire.
    pub empire: EmpireId,
    /// Index of its spawn point (taken modulo the map's spawn count).
    pub spawn_index: u32,
}

/// Input to the tick, queued by the runtime (or a test) before a step.
#[derive(Debug, Clone)]
pub enum TickInput {
    /// An edge link finished its hello.
    LinkOpened { link: LinkId },
    /// An edge link went away: all its sessions end.
    LinkClosed { link: LinkId },
    /// A session's empire was resolved (or could not be).
    Join {
        link: LinkId,
        session: SessionId,
        player: PlayerIdentity,
        empire: Result<EmpireRecord, RejectReason>,
    },
    /// The session ended at the edge.
    Leave { link: LinkId, session: SessionId },
    /// A command from a session's player.
    Command {
        link: LinkId,
        session: SessionId,
        seq: u32,
        command: starlane_protocol::Command,
    },
}

/// Inputs waiting for the next tick.
#[derive(Resource, Debug, Default)]
pub struct Inbox(pub Vec<TickInput>);

/// Messages produced by a tick.
#[derive(Resource, Debug, Default)]
pub struct Outbox {
    /// Link-level messages (`Joined`, `JoinRefused`), sent before session messages.
    pub control: Vec<(LinkId, RegionToEdge)>,
    /// The tick's entity frame per link, sent after control and before session messages
    /// (a session's view names only ids its link's mirror already holds).
    pub entities: BTreeMap<LinkId, EntityFrame>,
    /// Per-session client messages, in order.
    pub sessions: BTreeMap<SessionKey, Vec<starlane_protocol::link::LinkServerMsg>>,
}

impl Outbox {
    /// Take everything as link frames: control first, then each link's `Entities`, then one
    /// `ToClient` per session.
    pub fn drain(&mut self) -> Vec<(LinkId, RegionToEdge)> {
        let mut out = std::mem::take(&mut self.control);
        for (link, frame) in std::mem::take(&mut self.entities) {
            out.push((link, RegionToEdge::Entities(frame)));
        }
        for ((link, session), msgs) in std::mem::take(&mut self.sessions) {
            out.push((link, RegionToEdge::ToClient(ToClient { session, msgs })));
        }
        out
    }
}

/// State of one session: its empire and what it was last sent.
#[derive(Debug, Clone)]
pub struct SessionState {
    /// The player's empire.
    pub empire: EmpireId,
    /// The player's user id (rate limits are per user).
    pub user_id: i64,
    /// Entities the session was told are in its view (entered and not yet left), sorted.
    /// Their states are in the link's mirror.
    pub sent: Vec<EntityId>,
    /// Visibility of each map cell as last sent (indexed like `GameMap::cells`).
    pub sent_vision: Vec<Visibility>,
    /// Whether `sent_vision` equals the empire's vision as of the previous tick, so only the
    /// cells the empire's vision changed this tick need comparing (false after a tick the
    /// session was skipped for congestion).
    pub vision_synced: bool,
    /// Whether the empire's resources were sent.
    pub resources_sent: bool,
}

/// Open sessions and links.
#[derive(Resource, Debug, Default)]
pub struct Sessions {
    /// Sessions by key.
    pub map: HashMap<SessionKey, SessionState>,
    /// Links that finished their hello and have not closed.
    pub links: HashSet<LinkId>,
}

/// Per-empire vision: cell states and the entities it sees now, computed once per tick and
/// shared by every session of the empire.
#[derive(Debug, Clone, Default)]
pub struct EmpireVision {
    /// Visibility per map cell (indexed like `GameMap::cells`).
    pub cells: Vec<Visibility>,
    /// Indexes of the cells whose visibility changed in the last computation.
    pub changed: Vec<u32>,
    /// Entities inside the empire's current vision, sorted and without duplicates.
    pub entities: Vec<EntityId>,
}

impl EmpireVision {
    /// Whether the empire currently sees entity `id`.
    pub fn sees(&self, id: EntityId) -> bool {
        self.entities.binary_search(&id).is_ok()
    }
}

/// Vision of every empire, recomputed each tick.
#[derive(Resource, Debug, Default)]
pub struct Vision(pub HashMap<EmpireId, EmpireVision>);

/// Counters of what the tick did, for logs and tests.
#[derive(Resource, Debug, Default, Clone)]
pub struct Counters {
    /// Commands accepted.
    pub commands_ok: u64,
    /// Commands rejected, by error.
    pub commands_rejected: HashMap<CommandError, u64>,
    /// Commands for sessions the region does not know (dropped).
    pub commands_unknown_session: u64,
    /// Sessions opened.
    pub joins: u64,
    /// Join results dropped because their link had closed.
    pub joins_dropped: u64,
    /// `View` messages sent to sessions.
    pub views: u64,
    /// `Entities` frames sent to links.
    pub entity_frames: u64,
    /// Of those, full resyncs (`reset`).
    pub resets: u64,
    /// Link-ticks skipped because the link was congested.
    pub congested_skips: u64,
}
