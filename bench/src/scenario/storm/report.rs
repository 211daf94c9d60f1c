//! What a reconnect storm measured: per phase (before the storm, the storm) when the clients
//! were playing and how long each step of their connection took, and where the servers' time
//! went (the edges' token verification, handshakes and region joins, the region's database
//! joins and ticks), against the target.

use crate::scenario::stats::Summary;
use crate::scenario::storm::client::{ClientRecord, PhaseRecord};
use serde::Serialize;
use std::fmt::Write as _;

/// A reconnect storm's figures.
#[derive(Debug, Clone, Serialize)]
pub struct StormResult {
    /// Clients.
    pub clients: u32,
    /// Edges.
    pub edges: u32,
    /// Clients connecting for the first time (spread over `connect_per_sec`).
    pub before: PhaseFigures,
    /// Every client reconnecting at once after the edges restarted.
    pub storm: PhaseFigures,
    /// Where the storm's time went.
    pub breakdown: Breakdown,
    /// The target: every client playing within this many seconds of the storm's start.
    pub target_secs: f64,
    /// Whether every client played within the target.
    pub met_target: bool,
}

/// One phase's client figures, in seconds from the phase's start.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseFigures {
    /// Clients that played.
    pub playing: u64,
    /// Clients that never did.
    pub failed: u64,
    /// Attempts beyond each client's first.
    pub retries: u64,
    /// When the last client was playing; null if some never were.
    pub time_to_all_secs: Option<f64>,
    /// When each client was playing.
    pub playing_secs: Option<Summary>,
    /// Handshake of the attempt that played (from its start to the connection).
    pub handshake_secs: Option<Summary>,
    /// Hello to welcome (token verification, the region's join, queueing on the way).
    pub welcome_secs: Option<Summary>,
    /// Welcome to the first update.
    pub first_update_secs: Option<Summary>,
    /// The first few errors.
    pub errors: Vec<String>,
}

impl PhaseFigures {
    /// Summarise one phase of every client.
    pub fn of<'a>(records: impl Iterator<Item = &'a PhaseRecord>, retries: u64) -> PhaseFigures {
        let (mut playing, mut shake, mut welcome, mut first) = (vec![], vec![], vec![], vec![]);
        let (mut failed, mut errors) = (0u64, Vec::new());
        for r in records {
            let t = &r.times;
            match t.playing {
                Some(p) => playing.push(p),
                None => failed += 1,
            }
            if let Some(e) = &r.error
                && errors.len() < 10
            {
                errors.push(e.clone());
            }
            let (Some(c), Some(w), Some(p)) = (t.connected, t.welcomed, t.playing) else {
                continue;
            };
            shake.push(c - t.attempt_began);
            welcome.push(w - c);
            first.push(p - w);
        }
        let time_to_all_secs = (failed == 0)
            .then(|| playing.iter().copied().fold(0.0, f64::max))
            .filter(|_| !playing.is_empty());
        PhaseFigures {
            playing: playing.len() as u64,
            failed,
            retries,
            time_to_all_secs,
            playing_secs: Summary::of(&playing),
            handshake_secs: Summary::of(&shake),
            welcome_secs: Summary::of(&welcome),
            first_update_secs: Summary::of(&first),
            errors,
        }
    }

    /// Both phases of `records`.
    pub fn both(records: &[ClientRecord], retries: [u64; 2]) -> (PhaseFigures, PhaseFigures) {
        (
            Self::of(records.iter().map(|r| &r.initial), retries[0]),
            Self::of(records.iter().map(|r| &r.storm), retries[1]),
        )
    }
}

/// A timed step: how many and how long in all.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timed {
    /// Occurrences.
    pub count: u64,
    /// Seconds in all.
    pub total_secs: f64,
    /// Mean milliseconds each.
    pub mean_ms: f64,
}

impl Timed {
    /// `count` occurrences taking `total_secs` in all.
    pub fn new(count: u64, total_secs: f64) -> Timed {
        let mean_ms = if count == 0 {
            0.0
        } else {
            total_secs * 1000.0 / count as f64
        };
        Timed {
            count,
            total_secs,
            mean_ms,
        }
    }

    /// What happened between `before` and `after`.
    pub fn since(after: Timed, before: Timed) -> Timed {
        Timed::new(
            after.count.saturating_sub(before.count),
            (after.total_secs - before.total_secs).max(0.0),
        )
    }
}

