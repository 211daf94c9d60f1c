//! End-to-end tests of a running region over its QUIC link, with a real SQLite file.

use starlane_game::{Region, RegionConfig, RegionHandle};
use starlane_netcore::link::EdgeClient;
use starlane_netcore::proto::link::{EdgeLinkConfig, EdgeLinkEvent};
use starlane_protocol::link::{
    EdgeToRegion, Hello, LINK_VERSION, LinkServerMsg, PlayerIdentity, SessionCommand,
};
use starlane_protocol::{Command, EmpireId, EntityId, EntityKind, EntityState, Hex};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

fn config(dir: &Path) -> RegionConfig {
    RegionConfig {
        data_dir: dir.to_owned(),
        link_bind: "127.0.0.1:0".parse().expect("loopback address"),
        ..RegionConfig::default()
    }
}

/// An edge stand-in: the link's edge state machine over real QUIC ([`EdgeClient`]), with the
/// entity mirror kept from the `Entities` frames read so far.
struct Edge {
    _endpoint: quinn::Endpoint,
    client: EdgeClient,
    mirror: HashMap<EntityId, EntityState>,
}

fn endpoint(region: &RegionHandle) -> quinn::Endpoint {
    let mut endpoint =
        quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("client endpoint");
    endpoint.set_default_client_config(region.dev_link_client_config().expect("config"));
    endpoint
}

impl Edge {
    async fn connect(region: &RegionHandle) -> Edge {
        let endpoint = endpoint(region);
        let config = EdgeLinkConfig {
            edge_id: "test-edge".into(),
            ..EdgeLinkConfig::default()
        };
        let client = EdgeClient::connect(&endpoint, region.link_addr(), "localhost", config, 1024)
            .await
            .expect("link connects");
        let mut edge = Edge {
            _endpoint: endpoint,
            client,
            mirror: HashMap::new(),
        };
        match edge.recv_any().await {
            EdgeLinkEvent::Up { version, .. } => assert_eq!(version, LINK_VERSION),
            other => panic!("expected the link up, got {other:?}"),
        }
        edge
    }

    /// The next event that is not an entity frame (those are applied to the mirror).
    async fn recv(&mut self) -> EdgeLinkEvent {
        loop {
            match self.recv_any().await {
                EdgeLinkEvent::Entities(f) => {
                    f.apply(&mut self.mirror);
                }
                other => return other,
            }
        }
    }

    async fn recv_any(&mut self) -> EdgeLinkEvent {
        timeout(WAIT, self.client.next_event())
            .await
            .expect("event in time")
            .expect("link open")
    }

    /// Join and return (empire, own units named by the session's first view).
    async fn join(&mut self, session: u64, user_id: i64) -> (EmpireId, Vec<EntityState>) {
        let player = PlayerIdentity {
            user_id,
            username: format!("user{user_id}"),
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
                // Updates of other sessions on this link may come first.
                EdgeLinkEvent::ToClient(t) if t.session != session => {}
                other => panic!("expected Joined, got {other:?}"),
            }
        };
        loop {
            if let EdgeLinkEvent::ToClient(t) = self.recv().await
                && t.session == session
            {
                for m in t.msgs {
                    if let LinkServerMsg::View(v) = m {
                        let own = v
                            .entered
                            .iter()
                            .filter_map(|id| self.mirror.get(id))
                            .filter(|e| e.owner == empire)
                            .cloned()
                            .collect();
                        return (empire, own);
                    }
                }
            }
        }
    }

    /// Read until `pred` matches a session message; returns it.
    async fn until(&mut self, mut pred: impl FnMut(&LinkServerMsg) -> bool) -> LinkServerMsg {
        loop {
            if let EdgeLinkEvent::ToClient(t) = self.recv().await
                && let Some(m) = t.msgs.into_iter().find(|m| pred(m))
            {
                return m;
            }
        }
    }
}

/// A raw stream on a new connection after a valid `Hello`, to send bytes no edge would.
async fn raw_link(
    region: &RegionHandle,
) -> (quinn::Endpoint, quinn::Connection, quinn::SendStream) {
    let endpoint = endpoint(region);
    let conn = endpoint
        .connect(region.link_addr(), "localhost")
        .expect("connect")
        .await
        .expect("handshake");
    let (mut send, _recv) = conn.open_bi().await.expect("stream");
    let hello = EdgeToRegion::Hello(Hello {
        min_version: LINK_VERSION,
        max_version: LINK_VERSION,
        edge_id: "raw".into(),
    });
    send.write_all(&hello.encode()).await.expect("hello");
    (endpoint, conn, send)
}

