//! `starlane-region`: the region game server.
//!
//! SIGINT (Ctrl-C) and SIGTERM stop it cleanly: `/readyz` turns 503, the links close, a final
//! world snapshot is written, and the process exits 0. After `kill -9` the next start restores
//! the last periodic snapshot (at most `[store] snapshot_interval_secs` of simulation lost).

use clap::Parser;
use starlane_game::{Region, RegionConfig};
use std::path::PathBuf;
use std::process::ExitCode;

/// Region game server: hex map, movement, vision and sync behind the edge-region QUIC link.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// TOML configuration file (see configs/region.toml); defaults apply when omitted.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Wait for SIGINT or SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let config = match RegionConfig::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("starlane-region: {e}");
            return ExitCode::from(2);
        }
    };
    let handle = match Region::start(config.clone()).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("starlane-region: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(s) = handle.restored_from_snapshot() {
        println!(
            "starlane-region: restored the world from the snapshot of tick {} written at {} (Unix seconds)",
            s.tick, s.taken_at
        );
    }
    let (cert, _) = config.effective_cert_paths();
    println!(
        "starlane-region: link listening on {} (QUIC, ALPN starlane-link/1, certificate {}); Ctrl-C or SIGTERM stops",
        handle.link_addr(),
        cert.display()
    );
    println!(
        "starlane-region: http://{}/metrics /healthz /readyz",
        handle.http_addr()
    );

    if let Err(e) = stop_signal().await {
        eprintln!("starlane-region: cannot wait for a stop signal: {e}");
    }
    handle.begin_shutdown();
    println!("starlane-region: stopping, writing a final snapshot");
    match handle.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("starlane-region: shutdown failed: {e}");
            ExitCode::FAILURE
        }
    }
}
