//! `starlane-edge`: run the edge relay, or issue a development token.
//!
//! `run` reloads the bandwidth profiles from `bandwidth.dir` on SIGHUP, stops at once on
//! SIGINT (Ctrl-C), and on SIGTERM drains (clients are told to move to another edge of the
//! region) and stops when they have left or `[drain] window_secs` has passed.

use clap::{Parser, Subcommand};
use starlane_edge::signals::Signals;
use starlane_edge::{DevIssuer, Edge, EdgeConfig};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "starlane-edge", version, about = "Starlane edge relay")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run the edge relay.
    Run {
        /// TOML configuration (see configs/edge.toml).
        #[arg(long, default_value = "configs/edge.toml")]
        config: PathBuf,
    },
    /// Print a development token signed by the dev issuer key in DATA_DIR (created if missing).
    DevToken {
        /// Directory holding the dev issuer keys (the edge's data_dir).
        #[arg(long)]
        data_dir: PathBuf,
        /// Player name.
        #[arg(long)]
        username: String,
        /// User id (default: derived from the username).
        #[arg(long)]
        user_id: Option<i64>,
        /// Issuer claim.
        #[arg(long, default_value = starlane_edge::dev_issuer::DEFAULT_ISSUER)]
        issuer: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Cmd::Run { config } => run(config).await,
        Cmd::DevToken {
            data_dir,
            username,
            user_id,
            issuer,
        } => {
            let issuer = DevIssuer::load_or_create_with_issuer(&data_dir, &issuer)?;
            let token = match user_id {
                Some(id) => issuer.issue_for(id, &username)?,
                None => issuer.issue(&username)?,
            };
            println!("{token}");
            Ok(())
        }
    }
}

async fn run(path: PathBuf) -> anyhow::Result<()> {
    let config = EdgeConfig::load(&path)?;
    let signals = Signals::install()?;
    let edge = Edge::start(config, None::<Arc<DevIssuer>>).await?;
    println!("starlane-edge listening:");
    println!(
        "  udp           {} (static public key {})",
        edge.udp_addr(),
        hex::encode(edge.udp_public_key())
    );
    println!(
        "  webtransport  {} (certificate sha-256 {})",
        edge.webtransport_addr(),
        edge.cert_hash()
    );
    println!(
        "  quic          {} (same certificate, ALPN starlane-quic/1)",
        edge.quic_addr()
    );
    if let (Some(addr), Some(url)) = (edge.websocket_addr(), edge.websocket_url()) {
        println!("  websocket     {addr} (clients open {url})");
    }
    println!(
        "  http          http://{}/metrics /healthz /readyz",
        edge.http_addr()
    );
    if let Some(admin) = edge.admin_addr() {
        println!("  admin         http://{admin}/admin/drain /admin/revoke (POST)");
    }
    // SIGTERM drains first: clients move to another edge of the region.
    let stop = signals.run_edge(&edge).await;
    println!("shutting down ({stop})");
    edge.shutdown().await;
    Ok(())
}
