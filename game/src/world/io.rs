//! What goes into a tick and what comes out: [`TickInput`]s queued by the runtime (or a
//! test) in the [`Inbox`], and link frames collected in the [`Outbox`].

use crate::records::EmpireRecord;
use bevy_ecs::prelude::*;
use starlane_protocol::RejectReason;
use starlane_protocol::link::{
    EntityFrame, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId, ToClient,
};
use std::collections::BTreeMap;

/// Identifies one edge link inside this region process.
pub type LinkId = u64;
/// A session is identified by its link and the edge-local session id.
pub type SessionKey = (LinkId, SessionId);

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
    /// A chat post from the cluster's bus, for this region's sessions that read it.
    Chat(starlane_cluster::ChatPost),
    /// Friend, mail or presence news from the cluster's bus, for this region's sessions of
    /// the players it names.
    Note(starlane_cluster::SocialNote),
    /// The outcome of a [`crate::world::social::PlayerOp`] the tick handed out.
    PlayerOp(crate::world::social::PlayerOpDone),
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
    pub sessions: BTreeMap<SessionKey, Vec<LinkServerMsg>>,
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
