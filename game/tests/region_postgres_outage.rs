//! Scenario: PostgreSQL is killed (SIGKILL) under a running `starlane-region` process and
//! started again. The region does not crash; `/readyz` fails naming the database; snapshot
//! write errors are counted in `/metrics`; joins are refused (not hung) meanwhile. When
//! PostgreSQL returns, `/readyz` recovers, snapshots resume, a new player joins, and the world
//! acknowledged as saved before the outage (and played since) is in the database.

use crate::edge_stand_in::{Edge, WAIT, scout};
use crate::ops_http::{get, metric};
use crate::region_process::{
    RegionProcess, edge_endpoint, snapshots, snapshots_after, write_config,
};
use starlane_game::runtime::persist::Store;
use starlane_netcore::proto::link::EdgeLinkEvent;
use starlane_protocol::link::{LinkServerMsg, PlayerIdentity};
use starlane_protocol::{Hex, RejectReason};
use starlane_testbed::Postgres;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::Instant;

/// Poll `/readyz` until its status is `want`; returns the body.
async fn readyz_until(http: SocketAddr, want: u16) -> String {
    let deadline = Instant::now() + WAIT * 3;
    loop {
        let (status, body) = get(http, "/readyz").await.expect("readyz");
        if status == want {
            return body;
        }
        assert!(Instant::now() < deadline, "/readyz stayed {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn db_errors(http: SocketAddr, op: &str) -> f64 {
    let labels = format!("op=\"{op}\"");
    metric(http, "starlane_region_db_errors_total", &labels).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_survives_a_postgres_outage_and_resumes() {
    // A private server: this test kills it.
    let pg = tokio::task::spawn_blocking(Postgres::start)
        .await
        .expect("task")
        .expect("postgres starts");
    let url = pg.create_database("outage").expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let extra = "snapshot_interval_secs = 1\nacquire_timeout_secs = 1";
    let config = write_config(dir.path(), "outage", "127.0.0.1:0", &url, extra);
    let mut region = RegionProcess::start(&config);
    let http = region.http_addr;
    let data = dir.path().join("data");
    let mut edge = Edge::connect_to(region.link_addr, edge_endpoint(&data), "edge-1", 4096).await;
    let (_, units) = edge.join(5, 1001).await;
    let scout = scout(&units);
    let to = Hex::new(scout.pos.q + 2, scout.pos.r);
    edge.move_unit(5, 1, scout.id, to);
    edge.until_at(scout.id, to).await;
    // The move is acknowledged as saved: a snapshot after the arrival was written.
    let written = snapshots(http, "ok").await;
    snapshots_after(http, written, 2.0).await;

    let pid = pg.pid();
    let pg = tokio::task::spawn_blocking(move || {
        let mut pg = pg;
        pg.kill();
        pg
    })
    .await
    .expect("kill postgres");
    let body = readyz_until(http, 503).await;
    assert!(body.contains("database"), "{body}");
    let deadline = Instant::now() + WAIT * 3;
    while snapshots(http, "error").await < 1.0 || db_errors(http, "write_snapshot").await < 1.0 {
        assert!(Instant::now() < deadline, "no snapshot error counted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A new player is refused with a reason, not left waiting.
    edge.client
        .join(
            6,
            PlayerIdentity {
                user_id: 2002,
                username: "during".into(),
                command_stream: 0,
            },
        )
        .expect("join queued");
    let refused = loop {
        match edge.recv().await {
            EdgeLinkEvent::JoinRefused(r) => break r,
            EdgeLinkEvent::ToClient(_) => {}
            other => panic!("expected the join refused, got {other:?}"),
        }
    };
    assert_eq!(
        (refused.session, refused.reason),
        (6, RejectReason::RegionUnavailable)
    );
    assert!(db_errors(http, "join").await >= 1.0);
    assert!(
        region.running(),
        "the region survives the outage (postgres {pid} killed)"
    );
    let (status, _) = get(http, "/healthz").await.expect("healthz");
    assert_eq!(status, 200);

    // PostgreSQL returns: the region is ready again, snapshots resume, joins succeed.
    let pg = tokio::task::spawn_blocking(move || {
        let mut pg = pg;
        pg.restart().expect("postgres restarts");
        pg
    })
    .await
    .expect("restart task");
    assert_eq!(readyz_until(http, 200).await, "ready\n");
    let written = snapshots(http, "ok").await;
    snapshots_after(http, written, 1.0).await;
    // What was acknowledged as saved before the outage is there: the scout where it arrived.
    let store = Store::open(&url).await.expect("open");
    let stored = |store: Store| async move {
        let (_, world) = store
            .load_snapshot("outage")
            .await
            .expect("load")
            .expect("a snapshot");
        world
    };
    let world = stored(store.clone()).await;
    let kept = world
        .units
        .iter()
        .find(|u| u.id == scout.id)
        .expect("scout");
    assert_eq!(kept.pos, to);
    let (_, new_units) = edge.join(7, 3003).await;
    assert!(!new_units.is_empty());
    // The session of before the outage still plays.
    edge.move_unit(5, 2, scout.id, scout.pos);
    let ack = edge
        .until(|m| matches!(m, LinkServerMsg::CommandAck { seq: 2 }))
        .await;
    assert_eq!(ack, LinkServerMsg::CommandAck { seq: 2 });

    // SIGTERM writes a final snapshot: both players' units are stored.
    let status = region.stop(starlane_testbed::Signal::Term);
    assert!(status.success(), "{status}");
    let world = stored(store.clone()).await;
    for user in [1001, 3003] {
        let player = store.player(user).await.expect("lookup").expect("stored");
        assert!(
            world.units.iter().any(|u| u.owner == player.empire),
            "units of {user}"
        );
    }
    store.close().await;
    drop(pg);
}
