//! The scenario runner: read a scenario file, start the servers, run the clients, measure,
//! and write `result.json`, SVG plots and a short table.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use starlane_bench::scenario::{RunOptions, Scenario, run};
//! let scenario = Scenario::load("bench/scenarios/smoke.toml".as_ref())?;
//! let out = run(&scenario, &RunOptions::new("results")).await?;
//! println!("{}", out.table);
//! # Ok(()) }
//! ```

pub mod capacity;
pub mod ceiling;
pub mod clients;
pub mod config;
pub mod edge_ladder;
pub mod fake_edge;
pub mod measure;
pub mod output;
pub mod plots;
pub mod procstat;
pub mod progress;
pub mod region_runtime;
pub mod result;
pub mod slopes;
pub mod staleness;
pub mod stats;
pub mod storm;
pub mod table;
pub mod topology;

pub use config::{Scenario, ScenarioError, Topology};
pub use result::RunResult;

use crate::scenario::capacity::{CapacityResult, edge_capacity, region_sweep};
use crate::scenario::ceiling::{batched_ceiling, loopback_ceiling};
use crate::scenario::config::CapacityKind;
use crate::scenario::measure::{Measured, run_region_only, run_with_edge};
use crate::scenario::procstat::{Machine, git_commit};
use crate::scenario::progress::Progress;
use crate::scenario::result::{ClientCounts, Histograms, ProcessUsage, Series, TickStats, Traffic};
use std::path::PathBuf;

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Results go to `<out_dir>/<scenario>-<unix time>/`.
    pub out_dir: PathBuf,
    /// Override of the scenario's `duration_secs`.
    pub duration_secs: Option<u64>,
    /// Override of the scenario's `warmup_secs`.
    pub warmup_secs: Option<u64>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Record the region's frames to this file for the peers harness (`bench/peers/`);
    /// topology "region-only" only.
    pub script: Option<PathBuf>,
}

impl RunOptions {
    /// Results under `out_dir`, the scenario's own durations, with a progress bar.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self {
            out_dir: out_dir.into(),
            duration_secs: None,
            warmup_secs: None,
            progress: true,
            script: None,
        }
    }
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutput {
    /// Everything measured.
    pub result: RunResult,
    /// The directory holding `result.json` and the plots.
    pub dir: PathBuf,
    /// Files written (JSON and SVG).
    pub files: Vec<PathBuf>,
    /// The short table printed by the binary.
    pub table: String,
}

/// Run `scenario` and write its results.
pub async fn run(scenario: &Scenario, opts: &RunOptions) -> anyhow::Result<RunOutput> {
    let mut scenario = scenario.clone();
    if let Some(d) = opts.duration_secs {
        scenario.duration_secs = d;
    }
    if let Some(w) = opts.warmup_secs {
        scenario.warmup_secs = w;
    }
    scenario.validate()?;
    if opts.script.is_some()
        && (scenario.topology != Topology::RegionOnly
            || scenario.capacity.is_some()
            || scenario.storm.is_some())
    {
        anyhow::bail!(
            "--script records what the region sends a fake edge: it needs a scenario with topology = \"region-only\" and no [capacity] or [storm] section (bench/peers/scenarios/ has them)"
        );
    }
    let started_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let progress = Progress::new(opts.progress);
    let (measured, capacity, storm) = match scenario.storm {
        Some(_) => {
            let (m, s) = storm::run_storm(&scenario, &progress).await?;
            (m, None, Some(s))
        }
        None => {
            let (m, c) = measure(&scenario, &progress, opts.script.as_deref()).await?;
            (m, c, None)
        }
    };
    progress.finish();
    let (mut result, hist) = assemble(scenario, started_unix, measured, capacity);
    if let Some(s) = storm {
        result.clients.connected = s.storm.playing;
        result.clients.failed = s.storm.failed;
        result.clients.errors = s.storm.errors.clone();
        result.storm = Some(s);
    }
    let dir = opts
        .out_dir
        .join(format!("{}-{}", result.scenario.name, started_unix));
    let files = output::write(&dir, &result, &hist)?;
    let table = table::render(&result);
    Ok(RunOutput {
        result,
        dir,
        files,
        table,
    })
}

