//! An edge stand-in for tests of a running region: netcore's edge link state machine over
//! real QUIC ([`EdgeClient`]), keeping the entity mirror from the `Entities` frames it reads.

#![allow(dead_code)]

use starlane_game::config::HttpConfig;
use starlane_game::{RegionConfig, RegionHandle};
use starlane_netcore::link::EdgeClient;
use starlane_netcore::proto::link::{EdgeLinkConfig, EdgeLinkEvent};
use starlane_protocol::link::{
    LINK_VERSION, LinkServerMsg, PlayerIdentity, SessionCommand, SessionNotice,
};
use starlane_protocol::{Command, EmpireId, EntityId, EntityKind, EntityState, Hex};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::time::timeout;

pub const WAIT: Duration = Duration::from_secs(10);

/// A region on loopback with its data in `dir`.
pub fn config(dir: &Path) -> RegionConfig {
    RegionConfig {
        data_dir: dir.to_owned(),
        link_bind: "127.0.0.1:0".parse().expect("loopback address"),
        http: HttpConfig {
            bind: "127.0.0.1:0".parse().expect("loopback address"),
        },
        economy: crate::common::bare_economy(),
        ..RegionConfig::default()
    }
}

/// An edge stand-in: the link's edge state machine over real QUIC ([`EdgeClient`]), with the
/// entity mirror kept from the `Entities` frames read so far.
/// One edge link and the mirror of what it read.
pub struct Edge {
    pub endpoint: quinn::Endpoint,
    pub client: EdgeClient,
    pub mirror: HashMap<EntityId, EntityState>,
    /// Every `Notice` frame read so far, in order.
    pub notices: Vec<SessionNotice>,
    /// Session messages read by [`Edge::join_stream`] beside the first view, for
    /// [`Edge::until`].
    pub backlog: std::collections::VecDeque<LinkServerMsg>,
}

/// The scout among a new empire's `units`.
pub fn scout(units: &[EntityState]) -> EntityState {
    units
        .iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("a scout")
        .clone()
}

/// A client endpoint on loopback trusting the region's development certificate.
pub fn endpoint(region: &RegionHandle) -> quinn::Endpoint {
    let mut endpoint =
        quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("client endpoint");
    endpoint.set_default_client_config(region.dev_link_client_config().expect("config"));
    endpoint
}

impl Edge {
    /// Connect with the region's development client configuration; up to 1024 events wait.
    pub async fn connect(region: &RegionHandle) -> Edge {
        Self::connect_with(region, endpoint(region), "test-edge", 1024).await
    }

    /// Connect through `endpoint` as `edge_id`; at most `event_queue` events wait unread
    /// (beyond that the driver stops reading and QUIC pushes back on the region).
    pub async fn connect_with(
        region: &RegionHandle,
        endpoint: quinn::Endpoint,
        edge_id: &str,
        event_queue: usize,
    ) -> Edge {
        Self::connect_to(region.link_addr(), endpoint, edge_id, event_queue).await
    }

    /// Connect to the region at `addr` (e.g. a region process) through `endpoint`.
    pub async fn connect_to(
        addr: SocketAddr,
        endpoint: quinn::Endpoint,
        edge_id: &str,
        event_queue: usize,
    ) -> Edge {
        let config = EdgeLinkConfig {
            edge_id: edge_id.into(),
            ..EdgeLinkConfig::default()
        };
        Self::connect_speaking(addr, endpoint, config, event_queue, LINK_VERSION).await
    }

    /// Connect with `config` (e.g. an older link version range); the region must agree on
    /// `version`.
    pub async fn connect_speaking(
        addr: SocketAddr,
        endpoint: quinn::Endpoint,
        config: EdgeLinkConfig,
        event_queue: usize,
        version: u16,
    ) -> Edge {
        let client = EdgeClient::connect(&endpoint, addr, "localhost", config, event_queue)
            .await
            .expect("link connects");
        let mut edge = Edge {
            endpoint,
            client,
            mirror: HashMap::new(),
            notices: Vec::new(),
            backlog: Default::default(),
        };
        match edge.recv_any().await {
            EdgeLinkEvent::Up { version: v, .. } => assert_eq!(v, version),
            other => panic!("expected the link up, got {other:?}"),
        }
        edge
    }

