//! `peers`: the whole side-by-side run of issue 15, in one command. For each load it records
//! the platform's script (the region through the fake edge), runs the platform itself (region
//! and edge as processes, real clients), then replays the script on naia and bevy_replicon,
//! and writes the table (`peers.md`), the rows (`peers.json`) and one plot per figure.
//!
//! ```sh
//! cargo build --release -p starlane-bench -p starlane-game -p starlane-edge   # in the repo
//! cd bench/peers && cargo build --release --ignore-rust-version
//! target/release/peers --out results/
//! ```

use anyhow::{Context, bail};
use peers_scenario::compare::{self, Row};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A figure of a row: its median (or value) and its p99, where it has one.
type Pick = fn(&Row) -> Option<(f64, Option<f64>)>;

/// Each peer's runner binary and the stack name its report carries.
const RUNNERS: [(&str, &str); 3] = [
    ("run-starlane", "starlane replay"),
    ("run-naia", "naia"),
    ("run-replicon", "bevy_replicon"),
];

struct Load {
    name: &'static str,
    /// The script's scenario under bench/peers/scenarios/.
    script: &'static str,
    /// The platform's scenario, from the repository root: topology "processes", for server
    /// CPU and memory of its own.
    platform: &'static str,
    /// The same load in one process, where the runner sees the region's truth: traffic and
    /// staleness.
    platform_inprocess: &'static str,
    /// The platform profile's rate, which the peers' limiters are set to.
    rate: u32,
    /// Impairment flags for the peers' relay (the platform's scenario has the same).
    impair: &'static [&'static str],
}

const LOADS: [Load; 3] = [
    Load {
        name: "standard",
        script: "standard",
        platform: "bench/scenarios/processes.toml",
        platform_inprocess: "bench/scenarios/standard.toml",
        rate: 200_000,
        impair: &[],
    },
    Load {
        name: "battle",
        script: "skirmish",
        platform: "bench/peers/scenarios/platform-skirmish.toml",
        platform_inprocess: "bench/scenarios/skirmish.toml",
        rate: 50_000,
        impair: &[],
    },
    Load {
        name: "lossy",
        script: "standard",
        platform: "bench/peers/scenarios/platform-lossy.toml",
        platform_inprocess: "bench/peers/scenarios/platform-lossy-inprocess.toml",
        rate: 200_000,
        impair: &["--loss", "0.05", "--latency-ms", "50", "--jitter-ms", "20"],
    },
];

struct Opts {
    repo: PathBuf,
    out: PathBuf,
    loads: Vec<String>,
    duration: Option<String>,
}

fn parse() -> anyhow::Result<Opts> {
    let mut o = Opts {
        repo: PathBuf::from("../.."),
        out: PathBuf::from("results"),
        loads: LOADS.iter().map(|l| l.name.to_string()).collect(),
        duration: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--repo" => o.repo = value()?.into(),
            "--out" => o.out = value()?.into(),
            "--loads" => o.loads = value()?.split(',').map(String::from).collect(),
            "--duration-secs" => o.duration = Some(value()?),
            other => bail!(
                "unknown argument {other:?}: --repo DIR --out DIR --loads standard,battle,lossy --duration-secs N"
            ),
        }
    }
    for l in &o.loads {
        if !LOADS.iter().any(|k| k.name == l) {
            bail!("--loads: {l:?} is not one of standard, battle, lossy");
        }
    }
    Ok(o)
}

fn run(cmd: &mut Command, log: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(log)?;
    eprintln!("peers: {cmd:?}");
    let status = cmd
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("{cmd:?}"))?;
    if !status.success() {
        bail!(
            "{cmd:?} failed ({status}); its output is in {}",
            log.display()
        );
    }
    Ok(())
}

/// The newest `result.json` under `dir`.
fn newest_result(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path().join("result.json")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
        .pop()
        .with_context(|| format!("no result.json under {}", dir.display()))
}

