//! The edge ladder through the library, in one process, two tiny steps: every step runs its
//! own clients in the scenario's mix, measures the edge's CPU and the clients' traffic, and
//! the fit and the table come out. No timing is asserted.

#![allow(clippy::unwrap_used)]

use starlane_bench::scenario::{RunOptions, Scenario, run};

const LADDER: &str = r#"
name = "ladder"
duration_secs = 2
warmup_secs = 1
topology = "in-process"

[clients]
udp = 2
webtransport = 1
ramp_per_sec = 0
behaviour = "wander"

[load]
npc_count = 100
pattern = "wander"

[capacity]
kind = "edge-clients"
clients = [3, 6]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_ladder_measures_every_step() {
    let scenario = Scenario::from_toml(LADDER).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        progress: false,
        ..RunOptions::new(out_dir.path())
    };
    let out = run(&scenario, &opts).await.unwrap();
    let ladder = out
        .result
        .capacity
        .as_ref()
        .and_then(|c| c.edge_clients.as_ref())
        .expect("an edge ladder");

    let planned: Vec<(u32, u32)> = ladder
        .steps
        .iter()
        .map(|s| (s.clients, s.webtransport))
        .collect();
    assert_eq!(planned, [(3, 1), (6, 2)], "the scenario's 2:1 mix per step");
    for s in &ladder.steps {
        assert_eq!(s.connected, u64::from(s.clients), "step {}", s.clients);
        assert!(s.edge_cores.unwrap() > 0.0, "step {}", s.clients);
        assert!(s.edge_us_per_client_sec.unwrap() > 0.0);
        assert!(s.down_bytes_median.unwrap() > 0.0, "clients were synced");
        assert!(s.rtt_p99_ms.is_some(), "pings were answered");
        assert_eq!(s.edge_peak_rss_kib, None, "in-process: no edge process");
        assert!(s.served, "a few clients on the whole machine are served");
    }
    assert!(
        ladder.cores_per_1000_clients.is_some(),
        "two steps fit a line"
    );
    assert!(ladder.covers.contains("whole runner"), "{}", ladder.covers);
    assert!(
        out.table.contains("edge step     6 clients"),
        "{}",
        out.table
    );
    assert!(out.table.contains("edge fit"), "{}", out.table);
}
