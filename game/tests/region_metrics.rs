//! Scenario: a region with one edge link and one joined session serves `/metrics` with the
//! series game/README.md lists: tick time per system set, whole ticks, world size, the edge's
//! link queue, database latency by operation and the snapshot age; the edge's series go when
//! its link closes.

use crate::edge_stand_in::{Edge, WAIT, config};
use crate::ops_http::{get, sample};
use starlane_game::Region;
use std::net::SocketAddr;
use std::time::Duration;

/// Scrape until `done` holds on the exposition (panics after [`WAIT`]).
async fn scrape_until(addr: SocketAddr, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, text) = get(addr, "/metrics").await.expect("scrape");
        assert_eq!(status, 200);
        if done(&text) {
            return text;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn metrics_show_ticks_sessions_link_queue_and_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = config(dir.path());
    cfg.store.snapshot_interval_secs = 1;
    let region = Region::start(cfg).await.expect("region starts");
    let http = region.http_addr();
    let mut edge = Edge::connect(&region).await;
    let (_, units) = edge.join(5, 1001).await;
    assert!(!units.is_empty());

    // A few ticks with the session joined, and the first snapshot of the world.
    let ticks_then = region.stats().ticks;
    let text = scrape_until(http, "ten more ticks and a snapshot", |t| {
        sample(t, "starlane_region_ticks_total", "").unwrap_or(0.0) >= (ticks_then + 10) as f64
            && sample(t, "starlane_region_snapshots_total", r#"result="ok""#).unwrap_or(0.0) >= 1.0
    })
    .await;
    let value = |name: &str, labels: &str| {
        sample(&text, name, labels).unwrap_or_else(|| panic!("no {name}{{{labels}}}:\n{text}"))
    };

    for set in ["commands", "simulation", "vision", "sync"] {
        let labels = format!(r#"set="{set}""#);
        assert!(value("starlane_region_tick_set_seconds_count", &labels) > 0.0);
        let sum = value("starlane_region_tick_set_seconds_sum", &labels);
        assert!(sum > 0.0 && sum < 60.0, "{set}: {sum} s");
    }
    let ticks = value("starlane_region_tick_seconds_count", "");
    assert!(ticks >= 10.0);
    // A tick takes far less than its 50 ms period here, so most land in the low buckets.
    assert!(value("starlane_region_tick_seconds_bucket", r#"le="0.05""#) > 0.0);
    // Overruns and skipped slots are exported (how many depends on the machine's load).
    assert!(value("starlane_region_ticks_late_total", "") <= ticks);
    value("starlane_region_ticks_dropped_total", "");
    assert_eq!(value("starlane_region_sessions", ""), 1.0);
    assert!(value("starlane_region_entities", "") >= units.len() as f64);
    assert_eq!(value("starlane_region_links_open", ""), 1.0);
    assert_eq!(value("starlane_region_links_opened_total", ""), 1.0);
    // Combat series are exported from the start (no fight here: the pirates are far away).
    assert_eq!(value("starlane_region_combat_shots_total", ""), 0.0);
    assert_eq!(value("starlane_region_units_destroyed_total", ""), 0.0);
    assert!(value("starlane_region_link_frames_total", r#"direction="in""#) >= 2.0);

    // The edge's link, labelled by the id it sent in its Hello.
    let edge_label = r#"edge="test-edge""#;
    assert!(value("starlane_region_link_queue_bytes", edge_label) >= 0.0);
    assert!(value("starlane_region_link_queue_bytes_peak", edge_label) > 0.0);
    let dropped = r#"edge="test-edge",reason="queue_full""#;
    assert_eq!(value("starlane_region_link_dropped_total", dropped), 0.0);
    assert_eq!(
        value("starlane_region_link_congested_ticks_total", edge_label),
        0.0
    );

    // Database calls by operation: one open, one snapshot load, the join, the snapshots.
    assert_eq!(
        value("starlane_region_db_seconds_count", r#"op="open""#),
        1.0
    );
    assert_eq!(
        value("starlane_region_db_seconds_count", r#"op="load_snapshot""#),
        1.0
    );
    assert!(value("starlane_region_db_seconds_count", r#"op="join""#) >= 1.0);
    assert!(value("starlane_region_db_seconds_count", r#"op="write_snapshot""#) >= 1.0);
    assert_eq!(
        value("starlane_region_db_errors_total", r#"op="join""#),
        0.0
    );
    let age = value("starlane_region_snapshot_age_seconds", "");
    assert!((0.0..60.0).contains(&age), "snapshot age {age}");

    // The link closes: the session and the edge's series go.
    edge.endpoint.close(0u32.into(), b"edge stopping");
    drop(edge);
    let text = scrape_until(http, "the link's series removed", |t| {
        sample(t, "starlane_region_links_open", "") == Some(0.0)
            && sample(t, "starlane_region_sessions", "") == Some(0.0)
    })
    .await;
    assert_eq!(
        sample(&text, "starlane_region_link_queue_bytes", edge_label),
        None
    );
    region.shutdown().await.expect("clean shutdown");
}
