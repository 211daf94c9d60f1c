//! Scenario: a real `starlane-region` process on PostgreSQL. A session queues two scouts at
//! its starting station (paid at once); a snapshot holding the queue is written; the region
//! is killed with SIGKILL and started again on the same database. The session rejoins and is
//! greeted with its stock as it was after paying and both jobs (the first running), and the
//! running job completes: a scout appears.

use crate::edge_stand_in::Edge;
use crate::region_process::{
    RegionProcess, edge_endpoint, snapshots, snapshots_after, write_config,
};
use starlane_game::config::{DEFAULT_RECIPES, RecipeBook};
use starlane_protocol::economy::{JobEvent, JobState};
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::{Command, EntityKind, ResourceKind};
use starlane_testbed::{Signal, fresh_database};

fn credits(m: &LinkServerMsg) -> Option<u32> {
    match m {
        LinkServerMsg::Resources(r) => r
            .iter()
            .find(|(k, _)| *k == ResourceKind::Credits)
            .map(|(_, v)| *v),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_region_restores_stock_and_production_queues() {
    let book = RecipeBook::parse(DEFAULT_RECIPES, 20, "built in").expect("recipes");
    let scout = book
        .catalog
        .recipes
        .iter()
        .find(|r| r.name == "train_scout")
        .expect("train_scout")
        .clone();
    let cost = scout.inputs[0].1;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fresh_database();
    let extra = "snapshot_interval_secs = 1";
    let config = write_config(dir.path(), "economy-restart", "127.0.0.1:0", &url, extra);
    let mut region = RegionProcess::start(&config);
    let data = dir.path().join("data");
    let mut edge = Edge::connect_to(region.link_addr, edge_endpoint(&data), "edge-1", 1024).await;
    let (empire, units) = edge.join(5, 3001).await;
    let station = units
        .iter()
        .find(|u| u.kind == EntityKind::Station)
        .expect("a starting station")
        .id;
    for seq in 1..=2 {
        let train = Command::Train {
            building: station,
            recipe: scout.id,
            repeat: false,
        };
        edge.command(5, seq, train);
    }
    let paid = 1000 - 2 * cost;
    edge.until(|m| credits(m) == Some(paid)).await;
    let written = snapshots(region.http_addr, "ok").await;
    snapshots_after(region.http_addr, written, 2.0).await;
    let status = region.stop(Signal::Kill);
    assert!(!status.success(), "killed, not exited: {status}");
    drop(edge);

    let link = region.link_addr.to_string();
    let config = write_config(dir.path(), "economy-restart", &link, &url, extra);
    let region = RegionProcess::start(&config);
    let mut edge = Edge::connect_to(region.link_addr, edge_endpoint(&data), "edge-1", 1024).await;
    let (again, units) = edge.join(5, 3001).await;
    assert_eq!(again, empire);
    let scouts = units.iter().filter(|u| u.kind == EntityKind::Scout).count();
    edge.until(|m| credits(m) == Some(paid)).await;
    let mut greeted: Vec<JobEvent> = Vec::new();
    while greeted.len() < 2 {
        if let LinkServerMsg::Job(j) = edge.until(|m| matches!(m, LinkServerMsg::Job(_))).await {
            greeted.push(j);
        }
    }
    let states: Vec<_> = greeted
        .iter()
        .map(|j| (j.building, j.job, j.state))
        .collect();
    assert_eq!(
        states,
        [
            (station, 1, JobState::Started),
            (station, 2, JobState::Queued)
        ]
    );
    // The running job completes where it left off, and its scout appears.
    edge.until(
        |m| matches!(m, LinkServerMsg::Job(j) if j.job == 1 && j.state == JobState::Completed),
    )
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let now = edge
            .mirror
            .values()
            .filter(|e| e.owner == empire && e.kind == EntityKind::Scout)
            .count();
        if now > scouts {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no new scout");
        let _ = edge.until(|_| true).await;
    }
    drop(region);
}
