//! `starlane-region`: the region game server.

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
    let (cert, _) = config.effective_cert_paths();
    println!(
        "starlane-region: link listening on {} (QUIC, ALPN starlane-link/1, certificate {}); Ctrl-C stops",
        handle.link_addr(),
        cert.display()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("starlane-region: cannot wait for Ctrl-C: {e}");
    }
    println!("starlane-region: stopping, saving state");
    match handle.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("starlane-region: shutdown failed: {e}");
            ExitCode::FAILURE
        }
    }
}