/// Where the storm's time went, summed over the edges (their counters start with the restart,
/// so they cover the storm alone) and the region (the difference across the storm).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Breakdown {
    /// Token verifications on the edges (CPU: a synchronous ES256 check).
    pub jwt_verify: Timed,
    /// Handshake datagrams handled by the edges' UDP threads (CPU: cookies, Noise).
    pub handshake: Timed,
    /// Region joins, join sent to welcome (wall time, overlapping: a round trip, not CPU).
    pub region_join: Timed,
    /// The region's database join calls (wall time of each store call).
    pub region_db_join: Timed,
    /// The region's joins answered from memory (a player it joined before), no database.
    pub region_joins_cached: u64,
    /// Edge links the region shed because the edge did not read its frames (`slow`).
    pub region_links_shed: u64,
    /// Sessions the edges announced again on a new link after such a loss (each one more
    /// join at the region).
    pub region_rejoins: u64,
    /// Region ticks during the storm (wall time).
    pub region_ticks: Timed,
    /// The same ticks per system set (`commands`, `simulation`, `vision`, `sync`), in tick
    /// order: where a tick's time went.
    pub region_tick_sets: Vec<(String, Timed)>,
    /// Frames and bytes the region queued for its edges during the storm (welcomes, views,
    /// answers).
    pub region_link_out: Counted,
    /// The most bytes one edge link's outgoing queue held after a tick, since the region began.
    pub region_link_queued_peak: u64,
    /// CPU seconds of this whole process (region, edges and clients) during the storm.
    pub process_cpu_secs: Option<f64>,
    /// CPU seconds of the clients' runtime threads during the storm (the servers used the
    /// rest of `process_cpu_secs`).
    pub clients_cpu_secs: Option<f64>,
    /// CPU seconds of the region's threads during the storm (its runtime and its tick); the
    /// edges used what the clients and the region did not.
    pub region_cpu_secs: Option<f64>,
    /// Wall seconds from the storm's start to the end of its measurement.
    pub wall_secs: f64,
}

/// A count of frames and their bytes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counted {
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// The sum and count of a Prometheus histogram or summary `name` (with `labels`, e.g.
/// `op="join"`, or "" for none) in the text exposition `text`.
pub fn histogram_total(text: &str, name: &str, labels: &str) -> Timed {
    let value = |suffix: &str| sample(text, &format!("{name}_{suffix}"), labels);
    Timed::new(value("count") as u64, value("sum"))
}

