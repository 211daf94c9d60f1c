//! Capacity searches: how many sessions and NPCs one region holds with tick p99 under the
//! limit, and how many client datagrams one edge handles per CPU second, beside the
//! machine's plain-UDP loopback ceiling measured in the same run.

pub use crate::scenario::ceiling::Ceiling;
use crate::scenario::config::{CapacitySection, Scenario};
use crate::scenario::measure::{Measured, run_region_only};
use crate::scenario::progress::Progress;
use crate::scenario::result::TickStats;
use crate::scenario::slopes::{Series, series};
use serde::Serialize;

/// Results of a capacity scenario.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CapacityResult {
    /// The region sweep.
    pub region: Option<RegionSweep>,
    /// Edge throughput.
    pub edge: Option<EdgeCapacity>,
    /// Plain UDP echo between two threads on loopback.
    pub loopback_ceiling: Option<Ceiling>,
    /// The same echo with batched system calls (`recvmmsg`, GSO) on both sides.
    pub batched_ceiling: Option<Ceiling>,
    /// The edge's CPU and memory per client, at the scenario's client load.
    pub edge_clients: Option<crate::scenario::edge_ladder::EdgeLadder>,
}

/// One step of the region sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Sessions opened.
    pub sessions: u32,
    /// NPC units.
    pub npcs: u32,
    /// Rings of chunks of the step's map (0: the region's default map).
    pub map_rings: u32,
    /// Tick time p99 (ms); null when no tick was sampled.
    pub tick_p99_ms: Option<f64>,
    /// Tick time median (ms).
    pub tick_median_ms: Option<f64>,
    /// Whether p99 was under the limit.
    pub passed: bool,
    /// Tick time by system set.
    pub sets: Option<TickStats>,
    /// Sessions whose repeating station job the region accepted (production runs).
    pub production_jobs: u64,
    /// Peak resident memory of the runner (region and fake edge) so far, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Cores the region used while measured (its CPU seconds per second: its runtime and
    /// tick threads).
    pub region_cores: Option<f64>,
    /// Cores the fake edge (the rest of the runner) used while measured.
    pub fake_edge_cores: Option<f64>,
    /// Why the step did not finish (the region shed the fake edge, the region did not
    /// start, ...): such a step fails with no figures and ends the sweep.
    pub error: Option<String>,
}

impl Step {
    /// A step that did not finish, for `error`.
    fn unfinished(sessions: u32, npcs: u32, map_rings: u32, error: String) -> Self {
        Self {
            sessions,
            npcs,
            map_rings,
            tick_p99_ms: None,
            tick_median_ms: None,
            passed: false,
            sets: None,
            production_jobs: 0,
            peak_rss_kib: None,
            region_cores: None,
            fake_edge_cores: None,
            error: Some(error),
        }
    }
}

/// The region sweep.
#[derive(Debug, Clone, Serialize)]
pub struct RegionSweep {
    /// The tick p99 limit (ms).
    pub limit_ms: f64,
    /// Steps run, in order (the sweep stops at the first failure).
    pub steps: Vec<Step>,
    /// The largest passing `[sessions, npcs]` (the last passing step before the first
    /// failure).
    pub largest_passing: Option<[u32; 2]>,
    /// Tick time against NPCs and against sessions, each with the other fixed.
    pub series: Vec<Series>,
}

/// Edge throughput under ping load.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeCapacity {
    /// Pongs received per second by all clients (each is one datagram in and one out at the edge).
    pub pings_per_sec: f64,
    /// CPU seconds the edge used during the measurement.
    pub edge_cpu_secs: Option<f64>,
    /// What that CPU figure covers.
    pub edge_cpu_covers: String,
    /// Edge CPU microseconds per ping handled (one datagram in, one out).
    pub edge_cpu_us_per_ping: Option<f64>,
    /// Pings one fully used core would handle at that cost.
    pub pings_per_core_sec: Option<f64>,
}

/// Most rings a sized step's map gets: the largest map of the default chunks and asteroids
/// whose map message clients can read (the region refuses larger ones, naming `map_rings`).
pub const MAX_SIZED_RINGS: u32 = 6;

/// The fewest rings of chunks (1..=[`MAX_SIZED_RINGS`]) whose map has a spawn point per
/// `per_spawn` sessions: `k` rings give `3k(k+1)` spawn points.
pub fn rings_for(sessions: u32, per_spawn: u32) -> u32 {
    let spawns = sessions.div_ceil(per_spawn.max(1));
    (1..=MAX_SIZED_RINGS)
        .find(|k| 3 * k * (k + 1) >= spawns)
        .unwrap_or(MAX_SIZED_RINGS)
}

