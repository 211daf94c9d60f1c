//! End-to-end tests of a running region over its QUIC link, with a real SQLite file.

use crate::edge_stand_in::{Edge, WAIT, config, endpoint, scout};
use starlane_game::{Region, RegionHandle};
use starlane_netcore::proto::link::EdgeLinkEvent;
use starlane_protocol::Hex;
use starlane_protocol::link::{EdgeToRegion, Hello, LINK_VERSION, LinkServerMsg};
use std::time::Duration;
use tokio::time::timeout;

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
    let scout = scout(&units);
    let to = Hex::new(scout.pos.q + 2, scout.pos.r);
    edge.move_unit(5, 77, scout.id, to);
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