/// The value of the sample `name{labels}` (`labels` "" for none) in the text exposition
/// `text`; 0 when absent.
pub fn sample(text: &str, name: &str, labels: &str) -> f64 {
    let key = if labels.is_empty() {
        format!("{name} ")
    } else {
        format!("{name}{{{labels}}} ")
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn line(out: &mut String, name: &str, s: Option<&Summary>) {
    match s {
        Some(s) => {
            let _ = writeln!(
                out,
                "  {name:<34} {:>12.3} {:>12.3} {:>12.3}  s",
                s.median, s.p99, s.max
            );
        }
        None => {
            let _ = writeln!(out, "  {name:<34} {:>12} {:>12} {:>12}", "-", "-", "-");
        }
    }
}

fn phase(out: &mut String, title: &str, p: &PhaseFigures, clients: u32) {
    let all = p
        .time_to_all_secs
        .map_or("not all".to_string(), |t| format!("{t:.2} s"));
    let _ = writeln!(
        out,
        "{title}: {}/{clients} playing, {} failed, {} retries; time to all playing {all}",
        p.playing, p.failed, p.retries
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>12} {:>12} {:>12}",
        "", "median", "p99", "max"
    );
    line(out, "playing (from phase start)", p.playing_secs.as_ref());
    line(out, "handshake", p.handshake_secs.as_ref());
    line(out, "hello to welcome", p.welcome_secs.as_ref());
    line(out, "welcome to first update", p.first_update_secs.as_ref());
}

fn timed(out: &mut String, name: &str, t: &Timed, what: &str) {
    let _ = writeln!(
        out,
        "  {name:<26} {:>7} x {:>9.3} ms = {:>8.3} s  {what}",
        t.count, t.mean_ms, t.total_secs
    );
}

fn cpu_lines(out: &mut String, b: &Breakdown) {
    let Some(cpu) = b.process_cpu_secs else {
        return;
    };
    let _ = writeln!(
        out,
        "  process CPU {cpu:.2} s over {:.2} s (region, edges and clients together)",
        b.wall_secs
    );
    let (Some(clients), Some(region)) = (b.clients_cpu_secs, b.region_cpu_secs) else {
        return;
    };
    let edges = cpu - clients - region;
    let cores = |secs: f64| secs / b.wall_secs.max(1e-9);
    let _ = writeln!(
        out,
        "    of which edges {edges:.2} s ({:.2} cores), region {region:.2} s ({:.2} cores), \
         clients {clients:.2} s ({:.2} cores)",
        cores(edges),
        cores(region),
        cores(clients)
    );
}

impl StormResult {
    /// The storm's table.
    pub fn render(&self) -> String {
        let mut out = String::new();
        phase(&mut out, "before the storm", &self.before, self.clients);
        phase(&mut out, "storm", &self.storm, self.clients);
        let b = &self.breakdown;
        let _ = writeln!(out, "where the storm's time went ({} edges):", self.edges);
        timed(&mut out, "edge JWT verification", &b.jwt_verify, "CPU");
        timed(
            &mut out,
            "edge UDP handshakes",
            &b.handshake,
            "CPU (packets)",
        );
        timed(
            &mut out,
            "edge region joins",
            &b.region_join,
            "wall, overlapping",
        );
        timed(
            &mut out,
            "region database join batches",
            &b.region_db_join,
            "wall",
        );
        let _ = writeln!(
            out,
            "  region joins from memory {} (players it joined before)",
            b.region_joins_cached
        );
        let _ = writeln!(
            out,
            "  region links shed (slow edge) {}, sessions announced again {}",
            b.region_links_shed, b.region_rejoins
        );
        timed(&mut out, "region ticks", &b.region_ticks, "wall");
        for (set, t) in &b.region_tick_sets {
            timed(&mut out, &format!("  of which {set}"), t, "wall");
        }
        let out_link = b.region_link_out;
        let _ = writeln!(
            out,
            "  region to edges {} frames, {:.1} MB ({:.1} kB a client); one link's queue peaked at {:.1} MB",
            out_link.frames,
            out_link.bytes as f64 / 1e6,
            out_link.bytes as f64 / 1e3 / f64::from(self.clients.max(1)),
            b.region_link_queued_peak as f64 / 1e6
        );
        cpu_lines(&mut out, b);
        let verdict = if self.met_target { "met" } else { "missed" };
        let _ = writeln!(
            out,
            "target: all playing within {} s: {verdict}",
            self.target_secs
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::storm::client::Times;

    #[test]
    fn histogram_totals_come_from_the_text_exposition() {
        let text = "# TYPE x histogram\nstarlane_region_db_seconds_sum{op=\"join\"} 1.5\n\
                    starlane_region_db_seconds_count{op=\"join\"} 30\n\
                    starlane_region_db_seconds_count{op=\"ping\"} 2\nplain_sum 4\nplain_count 8\n";
        let join = histogram_total(text, "starlane_region_db_seconds", "op=\"join\"");
        assert_eq!(join.count, 30);
        assert!((join.mean_ms - 50.0).abs() < 1e-9);
        let plain = histogram_total(text, "plain", "");
        assert_eq!((plain.count, plain.total_secs), (8, 4.0));
        assert_eq!(histogram_total(text, "absent", "").count, 0);
        let d = Timed::since(Timed::new(40, 2.0), join);
        assert_eq!(d.count, 10);
        assert!((d.total_secs - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_phase_with_a_client_that_never_played_has_no_time_to_all() {
        let played = PhaseRecord {
            times: Times {
                connected: Some(0.2),
                welcomed: Some(0.5),
                playing: Some(0.6),
                attempt_began: 0.1,
                attempts: 2,
            },
            error: None,
        };
        let all = PhaseFigures::of([played.clone(), played.clone()].iter(), 2);
        assert_eq!(all.time_to_all_secs, Some(0.6));
        let hs = all.handshake_secs.expect("handshakes");
        assert!((hs.median - 0.1).abs() < 1e-9);
        let lost = PhaseRecord {
            error: Some("no first update in time".into()),
            ..PhaseRecord::default()
        };
        let some = PhaseFigures::of([played, lost].iter(), 0);
        assert_eq!((some.playing, some.failed), (1, 1));
        assert_eq!(some.time_to_all_secs, None);
        assert_eq!(some.errors.len(), 1);
    }
}
