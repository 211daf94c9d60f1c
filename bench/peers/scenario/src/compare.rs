//! The side-by-side table and plots: one row per (load, stack), read from the runners'
//! reports and from the platform's own `result.json`.

use crate::stats::Summary;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// One stack's figures in one load.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub load: String,
    pub stack: String,
    pub clients: u64,
    /// Clients whose stack panicked during the run (peers only).
    pub crashed: u64,
    pub down_bytes: Option<Summary>,
    pub down_packets: Option<Summary>,
    pub up_bytes: Option<Summary>,
    /// Server CPU, ms per client per second.
    pub server_cpu_ms: Option<f64>,
    /// The replay's client thread CPU, ms per client per second (replays only).
    pub client_cpu_ms: Option<f64>,
    /// Server memory per client, bytes (see `memory_method`).
    pub server_mem_per_client: Option<f64>,
    pub memory_method: String,
    pub staleness_ms: Option<Summary>,
    /// Share of the view the client held (peers only).
    pub coverage: Option<f64>,
    pub notes: Vec<String>,
    /// Why the run did not finish, when it did not (the other figures are then empty).
    pub failed: Option<String>,
}

impl Row {
    /// A run that did not finish.
    pub fn failed(load: &str, stack: &str, why: String) -> Row {
        Row {
            load: load.into(),
            stack: stack.into(),
            clients: 0,
            crashed: 0,
            down_bytes: None,
            down_packets: None,
            up_bytes: None,
            server_cpu_ms: None,
            client_cpu_ms: None,
            server_mem_per_client: None,
            memory_method: String::new(),
            staleness_ms: None,
            coverage: None,
            notes: Vec::new(),
            failed: Some(why),
        }
    }
}

/// What a failed runner's output says: its last error line, and the first panic's place and
/// message with how many panics there were.
pub fn failure_from_log(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let last = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("run-"))
        .copied()
        .unwrap_or("exited with an error");
    let panics: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].contains("panicked at"))
        .collect();
    match panics.first() {
        None => last.to_string(),
        Some(first) => {
            let place = lines[*first]
                .split("panicked at ")
                .nth(1)
                .map(|p| p.rsplit("/src/").next().unwrap_or(p))
                .unwrap_or("");
            let krate = lines[*first]
                .split('/')
                .find(|part| part.contains("-0.") || part.contains("-1.") || part.contains("-2."))
                .unwrap_or("");
            let msg = lines.get(first + 1).copied().unwrap_or("");
            format!(
                "{last}; {} panics, the first in {krate} src/{place} {msg}",
                panics.len()
            )
        }
    }
}

fn summary(v: &Value) -> Option<Summary> {
    Summary::deserialize(v).ok()
}

/// A row from a runner's report (`run-naia`, `run-replicon`).
pub fn from_report(load: &str, path: &Path) -> anyhow::Result<Row> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let r: Value = serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
    let m = &r["measured"];
    let clients = m["clients"].as_u64().unwrap_or(0);
    Ok(Row {
        load: load.into(),
        stack: r["stack"].as_str().unwrap_or("?").into(),
        clients,
        crashed: m["clients_crashed"].as_u64().unwrap_or(0),
        down_bytes: summary(&m["down_bytes"]),
        down_packets: summary(&m["down_packets"]),
        up_bytes: summary(&m["up_bytes"]),
        server_cpu_ms: m["server_cpu_ms_per_client_s"].as_f64(),
        client_cpu_ms: m["client_cpu_ms_per_client_s"].as_f64(),
        server_mem_per_client: m["server_heap_per_client"].as_f64(),
        memory_method: "server thread's live heap at the end minus before any client, / clients"
            .into(),
        staleness_ms: summary(&m["staleness_ms"]),
        coverage: m["coverage"].as_f64(),
        notes: [
            Some(format!(
                "{} of {} server ticks started over an interval late",
                m["late_ticks"].as_u64().unwrap_or(0),
                m["ticks"].as_u64().unwrap_or(0)
            )),
            m["first_crash"].as_str().map(|why| {
                format!(
                    "{} of {clients} clients panicked (first: {why})",
                    m["clients_crashed"].as_u64().unwrap_or(0)
                )
            }),
        ]
        .into_iter()
        .flatten()
        .collect(),
        failed: None,
    })
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
}

