//! The reconnect storm, small (`scenarios/storm-smoke.toml`: 200 clients, two edges, both
//! restarted): every client plays before and after the storm, and each phase of the storm's
//! breakdown counted every reconnecting client. No timing is asserted.

#![allow(clippy::unwrap_used)]

use starlane_bench::scenario::{RunOptions, Scenario, run};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_plays_again_after_both_edges_restart() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/storm-smoke.toml");
    let scenario = Scenario::load(&path).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        progress: false,
        ..RunOptions::new(out_dir.path())
    };
    let out = run(&scenario, &opts).await.unwrap();
    let storm = out.result.storm.as_ref().expect("storm figures");
    let n = 200;
    assert_eq!(storm.before.playing, n, "errors: {:?}", storm.before.errors);
    assert_eq!(storm.storm.playing, n, "errors: {:?}", storm.storm.errors);
    assert_eq!(out.result.clients.connected, n);
    let all = storm.storm.time_to_all_secs.expect("every client played");
    let playing = storm.storm.playing_secs.as_ref().unwrap();
    assert!(all >= playing.median && all > 0.0);
    for phase in [&storm.storm.handshake_secs, &storm.storm.welcome_secs] {
        assert_eq!(phase.as_ref().unwrap().count, n);
    }
    let b = &storm.breakdown;
    // Every reconnect verified a token, shook hands (hello and init at least) and joined.
    assert!(b.jwt_verify.count >= n, "{b:?}");
    assert!(b.handshake.count >= 2 * n, "{b:?}");
    assert!(b.region_join.count >= n, "{b:?}");
    // The region joined every client before the storm: it answers their joins from memory.
    assert!(b.region_joins_cached >= n, "{b:?}");
    assert!(b.jwt_verify.total_secs > 0.0 && b.handshake.total_secs > 0.0);
    assert!(out.table.contains("time to all playing"), "{}", out.table);
    let json = std::fs::read_to_string(out.dir.join("result.json")).unwrap();
    assert!(json.contains("\"storm\""));
}
