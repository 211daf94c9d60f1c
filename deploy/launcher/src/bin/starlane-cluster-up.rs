//! `starlane-cluster-up`: a Starlane cluster on one machine. Starts one PostgreSQL, one
//! Redis, two regions (`starlane-region`) and two edges per region (`starlane-edge`) as
//! processes on loopback, prints where everything is, and stops every process it started on
//! SIGINT (Ctrl-C) or SIGTERM.

use clap::Parser;
use starlane_launcher::{BIN_DIR_ENV, Cluster, ClusterOptions, summary};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Start Redis, PostgreSQL, two regions and two edges per region on this machine"
)]
struct Cli {
    /// Directory for the generated configuration, keys, certificates and logs.
    #[arg(long, env = "STARLANE_CLUSTER_DIR", default_value = "data/cluster")]
    data_dir: PathBuf,
    /// Directory of starlane-region and starlane-edge (default: next to this executable).
    #[arg(long, env = BIN_DIR_ENV)]
    bin_dir: Option<PathBuf>,
    /// Address of the development server (tokens and connect info per region).
    #[arg(long, env = "STARLANE_DEV_HTTP", default_value = "127.0.0.1:8090")]
    dev_http: SocketAddr,
    /// RUST_LOG of the regions and edges (their logs are in <data-dir>/logs).
    #[arg(long, default_value = "info")]
    log: String,
}

async fn stop_signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut opts = ClusterOptions::new(cli.data_dir);
    opts.bin_dir = cli.bin_dir;
    opts.dev_http = cli.dev_http;
    opts.log_filter = cli.log;
    // Installed before anything starts: a signal during start-up still stops what started.
    let stop = tokio::spawn(stop_signal());
    println!("starting PostgreSQL, Redis, 2 regions and 4 edges ...");
    let start = Cluster::start(opts);
    tokio::pin!(start);
    let mut stop = stop;
    let cluster = tokio::select! {
        c = &mut start => c,
        _ = &mut stop => {
            eprintln!("starlane-cluster-up: stopped while starting");
            return ExitCode::FAILURE;
        }
    };
    let cluster = match cluster {
        Ok(c) => c,
        Err(e) => {
            eprintln!("starlane-cluster-up: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", summary::render(&cluster));
    println!("{}", summary::ready_line(&cluster));
    let why = match stop.await {
        Ok(Ok(why)) => why,
        Ok(Err(e)) => {
            eprintln!("starlane-cluster-up: cannot wait for a signal ({e}); stopping");
            "error"
        }
        Err(e) => {
            eprintln!("starlane-cluster-up: {e}; stopping");
            "error"
        }
    };
    println!("stopping every process ({why}) ...");
    let stopped = tokio::task::spawn_blocking(move || cluster.shutdown()).await;
    if let Err(e) = stopped {
        eprintln!("starlane-cluster-up: stopping: {e}");
        return ExitCode::FAILURE;
    }
    println!("stopped");
    ExitCode::SUCCESS
}