/// A row from the platform's two `result.json`: `processes` (topology "processes": region and
/// edge apart, for their CPU and memory) and `inprocess` (the same load in one process, where
/// the runner sees the region's truth: traffic and staleness).
pub fn from_platform(load: &str, processes: &Path, inprocess: &Path) -> anyhow::Result<Row> {
    let r = read_json(processes)?;
    let t = read_json(inprocess)?;
    let clients = r["clients"]["connected"].as_u64().unwrap_or(0);
    let secs = r["scenario"]["duration_secs"].as_f64().unwrap_or(1.0);
    let servers: Vec<&Value> = r["processes"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter(|p| {
                    let n = p["name"].as_str().unwrap_or("");
                    n.contains("region") || n.contains("edge")
                })
                .collect()
        })
        .unwrap_or_default();
    let n = clients.max(1) as f64;
    let cpu: f64 = servers.iter().filter_map(|p| p["cpu_secs"].as_f64()).sum();
    let rss: f64 = servers
        .iter()
        .filter_map(|p| p["peak_rss_kib"].as_f64())
        .sum::<f64>()
        * 1024.0;
    let names: Vec<&str> = servers.iter().filter_map(|p| p["name"].as_str()).collect();
    Ok(Row {
        load: load.into(),
        stack: "starlane live".into(),
        clients,
        crashed: 0,
        down_bytes: summary(&t["traffic"]["down_bytes"]),
        down_packets: summary(&t["traffic"]["down_packets"]),
        up_bytes: summary(&t["traffic"]["up_bytes"]),
        server_cpu_ms: (!servers.is_empty()).then(|| cpu * 1000.0 / (n * secs)),
        client_cpu_ms: None,
        server_mem_per_client: (!servers.is_empty()).then(|| rss / n),
        memory_method: format!(
            "peak RSS of {} (the whole processes, world included), / clients",
            names.join(" + ")
        ),
        staleness_ms: summary(&t["staleness_ms"]),
        coverage: None,
        notes: [&r, &t]
            .iter()
            .filter_map(|x| x["notes"].as_array())
            .flatten()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        failed: None,
    })
}

fn cell(s: &Option<Summary>) -> String {
    s.map_or("-".into(), |s| format!("{:.0} / {:.0}", s.median, s.p99))
}

/// The markdown table of all rows.
pub fn table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| load | stack | clients | down B/client/s (median / p99) | down packets/client/s | up B/client/s | server CPU ms/client/s | client CPU ms/client/s | server memory/client | staleness ms (median / p99) | view held |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        if let Some(why) = &r.failed {
            let _ = writeln!(
                t,
                "| {} | {} | did not finish: {} | | | | | | | | |",
                r.load,
                r.stack,
                why.replace('|', "/")
            );
            continue;
        }
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.load,
            r.stack,
            if r.crashed > 0 {
                format!("{} ({} panicked)", r.clients, r.crashed)
            } else {
                r.clients.to_string()
            },
            cell(&r.down_bytes),
            cell(&r.down_packets),
            cell(&r.up_bytes),
            r.server_cpu_ms.map_or("-".into(), |c| format!("{c:.2}")),
            r.client_cpu_ms.map_or("-".into(), |c| format!("{c:.2}")),
            r.server_mem_per_client
                .map_or("-".into(), |m| format!("{:.0} KiB", m / 1024.0)),
            cell(&r.staleness_ms),
            r.coverage.map_or("-".into(), |c| format!("{:.3}", c)),
        );
    }
    t
}

