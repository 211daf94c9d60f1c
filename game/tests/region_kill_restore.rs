//! Scenario: a real `starlane-region` process on PostgreSQL. A session joins and moves a unit;
//! a periodic snapshot holding the move is written; the region is killed with SIGKILL and
//! started again on the same link address and database. It restores the snapshot (and says
//! so), the edge stand-in announces its held session again on a new link, and the session
//! continues: same empire, the unit where the snapshot left it, commands acknowledged.
//!
//! Clients are told: the restored region sends each session opened after the restart a
//! `WorldRestored` notice right after its `Joined`, once per client command stream, and none
//! over a version-4 edge link; the region that started fresh sent none.

use crate::edge_stand_in::{Edge, scout};
use crate::ops_http::{get, metric};
use crate::region_process::{
    RegionProcess, edge_endpoint, snapshots, snapshots_after, write_config,
};
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::{Hex, NoticeKind};
use starlane_testbed::{Signal, fresh_database};
use std::net::SocketAddr;

/// `starlane_region_notices_*_total{labels}` (`which`: `sent` or `unsent`) from `/metrics`.
async fn notices(http: SocketAddr, which: &str, labels: &str) -> f64 {
    let name = format!("starlane_region_notices_{which}_total");
    metric(http, &name, labels).await
}

const RESTORED: &str = "kind=\"world_restored\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_region_restores_its_snapshot_and_the_session_continues() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_database();
    let extra = "snapshot_interval_secs = 1";
    let config = write_config(dir.path(), "kill-restore", "127.0.0.1:0", &url, extra);
    let mut region = RegionProcess::start(&config);
    let data = dir.path().join("data");
    let mut edge = Edge::connect_to(region.link_addr, edge_endpoint(&data), "edge-1", 1024).await;
    let (empire, units) = edge.join(5, 1001).await;
    let scout = scout(&units);
    let to = Hex::new(scout.pos.q + 2, scout.pos.r);
    edge.move_unit(5, 1, scout.id, to);
    let ack = edge
        .until(|m| matches!(m, LinkServerMsg::CommandAck { .. }))
        .await;
    assert_eq!(ack, LinkServerMsg::CommandAck { seq: 1 });
    edge.until_at(scout.id, to).await;
    // A region that started without a snapshot tells no one.
    assert!(edge.notices.is_empty(), "{:?}", edge.notices);
    assert_eq!(notices(region.http_addr, "sent", RESTORED).await, 0.0);
    // A snapshot taken after the arrival (the one in flight may predate it) is written.
    let written = snapshots(region.http_addr, "ok").await;
    snapshots_after(region.http_addr, written, 2.0).await;

    let status = region.stop(Signal::Kill);
    assert!(!status.success(), "killed, not exited: {status}");
    drop(edge);

    // The same link address and database; the edge's link follows.
    let link = region.link_addr.to_string();
    let config = write_config(dir.path(), "kill-restore", &link, &url, extra);
    let region = RegionProcess::start(&config);
    assert!(
        region
            .banner
            .iter()
            .any(|l| l.contains("restored the world from the snapshot")),
        "{:?}",
        region.banner
    );
    let (status, body) = get(region.http_addr, "/readyz").await.expect("readyz");
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    let mut edge = Edge::connect_to(region.link_addr, edge_endpoint(&data), "edge-1", 1024).await;
    // The edge announces its held session again (the region treats Rejoin as Join).
    let (again, units_again) = edge.join(5, 1001).await;
    assert_eq!(again, empire);
    let restored = units_again
        .iter()
        .find(|u| u.id == scout.id)
        .expect("the scout is restored");
    assert_eq!(restored.pos, to, "where the snapshot left it");
    // The client is told, once, right after its Joined (before its first view).
    let [notice] = &edge.notices[..] else {
        panic!("expected one notice, got {:?}", edge.notices);
    };
    assert_eq!(notice.session, 5);
    assert_eq!(notice.notice_kind(), Some(NoticeKind::WorldRestored));
    assert!(
        notice
            .text
            .starts_with("the region restarted from its snapshot of ")
            && notice.text.contains(" UTC (tick ")
            && notice
                .text
                .ends_with("up to 1 s of play before it may be lost"),
        "{}",
        notice.text
    );
    // Once per client command stream: the same client again on another session (as after a
    // move to another edge) is not told twice; another client is.
    edge.join_stream(6, 1002, 77).await;
    assert_eq!(edge.notices.len(), 2, "{:?}", edge.notices);
    assert_eq!(edge.notices[1].session, 6);
    edge.client.leave(6);
    edge.join_stream(7, 1002, 77).await;
    assert_eq!(edge.notices.len(), 2, "{:?}", edge.notices);
    assert_eq!(notices(region.http_addr, "sent", RESTORED).await, 2.0);
    // The session plays on: its next command is acknowledged.
    edge.move_unit(5, 2, scout.id, scout.pos);
    let ack = edge
        .until(|m| matches!(m, LinkServerMsg::CommandAck { .. }))
        .await;
    assert_eq!(ack, LinkServerMsg::CommandAck { seq: 2 });
}
