//! The result of a run (written as `result.json`) and how it is assembled from what the
//! clients, the region monitor and `/proc` measured.

use crate::baseline::Comparison;
use crate::scenario::capacity::CapacityResult;
use crate::scenario::clients::{ClientOutcome, Window};
use crate::scenario::config::Scenario;
use crate::scenario::procstat::Machine;
use crate::scenario::staleness::Convergence;
use crate::scenario::stats::{Histogram, Summary};
use crate::scenario::storm::report::StormResult;
use serde::Serialize;
use starlane_game::TickSample;

/// Everything a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// The scenario as run (with any duration override applied).
    pub scenario: Scenario,
    /// Start of the run, seconds since the Unix epoch.
    pub started_unix: u64,
    /// `git rev-parse HEAD`, when available.
    pub git_commit: Option<String>,
    /// The machine.
    pub machine: Machine,
    /// The bandwidth profile's name.
    pub bandwidth_profile: String,
    /// Clients planned, connected, failed.
    pub clients: ClientCounts,
    /// Bytes and packets per client per 1 s window.
    pub traffic: Option<Traffic>,
    /// Round-trip times from pings (ms).
    pub rtt_ms: Option<Summary>,
    /// Region tick times (ms) by system set; null when the region is another process.
    pub tick_ms: Option<TickStats>,
    /// CPU seconds during the measurement and peak memory, per process.
    pub processes: Vec<ProcessUsage>,
    /// Edge CPU seconds per client per second of measurement (see `notes` for what "edge"
    /// covers in this topology).
    pub edge_cpu_per_client: Option<f64>,
    /// Age of client-visible entity state against the server's truth (ms).
    pub staleness_ms: Option<Summary>,
    /// Traffic, round trips and staleness by transport (when the run has clients).
    pub by_transport: Vec<TransportFigures>,
    /// The same by the entity's relation to the client: own, hostile (another player's) or
    /// neutral; null where staleness is.
    pub staleness_by_relation_ms: Option<crate::scenario::staleness::RelationSummary>,
    /// Client state equal to stable truth at the end.
    pub convergence: Option<Convergence>,
    /// One client's update stream in the platform, JSON and MessagePack encodings.
    pub baseline: Option<Comparison>,
    /// Capacity search results (capacity scenarios).
    pub capacity: Option<CapacityResult>,
    /// Reconnect storm results (storm scenarios).
    pub storm: Option<StormResult>,
    /// Per-second series (for the plots).
    pub series: Series,
    /// What the figures mean in this topology, and anything that went wrong.
    pub notes: Vec<String>,
}

/// Client counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientCounts {
    /// Clients (or fake-edge sessions) started.
    pub planned: u64,
    /// Welcomed (or joined).
    pub connected: u64,
    /// Failed to connect, or closed early.
    pub failed: u64,
    /// The first few errors.
    pub errors: Vec<String>,
}

/// Per client per 1 s window, across all clients and windows.
#[derive(Debug, Clone, Serialize)]
pub struct Traffic {
    /// Client-windows summarised.
    pub windows: u64,
    /// Bytes received per client per second.
    pub down_bytes: Summary,
    /// Bytes sent per client per second.
    pub up_bytes: Summary,
    /// Packets received per client per second.
    pub down_packets: Summary,
    /// Packets sent per client per second.
    pub up_packets: Summary,
}

impl Traffic {
    /// Summarise windows; `None` when there are none.
    pub fn of(windows: &[Window]) -> Option<Traffic> {
        let pick = |f: fn(&Window) -> u64| -> Option<Summary> {
            Summary::of(&windows.iter().map(|w| f(w) as f64).collect::<Vec<_>>())
        };
        Some(Traffic {
            windows: windows.len() as u64,
            down_bytes: pick(|w| w.down_bytes)?,
            up_bytes: pick(|w| w.up_bytes)?,
            down_packets: pick(|w| w.down_packets)?,
            up_packets: pick(|w| w.up_packets)?,
        })
    }
}

/// Tick time by system set (ms).
#[derive(Debug, Clone, Serialize)]
pub struct TickStats {
    /// Ticks summarised.
    pub ticks: u64,
    /// The whole tick.
    pub total: Summary,
    /// Commands set.
    pub commands: Summary,
    /// Simulation set.
    pub simulation: Summary,
    /// Vision set.
    pub vision: Summary,
    /// Sync set.
    pub sync: Summary,
    /// Most entities seen in a tick.
    pub max_entities: u32,
    /// Most sessions seen in a tick.
    pub max_sessions: u32,
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

impl TickStats {
    /// Summarise tick samples; `None` when there are none.
    pub fn of(samples: &[TickSample]) -> Option<TickStats> {
        let pick = |f: fn(&TickSample) -> u64| -> Option<Summary> {
            Summary::of(&samples.iter().map(|s| ms(f(s))).collect::<Vec<_>>())
        };
        Some(TickStats {
            ticks: samples.len() as u64,
            total: pick(|s| s.total_ns)?,
            commands: pick(|s| s.commands_ns)?,
            simulation: pick(|s| s.simulation_ns)?,
            vision: pick(|s| s.vision_ns)?,
            sync: pick(|s| s.sync_ns)?,
            max_entities: samples.iter().map(|s| s.entities).max().unwrap_or(0),
            max_sessions: samples.iter().map(|s| s.sessions).max().unwrap_or(0),
        })
    }
}

/// CPU and memory of one process.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessUsage {
    /// What it runs.
    pub name: String,
    /// CPU seconds (user + system) during the measurement.
    pub cpu_secs: Option<f64>,
    /// Peak resident set size (KiB) over the process's life.
    pub peak_rss_kib: Option<u64>,
}

