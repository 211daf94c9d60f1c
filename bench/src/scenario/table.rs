//! The short table printed at the end of a run.

use crate::scenario::result::RunResult;
use crate::scenario::stats::Summary;
use std::fmt::Write as _;

fn row(out: &mut String, name: &str, s: Option<&Summary>, unit: &str) {
    match s {
        Some(s) => {
            let _ = writeln!(
                out,
                "  {name:<34} {:>12.1} {:>12.1} {:>12.1}  {unit}",
                s.median, s.p99, s.max
            );
        }
        None => {
            let _ = writeln!(out, "  {name:<34} {:>12} {:>12} {:>12}", "-", "-", "-");
        }
    }
}

/// Render the result's headline figures.
pub fn render(r: &RunResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {} ({:?}): {} s measured after {} s warm-up; clients {}/{} connected, {} failed",
        r.scenario.name,
        r.scenario.topology,
        r.scenario.duration_secs,
        r.scenario.warmup_secs,
        r.clients.connected,
        r.clients.planned,
        r.clients.failed
    );
    if let Some(storm) = &r.storm {
        out.push_str(&storm.render());
        processes(&mut out, r);
        return out;
    }
    let _ = writeln!(
        out,
        "  {:<34} {:>12} {:>12} {:>12}",
        "", "median", "p99", "max"
    );
    let t = r.traffic.as_ref();
    row(
        &mut out,
        "down bytes / client / s",
        t.map(|t| &t.down_bytes),
        "B",
    );
    row(
        &mut out,
        "up bytes / client / s",
        t.map(|t| &t.up_bytes),
        "B",
    );
    row(
        &mut out,
        "down packets / client / s",
        t.map(|t| &t.down_packets),
        "",
    );
    row(
        &mut out,
        "up packets / client / s",
        t.map(|t| &t.up_packets),
        "",
    );
    row(&mut out, "round-trip time", r.rtt_ms.as_ref(), "ms");
    let k = r.tick_ms.as_ref();
    row(&mut out, "tick total", k.map(|k| &k.total), "ms");
    row(&mut out, "  commands", k.map(|k| &k.commands), "ms");
    row(&mut out, "  simulation", k.map(|k| &k.simulation), "ms");
    row(&mut out, "  vision", k.map(|k| &k.vision), "ms");
    row(&mut out, "  sync", k.map(|k| &k.sync), "ms");
    row(&mut out, "staleness", r.staleness_ms.as_ref(), "ms");
    if let Some(by) = &r.staleness_by_relation_ms {
        row(&mut out, "  own", by.own.as_ref(), "ms");
        row(&mut out, "  hostile", by.hostile.as_ref(), "ms");
        row(&mut out, "  neutral", by.neutral.as_ref(), "ms");
    }
    // Transports side by side, when the run mixes them.
    if r.by_transport.len() > 1 {
        for t in &r.by_transport {
            let name = format!("{} ({} clients)", t.transport, t.connected);
            let _ = writeln!(out, "  {name}");
            let down = t.traffic.as_ref().map(|x| &x.down_bytes);
            row(&mut out, "  down bytes / client / s", down, "B");
            row(&mut out, "  round-trip time", t.rtt_ms.as_ref(), "ms");
            row(&mut out, "  staleness", t.staleness_ms.as_ref(), "ms");
        }
    }
    if let Some(c) = &r.convergence {
        let _ = writeln!(
            out,
            "  convergence: {}/{} client-entity pairs equal to stable truth ({:.1}%)",
            c.equal,
            c.checked,
            c.fraction * 100.0
        );
    }
    processes(&mut out, r);
    if let Some(c) = r.edge_cpu_per_client {
        let _ = writeln!(out, "  edge cpu per client: {:.4} core", c);
    }
    if let Some(b) = &r.baseline {
        out.push_str(&b.table());
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    if let Some(c) = &r.capacity {
        capacity(&mut out, c);
    }
    out
}

fn processes(out: &mut String, r: &RunResult) {
    for p in &r.processes {
        let _ = writeln!(
            out,
            "  process {:<30} cpu {:>8} s   peak rss {:>8} MiB",
            p.name,
            p.cpu_secs.map_or("-".into(), |c| format!("{c:.2}")),
            p.peak_rss_kib
                .map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0))
        );
    }
}