async fn measure(
    scenario: &Scenario,
    progress: &Progress,
    script: Option<&std::path::Path>,
) -> anyhow::Result<(Measured, Option<CapacityResult>)> {
    match &scenario.capacity {
        Some(cap) if cap.kind == CapacityKind::Region => {
            let (m, c) = region_sweep(scenario, cap, progress).await?;
            Ok((m, Some(c)))
        }
        Some(cap) if cap.kind == CapacityKind::EdgeClients => {
            let (m, ladder) = edge_ladder::edge_ladder(scenario, cap, progress).await?;
            Ok((
                m,
                Some(CapacityResult {
                    edge_clients: Some(ladder),
                    ..CapacityResult::default()
                }),
            ))
        }
        Some(cap) => {
            let count = cap.ceiling_count;
            let ceiling = tokio::task::spawn_blocking(move || loopback_ceiling(count)).await??;
            progress.say(format!(
                "loopback ceiling: {:.0} UDP echoes/s",
                ceiling.echoes_per_sec
            ));
            // The batched echo is several times faster: more echoes for a measurement as long.
            let batched =
                tokio::task::spawn_blocking(move || batched_ceiling(count.saturating_mul(4)))
                    .await??;
            progress.say(format!(
                "batched loopback ceiling: {:.0} UDP echoes/s",
                batched.echoes_per_sec
            ));
            let m = run_with_edge(scenario, progress).await?;
            let edge = edge_capacity(&m, scenario.duration_secs);
            Ok((
                m,
                Some(CapacityResult {
                    edge: Some(edge),
                    loopback_ceiling: Some(ceiling),
                    batched_ceiling: Some(batched),
                    ..CapacityResult::default()
                }),
            ))
        }
        None if scenario.topology == Topology::RegionOnly => {
            Ok((run_region_only(scenario, progress, script).await?, None))
        }
        None => Ok((run_with_edge(scenario, progress).await?, None)),
    }
}

fn assemble(
    scenario: Scenario,
    started_unix: u64,
    m: Measured,
    capacity: Option<CapacityResult>,
) -> (RunResult, Histograms) {
    let mut windows = Vec::new();
    let mut errors = Vec::new();
    for o in &m.outcomes {
        windows.extend_from_slice(&o.windows);
        if let Some(e) = &o.error
            && errors.len() < 10
        {
            errors.push(format!("{} client: {e}", o.transport));
        }
    }
    let (connected, failed) = match &m.fake_edge {
        Some(f) => {
            windows.extend_from_slice(&f.windows);
            (f.joined, f.refused)
        }
        None => {
            let failed = m.outcomes.iter().filter(|o| o.error.is_some()).count() as u64;
            (m.outcomes.len() as u64 - failed, failed)
        }
    };
    let hist = Histograms::merge(&m.outcomes);
    let samples: Vec<_> = m.ticks.iter().map(|(_, s)| *s).collect();
    let recorded = m.recorded();
    let edge_cpu_per_client = m
        .edge_cpu
        .filter(|_| connected > 0)
        .map(|(cpu, _)| cpu / connected as f64 / scenario.duration_secs.max(1) as f64);
    let mut notes = m.notes.clone();
    if let Some((_, covers)) = m.edge_cpu {
        notes.push(format!(
            "edge_cpu_per_client: CPU seconds per client per second, of {covers}"
        ));
    }
    let result = RunResult {
        bandwidth_profile: scenario.impairment.profile().to_string(),
        started_unix,
        git_commit: git_commit(),
        machine: Machine::detect(),
        clients: ClientCounts {
            planned: m.planned,
            connected,
            failed,
            errors,
        },
        traffic: Traffic::of(&windows),
        rtt_ms: hist.rtt_ms.summary(),
        tick_ms: TickStats::of(&samples),
        processes: m
            .processes
            .iter()
            .map(|(name, cpu, rss)| ProcessUsage {
                name: name.clone(),
                cpu_secs: *cpu,
                peak_rss_kib: *rss,
            })
            .collect(),
        edge_cpu_per_client,
        staleness_ms: hist.staleness_ms.summary(),
        by_transport: result::TransportFigures::of(&m.outcomes),
        staleness_by_relation_ms: hist
            .staleness_ms
            .summary()
            .map(|_| hist.staleness_by_relation.summary()),
        convergence: m.convergence,
        baseline: (!recorded.is_empty())
            .then(|| crate::baseline::compare_with_wire(recorded, m.recorded_wire_bytes())),
        capacity,
        storm: None,
        series: Series::build(&windows, &m.ticks),
        notes,
        scenario,
    };
    (result, hist)
}