    /// The next event that is not an entity frame (those are applied to the mirror).
    pub async fn recv(&mut self) -> EdgeLinkEvent {
        loop {
            match self.recv_any().await {
                EdgeLinkEvent::Entities(f) => {
                    f.apply(&mut self.mirror);
                }
                other => return other,
            }
        }
    }

    /// The next event (a `Notice` is also kept in [`Edge::notices`]).
    pub async fn recv_any(&mut self) -> EdgeLinkEvent {
        let event = timeout(WAIT, self.client.next_event())
            .await
            .expect("event in time")
            .expect("link open");
        if let EdgeLinkEvent::Notice(n) = &event {
            self.notices.push(n.clone());
        }
        event
    }

    /// Join and return (empire, own units named by the session's first view).
    pub async fn join(&mut self, session: u64, user_id: i64) -> (EmpireId, Vec<EntityState>) {
        self.join_stream(session, user_id, 0).await
    }

    /// [`Edge::join`] with the client's command stream `stream`.
    pub async fn join_stream(
        &mut self,
        session: u64,
        user_id: i64,
        stream: u64,
    ) -> (EmpireId, Vec<EntityState>) {
        let player = PlayerIdentity {
            user_id,
            username: format!("user{user_id}"),
            command_stream: stream,
        };
        self.client.join(session, player).expect("join queued");
        let empire = loop {
            match self.recv().await {
                EdgeLinkEvent::Joined(j) => {
                    assert_eq!(
                        (j.session, j.tick_rate_hz, j.map.chunks.len()),
                        (session, 20, 7)
                    );
                    break j.empire;
                }
                // Updates and notices of other sessions on this link may come first.
                EdgeLinkEvent::ToClient(t) if t.session != session => {}
                EdgeLinkEvent::Notice(n) if n.session != session => {}
                other => panic!("expected Joined, got {other:?}"),
            }
        };
        loop {
            if let EdgeLinkEvent::ToClient(t) = self.recv().await
                && t.session == session
            {
                let mut own = None;
                for m in t.msgs {
                    match m {
                        LinkServerMsg::View(v) if own.is_none() => {
                            own = Some(
                                v.entered
                                    .iter()
                                    .filter_map(|id| self.mirror.get(id))
                                    .filter(|e| e.owner == empire)
                                    .cloned()
                                    .collect(),
                            );
                        }
                        other => self.backlog.push_back(other),
                    }
                }
                if let Some(own) = own {
                    return (empire, own);
                }
                self.backlog.clear();
            }
        }
    }

    /// Queue command `seq` of `session`: move `unit` to `to`.
    pub fn move_unit(&mut self, session: u64, seq: u32, unit: EntityId, to: Hex) {
        self.command(session, seq, Command::Move { unit, to });
    }

    /// Queue command `seq` of `session`.
    pub fn command(&mut self, session: u64, seq: u32, command: Command) {
        self.client
            .command(SessionCommand {
                session,
                seq,
                command,
            })
            .expect("command queued");
    }

    /// Read (applying entity frames) until the mirror has `unit` at `to`; panics after
    /// [`WAIT`].
    pub async fn until_at(&mut self, unit: EntityId, to: Hex) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.mirror.get(&unit).map(|e| e.pos) != Some(to) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{unit:?} did not reach {to:?}"
            );
            if let EdgeLinkEvent::Entities(f) = self.recv_any().await {
                f.apply(&mut self.mirror);
            }
        }
    }

    /// Read until `pred` matches a session message; returns it.
    pub async fn until(&mut self, mut pred: impl FnMut(&LinkServerMsg) -> bool) -> LinkServerMsg {
        while let Some(m) = self.backlog.pop_front() {
            if pred(&m) {
                return m;
            }
        }
        loop {
            if let EdgeLinkEvent::ToClient(t) = self.recv().await
                && let Some(m) = t.msgs.into_iter().find(|m| pred(m))
            {
                return m;
            }
        }
    }
}
