//! `starlane-client`: connect to a Starlane edge over encrypted UDP, QUIC, WebTransport or
//! WebSocket
//! (`--transport udp|quic|webtransport|websocket`, default `udp`).
//!
//! * `starlane-client connect --user ada` prints the world as it changes, and the link's stats
//!   every few seconds.
//! * `starlane-client move --user ada --unit 12 --to 3,-2` orders a move and waits for arrival.
//! * `starlane-client bots 50 --seconds 60` runs 50 headless wandering bots.

use anyhow::{Context, bail};
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use starlane_client::bots::{Behaviour, BotPlan, SwarmStats, TokenSource, run_bot};
use starlane_client::{
    Client, ClientEvent, ConnectInfo, Transport, fetch_dev_token, format_link_stats,
};
use starlane_protocol::{Hex, NEUTRAL_EMPIRE};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Native Starlane client over encrypted UDP, QUIC or WebTransport"
)]
struct Cli {
    /// Base URL of the local server's HTTP API (connect info and development tokens).
    #[arg(
        long,
        global = true,
        env = "STARLANE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    url: String,
    /// A login token to use instead of asking the development issuer.
    #[arg(long, global = true, env = "STARLANE_TOKEN")]
    token: Option<String>,
    /// The edge's encrypted UDP address, instead of asking `<url>/api/connect-info`.
    #[arg(long, global = true, requires = "edge_key")]
    edge: Option<std::net::SocketAddr>,
    /// The edge's static public key (64 hex digits, printed by `starlane-edge run`).
    #[arg(long, global = true, requires = "edge", value_parser = parse_edge_key)]
    edge_key: Option<[u8; 32]>,
    /// Transport to the edge: encrypted UDP, QUIC (pins the edge's certificate hash) or
    /// WebTransport (as browsers).
    #[arg(
        long,
        global = true,
        env = "STARLANE_TRANSPORT",
        default_value = "udp",
        value_parser = clap::builder::PossibleValuesParser::new(Transport::ALL.map(Transport::as_str))
            .map(|s| s.parse::<Transport>().unwrap_or_default())
    )]
    transport: Transport,
    /// The edge's QUIC address, instead of connect-info's (with `--cert-hash`; needs `--edge`).
    #[arg(long, global = true, requires_all = ["edge", "cert_hash"])]
    edge_quic: Option<std::net::SocketAddr>,
    /// The edge's WebSocket URL (`ws://host:port/`), instead of connect-info's (needs
    /// `--edge`; use with `--transport websocket`).
    #[arg(long, global = true, requires = "edge")]
    edge_websocket: Option<String>,
    /// SHA-256 of the edge's certificate (64 hex digits, printed by `starlane-edge run`),
    /// pinned by QUIC and WebTransport, instead of connect-info's.
    #[arg(long, global = true, value_parser = parse_edge_key)]
    cert_hash: Option<[u8; 32]>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Connect and print the world as it changes.
    Connect {
        #[arg(long, default_value = "native-player")]
        user: String,
        /// Stop after this many seconds (default: run until Ctrl-C).
        #[arg(long)]
        seconds: Option<u64>,
        /// Print the link stats (RTT, variation, loss, packets and bytes each way) this often,
        /// in seconds; 0 prints them only at the end.
        #[arg(long, default_value_t = 5)]
        stats_every: u64,
    },
    /// Order one unit to move and wait until it arrives.
    Move {
        #[arg(long, default_value = "native-player")]
        user: String,
        /// The unit's id; default: the first own unit.
        #[arg(long)]
        unit: Option<u32>,
        /// Destination hex as `q,r`.
        #[arg(long, value_parser = parse_hex)]
        to: Hex,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Run N headless bots that wander (or, with `--behaviour mixed`, send every command kind).
    /// Each bot asks `<url>/api/dev/token` for a token, unless `--token` is given (then COUNT
    /// must be 1: a token is one player).
    Bots {
        count: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// What bots order: `wander` (moves) or `mixed` (moves, attacks on what they see,
        /// stops, builds, trains, cancels, vision shares and revocations).
        #[arg(long, default_value = "wander")]
        behaviour: Behaviour,
    },
}

fn parse_edge_key(s: &str) -> Result<[u8; 32], String> {
    starlane_client::http::parse_key(s).ok_or_else(|| "expected 64 hex digits".to_string())
}