#[tokio::test]
async fn join_command_ack_updates_and_same_empire_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let region = Region::start(config(dir.path()))
        .await
        .expect("region starts");
    let mut edge = Edge::connect(&region).await;
    let (empire, units) = edge.join(5, 1001).await;
    assert_eq!(units.len(), 3);
    let scout = units
        .iter()
        .find(|u| u.kind == EntityKind::Scout)
        .expect("a scout")
        .clone();
    let to = Hex::new(scout.pos.q + 2, scout.pos.r);
    edge.client
        .command(SessionCommand {
            session: 5,
            seq: 77,
            command: Command::Move { unit: scout.id, to },
        })
        .expect("command queued");
    let ack = edge
        .until(|m| matches!(m, LinkServerMsg::CommandAck { .. }))
        .await;
    assert_eq!(ack, LinkServerMsg::CommandAck { seq: 77 });
    // The scout's arrival reaches the edge's mirror as a position change.
    let arrived = loop {
        if let EdgeLinkEvent::Entities(f) = edge.recv_any().await {
            f.apply(&mut edge.mirror);
            if f.changed
                .iter()
                .any(|c| c.id == scout.id && c.pos == Some(to))
            {
                break edge.mirror[&scout.id].pos;
            }
        }
    };
    assert_eq!(arrived, to);
    // A second user gets a different empire.
    let (other, _) = edge.join(6, 1002).await;
    assert_ne!(other, empire);
    drop(edge);
    region.shutdown().await.expect("clean shutdown");

    let region = Region::start(config(dir.path()))
        .await
        .expect("region restarts");
    let mut edge = Edge::connect(&region).await;
    let (again, units_again) = edge.join(9, 1001).await;
    assert_eq!(again, empire, "a returning user keeps the empire");
    let mut ids: Vec<_> = units_again.iter().map(|u| u.id).collect();
    ids.sort_unstable();
    let mut before: Vec<_> = units.iter().map(|u| u.id).collect();
    before.sort_unstable();
    assert_eq!(ids, before, "and its units");
    let moved = units_again
        .iter()
        .find(|u| u.id == scout.id)
        .expect("scout kept");
    assert_eq!(moved.pos, to, "at the saved position");
    region.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn malformed_and_oversized_frames_close_only_that_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let region = Region::start(config(dir.path()))
        .await
        .expect("region starts");
    let mut good = Edge::connect(&region).await;
    good.join(1, 7).await;

    // A Join frame whose payload does not decode.
    let (_e1, bad, mut send) = raw_link(&region).await;
    send.write_all(&[3, 0, 0, 0, 0x02, 0x13, 0x77])
        .await
        .expect("write garbage");
    let err = timeout(WAIT, bad.closed()).await.expect("closed in time");
    assert!(
        matches!(err, quinn::ConnectionError::ApplicationClosed(ref c) if c.error_code == 2u32.into()),
        "{err:?}"
    );

    let (_e2, huge, mut send) = raw_link(&region).await;
    send.write_all(&u32::MAX.to_le_bytes())
        .await
        .expect("write length");
    let err = timeout(WAIT, huge.closed()).await.expect("closed in time");
    assert!(
        matches!(err, quinn::ConnectionError::ApplicationClosed(ref c) if c.error_code == 3u32.into()),
        "{err:?}"
    );

    let stats = region.link_stats();
    assert_eq!((stats.malformed, stats.oversized), (1, 1));
    // The good link still works.
    let (_, units) = good.join(2, 8).await;
    assert_eq!(units.len(), 3);
    region.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn running_region_reports_samples_stats_and_truth_with_npc_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.pirates = 0;
    cfg.load.npc_count = 300;
    cfg.load.pattern = starlane_game::NpcPattern::Battle;
    cfg.bench.publish_truth = true;
    let region = Region::start(cfg).await.expect("region starts");
    let mut edge = Edge::connect(&region).await;
    let (empire, units) = edge.join(1, 77).await;
    // Samples accumulate per tick; wait (bounded) until one shows the session.
    let mut samples = Vec::new();
    for _ in 0..200 {
        samples.extend(region.drain_tick_samples());
        if samples.iter().any(|s| s.sessions == 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let last = *samples.last().expect("tick samples");
    assert_eq!((last.sessions, last.entities), (1, 303));
    assert!(samples.iter().all(|s| s.total_ns > 0 && s.entities >= 300));
    assert!(samples.windows(2).all(|w| w[0].tick + 1 == w[1].tick));
    let stats = region.stats();
    assert!(stats.ticks >= samples.len() as u64);
    assert_eq!((stats.links_opened, stats.entities), (1, 303));
    assert!(stats.frames_in >= 1 && stats.bytes_in > 0);
    assert!(stats.frames_out >= 2 && stats.bytes_out > stats.frames_out * 4);
    let truth = region.truth().expect("truth is published");
    assert_eq!(truth.entities.len(), 303);
    for u in &units {
        assert!(
            truth.entities.contains_key(&u.id),
            "own unit {} in truth",
            u.id
        );
    }
    assert_ne!(empire, 0);
    drop(edge);
    region.shutdown().await.expect("clean shutdown");
}
