//! A short region-only slope sweep through the library, in this process: every step runs past
//! the limit, the region's cores are counted apart from the fake edge's, the fake edge's
//! updates reach the sessions, and the series' slopes and plots come out. No timing is
//! asserted.

#![allow(clippy::unwrap_used)]

use starlane_bench::scenario::slopes::Varied;
use starlane_bench::scenario::{RunOptions, Scenario, run};

const SWEEP: &str = r#"
name = "slopes-smoke"
duration_secs = 1
warmup_secs = 1
topology = "region-only"

[clients]
ramp_per_sec = 0

[load]
pattern = "front"

[capacity]
kind = "region"
step_secs = 2
tick_p99_limit_ms = 0.001
stop_over_limit = false
steps = [[4, 100], [4, 200], [4, 400]]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_runs_and_the_slopes_come_out() {
    let scenario = Scenario::from_toml(SWEEP).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        progress: false,
        ..RunOptions::new(out_dir.path())
    };
    let out = run(&scenario, &opts).await.unwrap();
    let sweep = out
        .result
        .capacity
        .as_ref()
        .and_then(|c| c.region.as_ref())
        .expect("a region sweep");
    assert_eq!(sweep.steps.len(), 3, "no stop at the (impossible) limit");
    assert!(sweep.steps.iter().all(|s| !s.passed));
    assert_eq!(sweep.largest_passing, None);
    for step in &sweep.steps {
        assert!(step.sets.as_ref().is_some_and(|t| t.ticks > 0));
        assert!(step.region_cores.is_some_and(|c| c > 0.0), "{step:?}");
        assert!(step.fake_edge_cores.is_some_and(|c| c > 0.0), "{step:?}");
    }
    let traffic = out.result.traffic.as_ref().expect("session windows");
    assert!(traffic.down_bytes.max > 0.0, "the sessions got updates");
    assert_eq!(sweep.series.len(), 1, "{:?}", sweep.series);
    let series = &sweep.series[0];
    assert_eq!((series.varied, series.fixed), (Varied::Npcs, 4));
    assert_eq!(
        series.points.iter().map(|p| p.0).collect::<Vec<_>>(),
        [100, 200, 400]
    );
    let svg = std::fs::read_to_string(out.dir.join("tick_vs_npcs_at_4.svg")).unwrap();
    assert!(svg.contains("<svg"));
    assert!(out.table.contains("slope against NPCs at 4 sessions"));
}