fn capacity(out: &mut String, c: &crate::scenario::capacity::CapacityResult) {
    if let Some(s) = &c.region {
        for st in &s.steps {
            let _ = writeln!(
                out,
                "  step {:>6} sessions {:>7} NPCs: tick p99 {:>8} ms  {}",
                st.sessions,
                st.npcs,
                st.tick_p99_ms.map_or("-".into(), |p| format!("{p:.2}")),
                match (&st.error, st.passed) {
                    (Some(_), _) => "did not finish",
                    (None, true) => "ok",
                    (None, false) => "over the limit",
                }
            );
            if let Some(e) = &st.error {
                let _ = writeln!(out, "      error: {e}");
            }
            if let Some(t) = &st.sets {
                let _ = writeln!(
                    out,
                    "      median / p99 ms: commands {:.2} / {:.2}, simulation {:.2} / {:.2}, vision {:.2} / {:.2}, sync {:.2} / {:.2}",
                    t.commands.median,
                    t.commands.p99,
                    t.simulation.median,
                    t.simulation.p99,
                    t.vision.median,
                    t.vision.p99,
                    t.sync.median,
                    t.sync.p99
                );
            }
            let _ = writeln!(
                out,
                "      production jobs {}, map rings {}, peak rss {} MiB, cores used: region {}, \
                 fake edge {}",
                st.production_jobs,
                st.map_rings,
                st.peak_rss_kib
                    .map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
                st.region_cores.map_or("-".into(), |c| format!("{c:.2}")),
                st.fake_edge_cores.map_or("-".into(), |c| format!("{c:.2}")),
            );
        }
        let _ = writeln!(
            out,
            "  largest passing (tick p99 < {} ms): {:?}",
            s.limit_ms, s.largest_passing
        );
        for series in &s.series {
            let m = &series.ms_per_1000;
            let _ = writeln!(
                out,
                "  slope against {} at {} {} ({} steps), median ms per 1,000: total {:.3}, commands {:.3}, simulation {:.3}, vision {:.3}, sync {:.3}",
                series.varied.name(),
                series.fixed,
                series.varied.fixed_name(),
                series.points.len(),
                m.total,
                m.commands,
                m.simulation,
                m.vision,
                m.sync
            );
        }
    }
    if let Some(e) = &c.edge {
        let _ = writeln!(
            out,
            "  edge: {:.0} pings/s handled, {} us CPU per ping ({}), {} pings per core-second",
            e.pings_per_sec,
            e.edge_cpu_us_per_ping
                .map_or("-".into(), |u| format!("{u:.1}")),
            e.edge_cpu_covers,
            e.pings_per_core_sec
                .map_or("-".into(), |p| format!("{p:.0}"))
        );
    }
    if let Some(l) = &c.edge_clients {
        edge_ladder(out, l);
    }
    if let Some(l) = &c.loopback_ceiling {
        let _ = writeln!(
            out,
            "  loopback ceiling: {:.0} plain UDP echoes/s ({} in {:.2} s)",
            l.echoes_per_sec, l.echoes, l.secs
        );
    }
    if let Some(l) = &c.batched_ceiling {
        let _ = writeln!(
            out,
            "  batched loopback ceiling: {:.0} UDP echoes/s, recvmmsg and one send per answer ({} in {:.2} s)",
            l.echoes_per_sec, l.echoes, l.secs
        );
    }
}

fn edge_ladder(out: &mut String, l: &crate::scenario::edge_ladder::EdgeLadder) {
    let f = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    for s in &l.steps {
        let _ = writeln!(
            out,
            "  edge step {:>5} clients ({} WebTransport, {} connected): edge {} cores, {} us per client-second, peak rss {} MiB; region {} cores; down {} B/client/s, rtt p99 {} ms{}",
            s.clients,
            s.webtransport,
            s.connected,
            f(s.edge_cores, 3),
            f(s.edge_us_per_client_sec, 0),
            f(s.edge_peak_rss_kib.map(|k| k as f64 / 1024.0), 1),
            f(s.region_cores, 2),
            f(s.down_bytes_median, 0),
            f(s.rtt_p99_ms, 1),
            if s.served {
                ""
            } else {
                " (not served: left out of the fit)"
            },
        );
    }
    let _ = writeln!(
        out,
        "  edge fit over the served steps (largest {}; {}): {} cores per 1,000 clients + {} cores; {} KiB per client + {} MiB",
        l.largest_served.map_or("-".into(), |n| n.to_string()),
        l.covers,
        f(l.cores_per_1000_clients, 3),
        f(l.base_cores, 3),
        f(l.rss_kib_per_client, 1),
        f(l.base_rss_kib.map(|k| k / 1024.0), 1),
    );
}