/// Per-second series behind the plots.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Series {
    /// (second, median, max) bytes received per client.
    pub down_bytes_per_client: Vec<(f64, f64, f64)>,
    /// (second, median, max) bytes sent per client.
    pub up_bytes_per_client: Vec<(f64, f64, f64)>,
    /// (second after measuring began, total, commands, simulation, vision, sync) in ms,
    /// the mean of the ticks drained in that second.
    pub tick_ms: Vec<[f64; 6]>,
}

impl Series {
    /// Build from client windows and timed tick samples.
    pub fn build(windows: &[Window], ticks: &[(f64, TickSample)]) -> Series {
        let per_second = |f: fn(&Window) -> u64| {
            let mut by_sec: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
            for w in windows {
                by_sec
                    .entry(w.t.round() as u64)
                    .or_default()
                    .push(f(w) as f64);
            }
            by_sec
                .into_iter()
                .filter_map(|(s, v)| Summary::of(&v).map(|x| (s as f64, x.median, x.max)))
                .collect()
        };
        let mut tick_ms = Vec::new();
        let mut by_sec: std::collections::BTreeMap<u64, Vec<&TickSample>> = Default::default();
        for (t, s) in ticks {
            by_sec.entry(t.floor() as u64).or_default().push(s);
        }
        for (sec, v) in by_sec {
            let n = v.len() as f64;
            let mean = |f: fn(&TickSample) -> u64| v.iter().map(|s| ms(f(s))).sum::<f64>() / n;
            tick_ms.push([
                sec as f64,
                mean(|s| s.total_ns),
                mean(|s| s.commands_ns),
                mean(|s| s.simulation_ns),
                mean(|s| s.vision_ns),
                mean(|s| s.sync_ns),
            ]);
        }
        Series {
            down_bytes_per_client: per_second(|w| w.down_bytes),
            up_bytes_per_client: per_second(|w| w.up_bytes),
            tick_ms,
        }
    }
}

/// Histograms kept beside the result for the plots.
#[derive(Debug, Clone)]
pub struct Histograms {
    /// Round-trip times (ms).
    pub rtt_ms: Histogram,
    /// Staleness ages (ms).
    pub staleness_ms: Histogram,
    /// The same by relation.
    pub staleness_by_relation: crate::scenario::staleness::RelationHistograms,
}

impl Histograms {
    /// Merge every client's histograms.
    pub fn merge(outcomes: &[ClientOutcome]) -> Histograms {
        let mut rtt_ms = Histogram::new(0.1, 10_000);
        let mut staleness_ms = crate::scenario::staleness::staleness_histogram();
        let mut staleness_by_relation = crate::scenario::staleness::RelationHistograms::default();
        for o in outcomes {
            rtt_ms.merge(&o.rtt_ms);
            staleness_ms.merge(&o.staleness_ms);
            staleness_by_relation.merge(&o.staleness_by_relation);
        }
        Histograms {
            rtt_ms,
            staleness_ms,
            staleness_by_relation,
        }
    }
}

/// The figures of one transport's clients, so that transports measured in one run can be
/// set side by side (e.g. WebTransport and its WebSocket fallback).
#[derive(Debug, Clone, Serialize)]
pub struct TransportFigures {
    /// "udp", "webtransport" or "websocket".
    pub transport: String,
    /// Its clients welcomed.
    pub connected: u64,
    /// Bytes and packets per client per 1 s window.
    pub traffic: Option<Traffic>,
    /// Round-trip times from pings (ms).
    pub rtt_ms: Option<Summary>,
    /// Age of its clients' entity state against the truth (ms).
    pub staleness_ms: Option<Summary>,
}

impl TransportFigures {
    /// One entry per transport among `outcomes`, in name order.
    pub fn of(outcomes: &[ClientOutcome]) -> Vec<TransportFigures> {
        let mut kinds: Vec<&'static str> = outcomes.iter().map(|o| o.transport).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
            .into_iter()
            .map(|kind| {
                let mine: Vec<&ClientOutcome> =
                    outcomes.iter().filter(|o| o.transport == kind).collect();
                let windows: Vec<Window> = mine
                    .iter()
                    .flat_map(|o| o.windows.iter().copied())
                    .collect();
                let mut rtt = Histogram::new(0.1, 10_000);
                let mut staleness = crate::scenario::staleness::staleness_histogram();
                for o in &mine {
                    rtt.merge(&o.rtt_ms);
                    staleness.merge(&o.staleness_ms);
                }
                TransportFigures {
                    transport: kind.to_string(),
                    connected: mine.iter().filter(|o| o.error.is_none()).count() as u64,
                    traffic: Traffic::of(&windows),
                    rtt_ms: rtt.summary(),
                    staleness_ms: staleness.summary(),
                }
            })
            .collect()
    }
}
