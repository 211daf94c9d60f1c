//! The smoke scenario through the library, in this process, shortened: every kind of figure
//! must come out and the files must be written. No timing is asserted.

#![allow(clippy::unwrap_used)]

use starlane_bench::baseline::Encoding;
use starlane_bench::scenario::{RunOptions, Scenario, run};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_scenario_measures_everything() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/smoke.toml");
    let scenario = Scenario::load(&path).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        duration_secs: Some(2),
        warmup_secs: Some(1),
        progress: false,
        ..RunOptions::new(out_dir.path())
    };
    let out = run(&scenario, &opts).await.unwrap();
    let r = &out.result;

    assert_eq!(r.clients.planned, 6);
    assert!(r.clients.connected >= 1, "errors: {:?}", r.clients.errors);
    let traffic = r.traffic.as_ref().expect("client windows");
    assert!(traffic.down_bytes.max > 0.0);
    assert!(traffic.up_bytes.max > 0.0);
    // Each transport's own figures, side by side.
    let kinds: Vec<&str> = r
        .by_transport
        .iter()
        .map(|t| t.transport.as_str())
        .collect();
    assert_eq!(kinds, ["udp", "websocket", "webtransport"]);
    for t in &r.by_transport {
        assert_eq!(
            t.connected,
            if t.transport == "udp" { 4 } else { 1 },
            "{t:?}"
        );
        assert!(
            t.traffic.as_ref().is_some_and(|x| x.down_bytes.max > 0.0),
            "{t:?}"
        );
    }
    let tick = r.tick_ms.as_ref().expect("tick samples");
    assert!(tick.ticks > 0);
    assert!(tick.max_entities >= 200, "the 200 NPCs are in the world");
    assert!(r.rtt_ms.expect("an RTT").count > 0);
    assert!(r.staleness_ms.expect("staleness").count > 0);
    assert!(r.convergence.is_some());
    let baseline = r.baseline.as_ref().expect("baseline table");
    assert!(
        baseline.row(Encoding::Json).total_bytes > baseline.row(Encoding::Platform).total_bytes
    );
    assert!(!r.processes.is_empty());

    assert!(out.dir.join("result.json").is_file());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.dir.join("result.json")).unwrap())
            .unwrap();
    assert_eq!(json["scenario"]["name"], "smoke");
    for svg in [
        "bytes_per_client.svg",
        "tick_time.svg",
        "staleness_hist.svg",
        "rtt_hist.svg",
    ] {
        let text = std::fs::read_to_string(out.dir.join(svg)).unwrap();
        assert!(text.contains("<svg"), "{svg} is an SVG");
    }
    assert!(out.table.contains("tick total"));
}