fn parse_hex(s: &str) -> Result<Hex, String> {
    let (q, r) = s.split_once(',').ok_or("expected q,r such as 3,-2")?;
    let q = q.trim().parse().map_err(|_| format!("bad q in {s:?}"))?;
    let r = r.trim().parse().map_err(|_| format!("bad r in {s:?}"))?;
    Ok(Hex::new(q, r))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let cli = Cli::parse();
    let mut info = match (cli.edge, cli.edge_key) {
        (Some(udp_addr), Some(udp_public_key)) => ConnectInfo::udp_only(udp_addr, udp_public_key),
        _ => ConnectInfo::fetch(&cli.url)
            .await
            .with_context(|| format!("is the server running at {}?", cli.url))?,
    };
    if let Some(addr) = cli.edge_quic {
        info.quic_addr = Some(addr);
    }
    if let Some(hash) = cli.cert_hash {
        info.cert_hash = Some(hash);
    }
    if let Some(url) = cli.edge_websocket.clone() {
        info.websocket_url = Some(url);
    }
    let transport = cli.transport;
    match cli.command {
        Cmd::Connect {
            user,
            seconds,
            stats_every,
        } => {
            let mut client = open(&cli.url, cli.token.as_deref(), &info, transport, &user).await?;
            let run = watch(&mut client, stats_every);
            match seconds {
                Some(s) => {
                    let _ = tokio::time::timeout(Duration::from_secs(s), run).await;
                }
                None => tokio::select! {
                    _ = run => {}
                    _ = tokio::signal::ctrl_c() => {}
                },
            }
            print_delta_stats(&client);
            println!("link: {}", format_link_stats(&client.stats().snapshot()));
            client.close();
        }
        Cmd::Move {
            user,
            unit,
            to,
            timeout,
        } => {
            let mut client = open(&cli.url, cli.token.as_deref(), &info, transport, &user).await?;
            let deadline = Duration::from_secs(timeout);
            tokio::time::timeout(deadline, order_move(&mut client, unit, to))
                .await
                .context("the unit did not arrive in time")??;
            client.close();
        }
        Cmd::Bots {
            count,
            seconds,
            behaviour,
        } => {
            let tokens = match cli.token {
                Some(_) if count != 1 => {
                    bail!("--token is one player: run one bot per token (bots 1 --token ...)")
                }
                Some(token) => TokenSource::Given(token),
                None => TokenSource::DevIssuer(cli.url.clone()),
            };
            swarm(tokens, info, transport, count, seconds, behaviour).await
        }
    }
    Ok(())
}

async fn open(
    url: &str,
    token: Option<&str>,
    info: &ConnectInfo,
    transport: Transport,
    user: &str,
) -> anyhow::Result<Client> {
    let token = match token {
        Some(t) => t.to_string(),
        None => fetch_dev_token(url, user).await?,
    };
    let client = Client::connect_via(info, transport, &token).await?;
    println!(
        "welcome over {transport}: user {} empire {} at {} Hz",
        client.user_id, client.empire, client.tick_rate_hz
    );
    Ok(client)
}