fn main() -> std::process::ExitCode {
    match go() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peers: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn go() -> anyhow::Result<()> {
    let o = parse()?;
    let bench = o.repo.join("target/release/starlane-bench");
    if !bench.exists() {
        bail!(
            "{} is missing: build it in the repository with cargo build --release -p starlane-bench -p starlane-game -p starlane-edge",
            bench.display()
        );
    }
    let here = std::env::current_exe()?
        .parent()
        .context("the binary's directory")?
        .to_path_buf();
    let logs = o.out.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut recorded: Vec<&str> = Vec::new();
    for load in LOADS.iter().filter(|l| o.loads.iter().any(|n| n == l.name)) {
        let script = o.out.join(format!("{}.jsonl", load.script));
        if !recorded.contains(&load.script) {
            let mut cmd = Command::new(&bench);
            cmd.arg("run")
                .arg(
                    o.repo
                        .join(format!("bench/peers/scenarios/{}.toml", load.script)),
                )
                .args(["--quiet", "--out"])
                .arg(o.out.join("record"))
                .arg("--script")
                .arg(&script);
            if let Some(d) = &o.duration {
                cmd.args(["--duration-secs", d]);
            }
            run(&mut cmd, &logs.join(format!("record-{}.log", load.script)))?;
            recorded.push(load.script);
        }
        let mut results = Vec::new();
        for (scenario, kind) in [
            (load.platform, "processes"),
            (load.platform_inprocess, "in-process"),
        ] {
            let out = o.out.join(format!("platform-{}-{kind}", load.name));
            let mut cmd = Command::new(&bench);
            cmd.arg("run")
                .arg(o.repo.join(scenario))
                .args(["--quiet", "--out"])
                .arg(&out);
            if let Some(d) = &o.duration {
                cmd.args(["--duration-secs", d]);
            }
            run(
                &mut cmd,
                &logs.join(format!("platform-{}-{kind}.log", load.name)),
            )?;
            results.push(newest_result(&out)?);
        }
        rows.push(compare::from_platform(load.name, &results[0], &results[1])?);
        for (runner, stack) in RUNNERS {
            let report = o.out.join(format!("{}-{runner}.json", load.name));
            let mut cmd = Command::new(here.join(runner));
            cmd.arg("--script")
                .arg(&script)
                .args(["--rate", &load.rate.to_string()])
                .args(load.impair)
                .arg("--out")
                .arg(&report);
            let log = logs.join(format!("{}-{runner}.log", load.name));
            match run(&mut cmd, &log) {
                Ok(()) => rows.push(compare::from_report(load.name, &report)?),
                // A peer that cannot finish a load is a result: kept, with why, and the run
                // goes on to the next.
                Err(e) => {
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    let why = compare::failure_from_log(&text);
                    eprintln!("peers: {e:#}: {why}");
                    rows.push(Row::failed(load.name, stack, why));
                }
            }
        }
    }
    let table = compare::table(&rows);
    std::fs::write(o.out.join("peers.md"), &table)?;
    std::fs::write(
        o.out.join("peers.json"),
        serde_json::to_string_pretty(&rows)?,
    )?;
    let plots: [(&str, &str, &str, Pick); 7] = [
        ("down-bytes", "bytes per client per second", "B/s", |r| {
            r.down_bytes.map(|s| (s.median, Some(s.p99)))
        }),
        (
            "down-packets",
            "packets per client per second",
            "packets/s",
            |r| r.down_packets.map(|s| (s.median, Some(s.p99))),
        ),
        (
            "up-bytes",
            "bytes per client per second, client to server",
            "B/s",
            |r| r.up_bytes.map(|s| (s.median, Some(s.p99))),
        ),
        (
            "server-cpu",
            "server CPU per client",
            "ms per client per s",
            |r| r.server_cpu_ms.map(|c| (c, None)),
        ),
        (
            "client-cpu",
            "client CPU per client (the replay's client thread)",
            "ms per client per s",
            |r| r.client_cpu_ms.map(|c| (c, None)),
        ),
        ("server-memory", "server memory per client", "KiB", |r| {
            r.server_mem_per_client.map(|m| (m / 1024.0, None))
        }),
        ("staleness", "staleness of the client's view", "ms", |r| {
            r.staleness_ms.map(|s| (s.median, Some(s.p99)))
        }),
    ];
    for (file, title, unit, pick) in plots {
        std::fs::write(
            o.out.join(format!("plot-{file}.svg")),
            compare::plot(&rows, title, unit, pick),
        )?;
    }
    print!("{table}");
    println!("written: {}", o.out.display());
    Ok(())
}