/// Sweep `[sessions, npcs]` steps upward on a region-only run until tick p99 reaches the limit
/// (or through every step, when `stop_over_limit` is false).
pub async fn region_sweep(
    scenario: &Scenario,
    cap: &CapacitySection,
    progress: &Progress,
) -> anyhow::Result<(Measured, CapacityResult)> {
    let mut steps = Vec::new();
    let mut last = Measured::default();
    let mut largest_passing = None;
    let mut failed = false;
    for &[sessions, npcs] in &cap.steps {
        let mut s = scenario.clone();
        s.clients.sessions = sessions;
        s.load.npc_count = npcs;
        s.duration_secs = cap.step_secs;
        if cap.sessions_per_spawn > 0 {
            s.load.map_rings = rings_for(sessions, cap.sessions_per_spawn);
        }
        progress.say(format!("capacity step: {sessions} sessions, {npcs} NPCs"));
        // A step that cannot finish (on this machine, past some size the fake edge cannot
        // drain the region's frames and the region sheds it) ends the sweep as a failed
        // step; the steps before it are kept.
        last = match run_region_only(&s, progress, None).await {
            Ok(measured) => measured,
            Err(e) => {
                progress.say(format!("capacity step failed: {e:#}"));
                steps.push(Step::unfinished(
                    sessions,
                    npcs,
                    s.load.map_rings,
                    format!("{e:#}"),
                ));
                break;
            }
        };
        let samples: Vec<_> = last.ticks.iter().map(|(_, t)| *t).collect();
        let stats = TickStats::of(&samples);
        let p99 = stats.as_ref().map(|t| t.total.p99);
        let passed = p99.is_some_and(|p| p < cap.tick_p99_limit_ms);
        // Cores: CPU seconds over the measured window (the step's length if unmeasured).
        let window = last
            .cpu_window_secs
            .filter(|w| *w > 0.0)
            .unwrap_or(cap.step_secs as f64);
        steps.push(Step {
            sessions,
            npcs,
            map_rings: s.load.map_rings,
            tick_p99_ms: p99,
            tick_median_ms: stats.as_ref().map(|t| t.total.median),
            passed,
            production_jobs: last.fake_edge.as_ref().map_or(0, |f| f.trains[0]),
            peak_rss_kib: last.processes.first().and_then(|p| p.2),
            region_cores: last.region_cpu.map(|c| c / window),
            fake_edge_cores: last
                .processes
                .first()
                .and_then(|p| p.1)
                .zip(last.region_cpu)
                .map(|(all, region)| (all - region) / window),
            sets: stats,
            error: None,
        });
        if !passed {
            failed = true;
            if cap.stop_over_limit {
                break;
            }
        }
        if !failed {
            largest_passing = Some([sessions, npcs]);
        }
    }
    let region = RegionSweep {
        limit_ms: cap.tick_p99_limit_ms,
        series: series(&steps),
        steps,
        largest_passing,
    };
    Ok((
        last,
        CapacityResult {
            region: Some(region),
            ..CapacityResult::default()
        },
    ))
}

/// Edge figures from a run of pinging clients.
pub fn edge_capacity(m: &Measured, duration_secs: u64) -> EdgeCapacity {
    let pongs: u64 = m.outcomes.iter().map(|o| o.pongs).sum();
    let secs = duration_secs.max(1) as f64;
    let per_ping = m
        .edge_cpu
        .filter(|_| pongs > 0)
        .map(|(cpu, _)| cpu / pongs as f64 * 1e6);
    EdgeCapacity {
        pings_per_sec: pongs as f64 / secs,
        edge_cpu_secs: m.edge_cpu.map(|c| c.0),
        edge_cpu_covers: m.edge_cpu.map_or("unknown", |c| c.1).to_string(),
        edge_cpu_us_per_ping: per_ping,
        pings_per_core_sec: per_ping.filter(|us| *us > 0.0).map(|us| 1e6 / us),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_give_a_spawn_point_per_share_of_sessions() {
        assert_eq!(rings_for(50, 50), 1);
        assert_eq!(rings_for(300, 50), 1, "6 spawns");
        assert_eq!(rings_for(301, 50), 2, "7 spawns need 2 rings (18)");
        assert_eq!(rings_for(1_800, 50), 3, "36 spawns");
        assert_eq!(rings_for(6_000, 50), 6, "120 spawns: 6 rings give 126");
        assert_eq!(rings_for(10_000, 50), 6, "at most 6 (126 spawns)");
    }

    #[test]
    fn an_unfinished_step_fails_and_says_why() {
        let step = Step::unfinished(3_200, 100_000, 6, "the region closed the link".into());
        assert!(!step.passed);
        assert_eq!(step.tick_p99_ms, None);
        let json = serde_json::to_value(&step).expect("a step serializes");
        assert_eq!(json["error"], "the region closed the link");
        assert_eq!(json["map_rings"], 6);
    }
}