/// One plot: grouped bars (median, with the p99 as a thin mark where there is one) per load,
/// one bar per stack.
pub fn plot(
    rows: &[Row],
    title: &str,
    unit: &str,
    pick: impl Fn(&Row) -> Option<(f64, Option<f64>)>,
) -> String {
    let mut loads: Vec<&str> = Vec::new();
    let mut stacks: Vec<&str> = Vec::new();
    for r in rows {
        if !loads.contains(&r.load.as_str()) {
            loads.push(&r.load);
        }
        if !stacks.contains(&r.stack.as_str()) {
            stacks.push(&r.stack);
        }
    }
    let top = rows
        .iter()
        .filter_map(&pick)
        .map(|(m, p)| p.unwrap_or(m).max(m))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let (w, h, left, bottom) = (760.0, 360.0, 70.0, 300.0);
    let group = (w - left - 20.0) / loads.len().max(1) as f64;
    let bar = group * 0.8 / stacks.len().max(1) as f64;
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"{left}\" y=\"20\" font-size=\"14\">{title} ({unit}; bar median, tick p99)</text>\n<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"black\"/>\n",
        w - 20.0
    );
    let y = |v: f64| bottom - v / top * (bottom - 40.0);
    let _ = writeln!(
        s,
        "<text x=\"5\" y=\"{:.1}\">{top:.0}</text><text x=\"5\" y=\"{bottom}\">0</text>",
        y(top)
    );
    for (li, load) in loads.iter().enumerate() {
        let x0 = left + li as f64 * group + group * 0.1;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{load}</text>",
            x0,
            bottom + 18.0
        );
        for (si, stack) in stacks.iter().enumerate() {
            let Some((m, p)) = rows
                .iter()
                .find(|r| r.load == *load && r.stack == *stack)
                .and_then(&pick)
            else {
                continue;
            };
            let x = x0 + si as f64 * bar;
            let c = colors[si % colors.len()];
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{c}\"><title>{stack} {load}: {m:.1}</title></rect>",
                y(m),
                bar * 0.9,
                bottom - y(m)
            );
            if let Some(p) = p {
                let _ = writeln!(
                    s,
                    "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-width=\"2\"/>",
                    x + bar * 0.9,
                    y(p),
                    y(p)
                );
            }
        }
    }
    for (si, stack) in stacks.iter().enumerate() {
        let x = left + si as f64 * 140.0;
        let c = colors[si % colors.len()];
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{:.1}\" y=\"{:.1}\">{stack}</text>",
            bottom + 30.0,
            x + 16.0,
            bottom + 41.0
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(load: &str, stack: &str, m: f64) -> Row {
        Row {
            load: load.into(),
            stack: stack.into(),
            clients: 2,
            crashed: 0,
            down_bytes: Summary::of(&[m, m * 2.0]),
            down_packets: None,
            up_bytes: None,
            server_cpu_ms: Some(1.5),
            client_cpu_ms: Some(0.5),
            server_mem_per_client: Some(2048.0),
            memory_method: String::new(),
            staleness_ms: None,
            coverage: Some(1.0),
            notes: vec![],
            failed: None,
        }
    }

    #[test]
    fn a_failed_run_says_where_it_panicked() {
        let log = "\nthread 'main' (1) panicked at /r/naia-shared-0.25.0/src/world/a.rs:8:2:\ncalled `Result::unwrap()` on an `Err` value: Gone\nstack backtrace:\nthread 'x' (2) panicked at /r/naia-shared-0.25.0/src/b.rs:1:1:\nboom\nrun-naia: the server thread panicked\n";
        let why = failure_from_log(log);
        assert_eq!(
            why,
            "run-naia: the server thread panicked; 2 panics, the first in naia-shared-0.25.0 src/world/a.rs:8:2: called `Result::unwrap()` on an `Err` value: Gone"
        );
        let rows = [Row::failed("lossy", "naia", why)];
        assert!(table(&rows).contains("| lossy | naia | did not finish: run-naia: the server"));
    }

    #[test]
    fn table_and_plot_hold_every_row() {
        let mut rows = [
            row("standard", "a", 10.0),
            row("standard", "b", 30.0),
            row("lossy", "a", 5.0),
        ];
        rows[2].crashed = 1;
        let t = table(&rows);
        assert_eq!(t.lines().count(), 5, "{t}");
        assert!(
            t.contains("| standard | b | 2 | 30 / 60 | - | - | 1.50 | 0.50 | 2 KiB | - | 1.000 |"),
            "{t}"
        );
        let svg = plot(&rows, "down", "B/s", |r| {
            r.down_bytes.map(|s| (s.median, Some(s.p99)))
        });
        assert_eq!(
            svg.matches("<rect x=").count(),
            3 + 2,
            "three bars and two legend keys"
        );
        assert!(svg.ends_with("</svg>\n"));
        assert!(t.contains("| lossy | a | 2 (1 panicked) |"), "{t}");
    }

    #[test]
    fn a_report_becomes_a_row() {
        let dir = std::env::temp_dir().join(format!("peers-row-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("r.json");
        let s = r#"{"count":3,"median":10.0,"p99":30.0,"max":30.0,"mean":20.0}"#;
        let report = format!(
            r#"{{"stack":"naia","measured":{{"clients":3,"clients_crashed":1,"first_crash":"boom","late_ticks":2,"ticks":9,"down_bytes":{s},"down_packets":null,"up_bytes":{s},"server_cpu_ms_per_client_s":1.5,"server_heap_per_client":2048.0,"staleness_ms":{s},"coverage":0.5}}}}"#
        );
        std::fs::write(&path, report).expect("write");
        let row = from_report("standard", &path).expect("row");
        std::fs::remove_dir_all(&dir).expect("clean");
        assert_eq!(
            (row.stack.as_str(), row.clients, row.crashed),
            ("naia", 3, 1)
        );
        assert_eq!(
            row.down_bytes.map(|s| (s.median, s.p99)),
            Some((10.0, 30.0))
        );
        assert!(row.down_packets.is_none());
        assert_eq!(row.notes.len(), 2, "{:?}", row.notes);
    }
}
