//! Open links and sessions: what each session's empire is and what it was last sent.

use super::io::{LinkId, SessionKey};
use bevy_ecs::prelude::*;
use rustc_hash::FxHashSet;
use starlane_protocol::{EmpireId, EntityId, Visibility};
use std::collections::{HashMap, HashSet};

/// State of one session: its empire and what it was last sent.
#[derive(Debug, Clone)]
pub struct SessionState {
    /// The player's empire.
    pub empire: EmpireId,
    /// The player's user id (rate limits are per user).
    pub user_id: i64,
    /// The player's name (from its login token, cut to what `Social` messages carry).
    pub username: String,
    /// The client's command stream: commands are applied once per `(user_id, stream, seq)`
    /// (`commands::CommandDedup`); `0` for none.
    pub command_stream: u64,
    /// Entities the session was told are in its view (entered and not yet left). Their
    /// states are in the link's mirror.
    pub sent: FxHashSet<EntityId>,
    /// Visibility of each map cell as last sent (indexed like `GameMap::cells`).
    pub sent_vision: Vec<Visibility>,
    /// Whether `sent_vision` equals the empire's vision as of the previous tick, so only the
    /// cells the empire's vision changed this tick need comparing (false after a tick the
    /// session was skipped for congestion).
    pub vision_synced: bool,
    /// Whether the empire's resources were sent.
    pub resources_sent: bool,
    /// Whether the empire's vision grants were sent (SPEC.md §20.3).
    pub sharing_sent: bool,
    /// Whether the entities the empire remembers were sent (SPEC.md §20.6).
    pub memory_sent: bool,
    /// Whether the empire's alliance and invitations were sent (SPEC.md §21.3).
    pub social_sent: bool,
    /// Whether the player's friends and mailbox were asked for (SPEC.md §22).
    pub players_sent: bool,
}

/// Open sessions and links.
#[derive(Resource, Debug, Default)]
pub struct Sessions {
    /// Sessions by key.
    pub map: HashMap<SessionKey, SessionState>,
    /// Links that finished their hello and have not closed.
    pub links: HashSet<LinkId>,
}