async fn watch(client: &mut Client, stats_every: u64) {
    let mut ping = tokio::time::interval(Duration::from_secs(1));
    // With 0 there is no periodic print (the stats are printed once at the end).
    let mut stats = (stats_every > 0).then(|| {
        let every = Duration::from_secs(stats_every);
        tokio::time::interval_at(tokio::time::Instant::now() + every, every)
    });
    loop {
        let stats_due = async {
            match stats.as_mut() {
                Some(s) => {
                    s.tick().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ping.tick() => client.ping(),
            _ = stats_due => println!("link: {}", format_link_stats(&client.stats().snapshot())),
            ev = client.next_event() => match ev {
                Some(ClientEvent::Updated(a)) => {
                    for id in &a.appeared {
                        if let Some(e) = client.world.entities.get(id) {
                            let whose = if e.owner == NEUTRAL_EMPIRE {
                                "neutral"
                            } else if e.owner == client.empire {
                                "own"
                            } else {
                                "other"
                            };
                            println!("tick {} appeared {whose} {:?} #{} at {},{}", client.world.tick, e.kind, e.id, e.pos.q, e.pos.r);
                        }
                    }
                    for (id, pos) in &a.moved {
                        println!("tick {} moved #{id} to {},{}", client.world.tick, pos.q, pos.r);
                    }
                    for id in &a.disappeared {
                        println!("tick {} disappeared #{id}", client.world.tick);
                    }
                }
                Some(ClientEvent::CommandResult { seq, result }) => println!("command {seq}: {result:?}"),
                Some(ClientEvent::Rtt(rtt)) => tracing::debug!("rtt {rtt:?}"),
                Some(ClientEvent::Notice { kind, text }) => println!("notice ({kind:?}): {text}"),
                // Peer text is printed quoted and escaped: nothing in it reaches the terminal
                // as a control sequence.
                Some(ClientEvent::Social(m)) => println!("social: {m:?}"),
                Some(ClientEvent::Combat(r)) => println!(
                    "combat: dealt {}, took {}, destroyed {}, lost {}",
                    r.dealt, r.taken, r.kills, r.losses
                ),
                Some(ClientEvent::Job(j)) => println!(
                    "job {} of #{} (recipe {}): {}",
                    j.job, j.building, j.recipe, j.state.name()
                ),
                Some(ClientEvent::Sharing(s)) => println!(
                    "vision {} empire {}: {}",
                    if s.outgoing { "shared with" } else { "shared by" },
                    s.empire,
                    if s.active { "on" } else { "revoked" }
                ),
                Some(ClientEvent::Memory(m)) => println!("memory: {m:?}"),
                Some(ClientEvent::Static(kind)) => tracing::debug!("received the {kind:?}"),
                Some(ClientEvent::Moved { reason }) => println!("moved to another edge ({reason:?})"),
                Some(ClientEvent::Closed(why)) => { println!("closed: {why}"); return; }
                None => return,
            },
        }
    }
}

async fn order_move(client: &mut Client, unit: Option<u32>, to: Hex) -> anyhow::Result<()> {
    while client.world.my_units().next().is_none() {
        if client.next_event().await.is_none() {
            bail!("the session ended before any own unit was seen");
        }
    }
    let unit = match unit {
        Some(u) => u,
        None => client
            .world
            .my_units()
            .next()
            .map(|u| u.id)
            .context("no own unit")?,
    };
    let seq = client.send_move(unit, to);
    println!("ordered unit {unit} to {},{} (command {seq})", to.q, to.r);
    loop {
        if client
            .world
            .entities
            .get(&unit)
            .is_some_and(|e| e.pos == to)
        {
            println!("unit {unit} arrived at {},{}", to.q, to.r);
            return Ok(());
        }
        match client.next_event().await {
            Some(ClientEvent::CommandResult {
                seq: s,
                result: Err(e),
            }) if s == seq => {
                bail!("command rejected: {e:?}")
            }
            Some(ClientEvent::Closed(why)) => bail!("session ended: {why}"),
            None => bail!("session ended"),
            _ => {}
        }
    }
}

async fn swarm(
    tokens: TokenSource,
    info: ConnectInfo,
    transport: Transport,
    count: usize,
    seconds: u64,
    behaviour: Behaviour,
) {
    let stats = Arc::new(SwarmStats::default());
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let (tokens, info, stats) = (tokens.clone(), info.clone(), stats.clone());
            let plan = BotPlan {
                tokens,
                username: format!("bot-{i}"),
                seed: i as u64,
                duration: Duration::from_secs(seconds),
                behaviour,
            };
            tokio::spawn(run_bot(plan, info, transport, stats))
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    println!(
        "bots: {} connected, {} failed, {} updates, {} commands acked, {} rejected, {} bytes received",
        stats.connected.load(Ordering::Relaxed),
        stats.failed.load(Ordering::Relaxed),
        stats.updates.load(Ordering::Relaxed),
        stats.commands_acked.load(Ordering::Relaxed),
        stats.commands_rejected.load(Ordering::Relaxed),
        stats.bytes_in.load(Ordering::Relaxed),
    );
    println!(
        "delta packets: {} applied, {} duplicates, {} records without baseline",
        stats.packets.load(Ordering::Relaxed),
        stats.duplicate_packets.load(Ordering::Relaxed),
        stats.missing_baselines.load(Ordering::Relaxed),
    );
    println!(
        "orders: {} moves, {} attacks, {} stops, {} builds, {} trains, {} cancels, {} shares, {} revokes, {} chats, {} alliance orders, {} friend orders, {} mail orders; {} combat reports, {} damage dealt; {} job events, {} sharing events, {} memory events, {} social messages",
        stats.moves.load(Ordering::Relaxed),
        stats.attacks.load(Ordering::Relaxed),
        stats.stops.load(Ordering::Relaxed),
        stats.builds.load(Ordering::Relaxed),
        stats.trains.load(Ordering::Relaxed),
        stats.cancels.load(Ordering::Relaxed),
        stats.shares.load(Ordering::Relaxed),
        stats.revokes.load(Ordering::Relaxed),
        stats.chats.load(Ordering::Relaxed),
        stats.alliance_orders.load(Ordering::Relaxed),
        stats.friend_orders.load(Ordering::Relaxed),
        stats.mail_orders.load(Ordering::Relaxed),
        stats.combat_reports.load(Ordering::Relaxed),
        stats.damage_dealt.load(Ordering::Relaxed),
        stats.job_events.load(Ordering::Relaxed),
        stats.sharing_events.load(Ordering::Relaxed),
        stats.memory_events.load(Ordering::Relaxed),
        stats.social_messages.load(Ordering::Relaxed),
    );
}

/// Print the session's delta packet totals (SPEC.md §16).
fn print_delta_stats(client: &Client) {
    let d = client.delta_stats();
    println!(
        "delta packets: {} applied, {} duplicates, {} too old, {} records without baseline, {} repeated events",
        d.packets, d.duplicates, d.too_old, d.missing_baseline, d.duplicate_events
    );
}
