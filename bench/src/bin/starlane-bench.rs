//! `starlane-bench`: run a benchmark scenario and write its results.
//!
//! ```sh
//! cargo run --release -p starlane-bench --bin starlane-bench -- run bench/scenarios/standard.toml
//! ```

use clap::{Parser, Subcommand};
use starlane_bench::scenario::{RunOptions, Scenario, run};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "starlane-bench", version, about = "Starlane scenario runner")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run a scenario file (bench/scenarios/*.toml).
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// Results go to OUT/<scenario>-<unix time>/.
        #[arg(long, default_value = "results")]
        out: PathBuf,
        /// Override the scenario's duration_secs.
        #[arg(long)]
        duration_secs: Option<u64>,
        /// Override the scenario's warmup_secs.
        #[arg(long)]
        warmup_secs: Option<u64>,
        /// Do not show the progress bar.
        #[arg(long)]
        quiet: bool,
        /// Record the region's frames to this file as JSON lines, for the peers harness
        /// (bench/peers/SCRIPT.md); needs topology = "region-only".
        #[arg(long)]
        script: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let Cmd::Run {
        scenario,
        out,
        duration_secs,
        warmup_secs,
        quiet,
        script,
    } = Cli::parse().command;
    let s = match Scenario::load(&scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("starlane-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = RunOptions {
        out_dir: out,
        duration_secs,
        warmup_secs,
        progress: !quiet,
        script,
    };
    match run(&s, &opts).await {
        Ok(output) => {
            print!("{}", output.table);
            for note in &output.result.notes {
                println!("  note: {note}");
            }
            println!("results: {}", output.dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("starlane-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
