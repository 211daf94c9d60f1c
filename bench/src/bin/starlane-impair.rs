//! `starlane-impair`: a UDP impairment proxy between clients and a server on loopback.
//!
//! ```text
//! starlane-impair --listen 127.0.0.1:5000 --upstream 127.0.0.1:4434 --config impair.toml
//! starlane-impair --listen 127.0.0.1:5000 --upstream 127.0.0.1:4434 --preset lossy --seed 7
//! ```
//!
//! Prints its counters every `--report-secs` seconds and once more on Ctrl-C.

use anyhow::Context;
use clap::Parser;
use starlane_bench::impair::{ImpairArgs, ImpairProxy, ProxyOptions};
use std::net::SocketAddr;
use std::time::Duration;

/// A UDP relay that delays, drops, duplicates, reorders and rate-limits datagrams.
#[derive(Debug, Parser)]
#[command(name = "starlane-impair", version)]
struct Cli {
    /// Address clients send to.
    #[arg(long, default_value = "127.0.0.1:5000")]
    listen: SocketAddr,
    /// Server the datagrams are forwarded to.
    #[arg(long)]
    upstream: SocketAddr,
    #[command(flatten)]
    impairment: ImpairArgs,
    /// Most client addresses served at once.
    #[arg(long, default_value_t = starlane_bench::impair::DEFAULT_MAX_CLIENTS)]
    max_clients: usize,
    /// Seconds of silence after which a client's upstream socket is closed.
    #[arg(long, default_value_t = 30)]
    idle_timeout_secs: u64,
    /// Seconds between counter reports.
    #[arg(long, default_value_t = 5)]
    report_secs: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let duplex = cli.impairment.resolve()?;
    let opts = ProxyOptions {
        max_clients: cli.max_clients,
        idle_timeout: Duration::from_secs(cli.idle_timeout_secs.max(1)),
        ..ProxyOptions::new(cli.listen, cli.upstream, duplex.up, duplex.down)
    };
    let summary = format!(
        "[up]\n{}[down]\n{}",
        toml::to_string(&opts.up).context("show the upstream config")?,
        toml::to_string(&opts.down).context("show the downstream config")?
    );
    let proxy = ImpairProxy::start_with(opts)?;
    println!(
        "starlane-impair: {} -> {}\n{summary}",
        proxy.local_addr(),
        cli.upstream
    );
    let mut report = tokio::time::interval(Duration::from_secs(cli.report_secs.max(1)));
    report.tick().await;
    loop {
        tokio::select! {
            _ = report.tick() => println!("{}", proxy.stats()),
            signal = tokio::signal::ctrl_c() => {
                signal.context("listen for Ctrl-C")?;
                break;
            }
        }
    }
    proxy.shutdown();
    println!("final counters\n{}", proxy.stats());
    Ok(())
}
