//! `starlane-local`: the all-in-one local server.
//!
//! * `starlane-local run` starts the region server, the edge relay, the web client and the
//!   development token issuer and prints the address to open. It answers signals as the
//!   separate binaries do: SIGHUP reloads the edge's bandwidth profiles (`bandwidth.dir`),
//!   SIGINT (Ctrl-C) and SIGTERM stop it cleanly (sessions closed, state saved, exit 0).
//! * `starlane-local token --username ada` prints a development token.
//! * `starlane-local edge --config edge.toml` runs one edge relay alone, as `starlane-edge
//!   run` does, for set-ups of several processes (the failover scenario kills it with
//!   SIGKILL); it prints `STARLANE_EDGE_READY {"udp": .., "udp_public_key": .., "http": .., "quic": ..,
//!   "cert_hash": ..}`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use starlane_edge::DevIssuer;
use starlane_edge::signals::Signals;
use starlane_local::{DEFAULT_AI_EMPIRES, Local, LocalOptions};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(version, about = "Starlane all-in-one local server")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run region + edge + web client + dev token issuer in one process.
    Run {
        /// Directory for generated state (database, keys, certificates).
        #[arg(long, env = "STARLANE_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// Region configuration (default: embedded defaults, as in configs/region.toml).
        #[arg(long)]
        region_config: Option<PathBuf>,
        /// Edge configuration (default: embedded defaults, as in configs/edge.toml).
        #[arg(long)]
        edge_config: Option<PathBuf>,
        /// Web server address.
        #[arg(long, env = "STARLANE_HTTP", default_value = "[::]:8080")]
        http: SocketAddr,
        /// The built web client.
        #[arg(long, default_value = "clients/web/dist")]
        web_dir: PathBuf,
        /// Host name handed to clients in connect addresses.
        #[arg(long, default_value = "127.0.0.1")]
        public_host: String,
        /// Bind every listener to a free loopback port (for tests).
        #[arg(long)]
        ephemeral_ports: bool,
        /// Development: start a second edge, handed out by /api/connect-info, with an admin
        /// listener (POST /admin/drain) behind this bearer token; its drained clients move to
        /// the first edge (the browser drain test uses it).
        #[arg(long, hide = true, value_name = "ADMIN_TOKEN")]
        dev_second_edge: Option<String>,
        /// AI empires to run (default: 2 on the embedded configuration, the configuration's
        /// `[ai] empires` with --region-config).
        #[arg(long)]
        ai_empires: Option<u32>,
    },
    /// Run one edge relay from a configuration file (as `starlane-edge run`).
    Edge {
        /// TOML configuration (see configs/edge.toml).
        #[arg(long)]
        config: PathBuf,
    },
    /// Write the development files a cluster of separate processes shares, once (existing
    /// ones are kept): the link PKI in `<out>/link-pki/` (a throwaway CA, a region and an edge
    /// certificate) and the token issuer's keys in `<out>/edge/dev-issuer/` (edges trust
    /// `dev_issuer_public.pem`; `token --data-dir <out>` signs with the private key). The
    /// compose cluster's `init` service runs it. Development only.
    DevFiles {
        #[arg(long)]
        out: PathBuf,
        /// `iss` claim of the tokens (the edges' `jwt.issuer`).
        #[arg(long, default_value = "login-server")]
        issuer: String,
    },
    /// Print a development token signed with the local issuer's key.
    Token {
        #[arg(long, env = "STARLANE_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        #[arg(long)]
        username: String,
        /// Required `iss` claim (must match the edge's `jwt.issuer`).
        #[arg(long, default_value = "login-server")]
        issuer: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Cmd::Run {
            data_dir,
            region_config,
            edge_config,
            http,
            web_dir,
            public_host,
            ephemeral_ports,
            dev_second_edge,
            ai_empires,
        } => {
            let ai_empires = ai_empires.or(region_config.is_none().then_some(DEFAULT_AI_EMPIRES));
            let opts = LocalOptions {
                data_dir,
                region_config,
                edge_config,
                http_bind: http,
                web_dir,
                public_host: public_host.clone(),
                ephemeral_ports,
                second_edge_admin_token: dev_second_edge,
                ai_empires,
            };
            // Before anything is announced: a signal sent once the process says it is up is
            // always handled.
            let signals = Signals::install().context("installing the signal handlers")?;
            let local = Local::start(opts).await?;
            let url = local.http_url(&public_host);
            println!(
                "Starlane is running. Open {url} in Chrome (or http://localhost:{}/).",
                local.http_addr().port()
            );
            println!(
                "Native client: cargo run -p starlane-client -- --url {} connect \
                 (--transport udp|quic|webtransport|websocket)",
                url.trim_end_matches('/')
            );
            let edge_http = local.edge().http_addr();
            let region_http = local.region().http_addr();
            println!(
                "Metrics: http://{edge_http}/metrics (edge), http://{region_http}/metrics (region)"
            );
            let mut ready = serde_json::json!({
                "http": url,
                "edge_http": edge_http.to_string(),
                "region_http": region_http.to_string(),
                "webtransport": local.edge().webtransport_addr().to_string(),
                "websocket": local.edge().websocket_addr().map(|a| a.to_string()),
            });
            if let Some(b) = local.second_edge() {
                ready["second_edge_http"] = b.http_addr().to_string().into();
                ready["second_edge_admin"] = b.admin_addr().map(|a| a.to_string()).into();
            }
            println!("STARLANE_READY {ready}");
            let stop = signals.serve(local.edge()).await;
            println!("shutting down ({stop})");
            let stats = local.region().stats();
            local.shutdown().await?;
            // The region's command counts, for end-to-end tests (each command applied once).
            println!(
                "STARLANE_STATS {}",
                serde_json::json!({
                    "commands_applied": stats.commands_applied,
                    "commands_replayed": stats.commands_replayed,
                })
            );
            println!("stopped");
        }
        Cmd::Edge { config } => run_edge(&config).await?,
        Cmd::DevFiles { out, issuer } => {
            let pki = starlane_local::dev_link_pki(&out)?;
            let dir = out.join("edge").join("dev-issuer");
            DevIssuer::load_or_create_with_issuer(&dir, &issuer)?;
            println!(
                "STARLANE_DEV_FILES {}",
                serde_json::json!({
                    "ca": pki.ca,
                    "region_cert": pki.region_cert,
                    "region_key": pki.region_key,
                    "edge_cert": pki.edge_cert,
                    "edge_key": pki.edge_key,
                    "jwt_public_key": dir.join(starlane_edge::dev_issuer::PUBLIC_KEY_FILE),
                })
            );
        }
        Cmd::Token {
            data_dir,
            username,
            issuer,
        } => {
            let issuer = DevIssuer::load_or_create_with_issuer(
                &data_dir.join("edge").join("dev-issuer"),
                &issuer,
            )?;
            println!("{}", issuer.issue(&username)?);
        }
    }
    Ok(())
}

/// `edge`: one edge relay; SIGTERM drains it, SIGINT stops it, SIGHUP reloads its profiles.
async fn run_edge(path: &std::path::Path) -> anyhow::Result<()> {
    let config = starlane_edge::EdgeConfig::load(path)?;
    let signals = Signals::install().context("installing the signal handlers")?;
    let edge = starlane_edge::Edge::start(config, None).await?;
    let key: String = edge
        .udp_public_key()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!(
        "STARLANE_EDGE_READY {}",
        serde_json::json!({
            "udp": edge.udp_addr().to_string(),
            "udp_public_key": key,
            "http": edge.http_addr().to_string(),
            "quic": edge.quic_addr().to_string(),
            "cert_hash": edge.cert_hash(),
        })
    );
    let stop = signals.run_edge(&edge).await;
    println!("shutting down ({stop})");
    edge.shutdown().await;
    Ok(())
}
