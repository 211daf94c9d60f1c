//! A runner's command line and its report: what was run (stack, versions, configuration,
//! script, impairment) and what the driver measured, as one JSON object.

use crate::driver::{Measured, Options};
use crate::relay::Impair;
use crate::script::Header;
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// The runners' shared command line:
/// `--script FILE [--clients N] [--loss P --latency-ms MS --jitter-ms MS] [--rate BYTES_PER_S] [--out FILE]`.
#[derive(Debug, Clone)]
pub struct Args {
    pub script: PathBuf,
    /// Clients; default: every session of the script.
    pub clients: Option<usize>,
    pub impair: Impair,
    /// The per-client bandwidth the stack's limiter is set to (the platform profile's rate).
    pub rate: u32,
    pub out: Option<PathBuf>,
}

impl Args {
    /// Parse `std::env::args`.
    pub fn parse() -> anyhow::Result<Args> {
        Self::parse_from(std::env::args().skip(1))
    }

    /// Parse the given arguments.
    pub fn parse_from(args: impl IntoIterator<Item = String>) -> anyhow::Result<Args> {
        let mut a = Args {
            script: PathBuf::new(),
            clients: None,
            impair: Impair {
                seed: 7,
                ..Impair::default()
            },
            rate: 200_000,
            out: None,
        };
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
            let num = |v: String, what: &str| -> anyhow::Result<f64> {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .with_context(|| format!("{what} {v:?}: give a number of at least 0"))
            };
            match flag.as_str() {
                "--script" => a.script = value()?.into(),
                "--clients" => a.clients = Some(num(value()?, "--clients")? as usize),
                "--loss" => a.impair.loss = num(value()?, "--loss")?,
                "--latency-ms" => a.impair.latency_ms = num(value()?, "--latency-ms")?,
                "--jitter-ms" => a.impair.jitter_ms = num(value()?, "--jitter-ms")?,
                "--rate" => a.rate = num(value()?, "--rate")? as u32,
                "--out" => a.out = Some(value()?.into()),
                other => bail!("unknown argument {other:?} (see bench/peers/README.md)"),
            }
        }
        if a.script.as_os_str().is_empty() {
            bail!("--script FILE is required (record one with starlane-bench run --script)");
        }
        if a.impair.loss >= 1.0 {
            bail!("--loss {}: give a chance below 1, e.g. 0.05", a.impair.loss);
        }
        if a.rate == 0 {
            bail!("--rate 0: give the per-client budget in bytes per second, e.g. 200000");
        }
        Ok(a)
    }

    /// The driver's options for a script of `sessions` sessions.
    pub fn options(&self, sessions: u32) -> Options {
        Options {
            clients: self.clients.unwrap_or(sessions as usize),
            impair: self.impair,
            connect_timeout: Duration::from_secs(30),
            sample_every: Duration::from_millis(100),
            client_frame: Duration::from_secs_f64(1.0 / 60.0),
            health_step: 1,
            server_threads: Vec::new(),
        }
    }
}

/// A runner's `main`: parse the command line, load the script, run, and turn an error into
/// a message on stderr (prefixed with the runner's name) and a failing exit code.
pub fn main_of(
    name: &str,
    run: impl FnOnce(Args, std::sync::Arc<crate::script::Script>) -> anyhow::Result<()>,
) -> std::process::ExitCode {
    let go = || -> anyhow::Result<()> {
        let args = Args::parse()?;
        let script = std::sync::Arc::new(crate::script::Script::load(&args.script)?);
        run(args, script)
    };
    match go() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// One run of one stack.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub stack: String,
    /// Crate versions, exactly as built.
    pub versions: Vec<(String, String)>,
    /// The stack's configuration, as set by the runner.
    pub config: Vec<(String, String)>,
    pub script: Header,
    pub impair: Impair,
    pub rate: u32,
    pub measured: Measured,
}

impl Report {
    /// Print a short table to stderr and the JSON to `--out` (or stdout).
    pub fn emit(&self, out: Option<&std::path::Path>) -> anyhow::Result<()> {
        let m = &self.measured;
        let f = |s: &Option<crate::stats::Summary>| {
            s.map_or("-".to_string(), |s| {
                format!("{:.0} / {:.0}", s.median, s.p99)
            })
        };
        eprintln!(
            "{}: {} clients, {} ticks: down B/client/s {} (median / p99), packets {}, up B {}, staleness ms {}, coverage {:.3}, server CPU {:.3} ms/client/s, client CPU {:.3} ms/client/s, heap/client {:.0} B",
            self.stack,
            m.clients,
            m.ticks,
            f(&m.down_bytes),
            f(&m.down_packets),
            f(&m.up_bytes),
            f(&m.staleness_ms),
            m.coverage,
            m.server_cpu_ms_per_client_s.unwrap_or(f64::NAN),
            m.client_cpu_ms_per_client_s.unwrap_or(f64::NAN),
            m.server_heap_per_client
        );
        let json = serde_json::to_string_pretty(self)?;
        match out {
            Some(p) => std::fs::write(p, json + "\n")
                .with_context(|| format!("--out {}: cannot write it", p.display()))?,
            None => println!("{json}"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> anyhow::Result<Args> {
        Args::parse_from(s.split_whitespace().map(String::from))
    }

    #[test]
    fn parses_and_names_bad_fields() {
        let a = args("--script s.jsonl --clients 3 --loss 0.05 --latency-ms 50").expect("valid");
        assert_eq!(
            (a.clients, a.impair.loss, a.impair.latency_ms),
            (Some(3), 0.05, 50.0)
        );
        let e = args("--clients 3").expect_err("no script");
        assert!(e.to_string().contains("--script"), "{e}");
        let e = args("--script s --loss 1.5").expect_err("loss");
        assert!(e.to_string().contains("--loss"), "{e}");
        let e = args("--script s --rate x").expect_err("rate");
        assert!(e.to_string().contains("--rate"), "{e}");
    }
}
