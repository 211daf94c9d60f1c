//! End-to-end tests of a running region over its QUIC link, with a real SQLite file.

use starlane_game::{Region, RegionConfig, RegionHandle};
use starlane_protocol::link::{
    EdgeToRegion, LINK_VERSION, LinkServerMsg, PlayerIdentity, RegionToEdge, check_frame_len,
    decode_frame, encode_frame,
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

struct Edge {
    _endpoint: quinn::Endpoint,
    conn: quinn::Connection,
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    /// The entity mirror, kept from the `Entities` frames read so far.
    mirror: HashMap<EntityId, EntityState>,
}

impl Edge {
    async fn connect(region: &RegionHandle) -> Edge {
        let mut endpoint =
            quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("client endpoint");
        endpoint.set_default_client_config(region.dev_link_client_config().expect("config"));
        let conn = endpoint
            .connect(region.link_addr(), "localhost")
            .expect("connect")
            .await
            .expect("handshake");
        let (send, recv) = conn.open_bi().await.expect("stream");
        let mut edge = Edge {
            _endpoint: endpoint,
            conn,
            send,
            recv,
            mirror: HashMap::new(),
        };
        edge.send(&EdgeToRegion::Hello {
            version: LINK_VERSION,
            edge_id: "test-edge".into(),
        })
        .await;
        edge
    }

    async fn send(&mut self, msg: &EdgeToRegion) {
        self.send
            .write_all(&encode_frame(msg))
            .await
            .expect("write frame");
    }

    /// The next frame that is not an entity frame (those are applied to the mirror).
    async fn recv(&mut self) -> RegionToEdge {
        loop {
            match self.recv_any().await {
                RegionToEdge::Entities(f) => {
                    starlane_game::ecs::sync::apply_frame(&mut self.mirror, &f)
                }
                other => return other,
            }
        }
    }

    async fn recv_any(&mut self) -> RegionToEdge {
        let mut len = [0u8; 4];
        timeout(WAIT, self.recv.read_exact(&mut len))
            .await
            .expect("frame in time")
            .expect("len");
        let len = check_frame_len(u32::from_le_bytes(len)).expect("sane length");
        let mut body = vec![0u8; len];
        self.recv.read_exact(&mut body).await.expect("body");
        decode_frame(&body).expect("decodes")
    }

    /// Join and return (empire, own units named by the session's first view).
    async fn join(&mut self, session: u64, user_id: i64) -> (EmpireId, Vec<EntityState>) {
        let player = PlayerIdentity {
            user_id,
            username: format!("user{user_id}"),
        };
        self.send(&EdgeToRegion::Join { session, player }).await;
        let empire = loop {
            match self.recv().await {
                RegionToEdge::Joined {
                    session: s,
                    empire,
                    tick_rate_hz,
                    map,
                } => {
                    assert_eq!((s, tick_rate_hz, map.chunks.len()), (session, 20, 7));
                    break empire;
                }
                // Updates of other sessions on this link may come first.
                RegionToEdge::ToClient { session: s, .. } if s != session => {}
                other => panic!("expected Joined, got {other:?}"),
            }
        };
        loop {
            if let RegionToEdge::ToClient { session: s, msgs } = self.recv().await
                && s == session
            {
                for m in msgs {
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
            if let RegionToEdge::ToClient { msgs, .. } = self.recv().await
                && let Some(m) = msgs.into_iter().find(|m| pred(m))
            {
                return m;
            }
        }
    }
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
    edge.send(&EdgeToRegion::Command {
        session: 5,
        seq: 77,
        command: Command::Move { unit: scout.id, to },
    })
    .await;
    let ack = edge
        .until(|m| matches!(m, LinkServerMsg::CommandAck { .. }))
        .await;
    assert_eq!(ack, LinkServerMsg::CommandAck { seq: 77 });
    // The scout's arrival reaches the edge's mirror as a position change.
    let arrived = loop {
        if let RegionToEdge::Entities(f) = edge.recv_any().await {
            starlane_game::ecs::sync::apply_frame(&mut edge.mirror, &f);
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

    let mut bad = Edge::connect(&region).await;
    bad.send
        .write_all(&[3, 0, 0, 0, 0xff, 0x13, 0x77])
        .await
        .expect("write garbage");
    let err = timeout(WAIT, bad.conn.closed())
        .await
        .expect("closed in time");
    assert!(
        matches!(err, quinn::ConnectionError::ApplicationClosed(ref c) if c.error_code == 2u32.into()),
        "{err:?}"
    );

    let mut huge = Edge::connect(&region).await;
    huge.send
        .write_all(&u32::MAX.to_le_bytes())
        .await
        .expect("write length");
    let err = timeout(WAIT, huge.conn.closed())
        .await
        .expect("closed in time");
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
