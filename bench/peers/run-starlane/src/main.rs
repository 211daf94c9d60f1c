//! `run-starlane`: the platform's script replayed through the platform itself, by the same
//! driver, relay and figures as the peers: a real edge whose region is the script, and the
//! platform's native clients over encrypted UDP. See bench/peers/README.md.
//!
//! ```sh
//! cargo run --release -p run-starlane -- --script standard.jsonl --rate 200000 --out starlane.json
//! ```

mod client;
mod server;

use anyhow::Context;
use peers_scenario::alloc::CountingAlloc;
use peers_scenario::driver::{self, Measured};
use peers_scenario::report::{self, Args, Report};
use peers_scenario::script::Script;
use starlane_edge::DevIssuer;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    report::main_of("run-starlane", run)
}

/// What the server publishes for its clients: the edge's UDP address and static key.
#[derive(Debug, Default)]
pub struct Published(Mutex<Option<(SocketAddr, [u8; 32])>>);

impl Published {
    fn set(&self, addr: SocketAddr, key: [u8; 32]) {
        if let Ok(mut p) = self.0.lock() {
            *p = Some((addr, key));
        }
    }

    fn get(&self) -> Option<(SocketAddr, [u8; 32])> {
        self.0.lock().ok().and_then(|p| *p)
    }
}

/// The built-in profile whose rate the peers' limiters are set to, and its health step.
fn profile_of(rate: u32) -> anyhow::Result<(String, u16)> {
    let set = starlane_edge::config::embedded_set().context("the edge's built-in profiles")?;
    let names: Vec<String> = set.names().map(str::to_string).collect();
    for name in &names {
        if let Some(p) = set.get(name)
            && p.bytes_per_sec == rate
        {
            return Ok((name.clone(), p.quantization.health_step));
        }
    }
    anyhow::bail!(
        "--rate {rate}: no built-in bandwidth profile has that rate (profiles: {names:?})"
    )
}

/// Client `client`'s token: user id `client + 1`, which the script region maps back to the
/// client's script session.
fn token(issuer: &DevIssuer, client: usize) -> anyhow::Result<String> {
    let user_id = i64::try_from(client + 1)?;
    Ok(issuer.issue_for(user_id, &format!("peer-{client}"))?)
}

fn run(args: Args, script: Arc<Script>) -> anyhow::Result<()> {
    let (measured, profile, health_step) = replay(&args, script.clone())?;
    if let Ok(d) = client::DELTA.lock() {
        eprintln!(
            "run-starlane: the clients' delta sync: {} packets applied, {} duplicates, {} too old, {} records without their baseline",
            d[0], d[1], d[2], d[3]
        );
    }
    let report = Report {
        stack: "starlane replay".into(),
        versions: vec![("starlane-edge".into(), env!("CARGO_PKG_VERSION").into())],
        config: config(&profile, health_step),
        script: script.header.clone(),
        impair: args.impair,
        rate: args.rate,
        measured,
    };
    report.emit(args.out.as_deref())
}

/// Replay `script` through an edge and its native clients, as `args` say: the figures, and
/// the profile used with its health step.
fn replay(args: &Args, script: Arc<Script>) -> anyhow::Result<(Measured, String, u16)> {
    let (profile, health_step) = profile_of(args.rate)?;
    let mut opts = args.options(script.header.sessions);
    opts.health_step = health_step;
    opts.server_threads = vec![server::UDP_THREAD];
    let dir = tempfile::tempdir().context("a temporary directory")?;
    let jwt_issuer = starlane_edge::EdgeConfig::default().jwt.issuer;
    let issuer = Arc::new(DevIssuer::load_or_create_with_issuer(
        &dir.path().join("dev-issuer"),
        &jwt_issuer,
    )?);
    let settings = server::ServerSettings {
        profile: profile.clone(),
        issuer: issuer.clone(),
        jwt_issuer,
    };
    let published = Arc::new(Published::default());
    let clients_rt = Rc::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("build the clients' runtime")?,
    );
    let (server_published, header, server_dir) = (
        published.clone(),
        script.header.clone(),
        dir.path().to_path_buf(),
    );
    let measured = driver::run(
        script,
        &opts,
        move |socket, routes| {
            server::StarlaneServer::start(
                socket,
                &routes,
                &header,
                &settings,
                &server_dir,
                &server_published,
            )
        },
        |i, to| {
            Ok(client::StarlaneClient::new(
                clients_rt.clone(),
                to,
                token(&issuer, i)?,
                published.clone(),
            ))
        },
    )?;
    Ok((measured, profile, health_step))
}

fn config(profile: &str, health_step: u16) -> Vec<(String, String)> {
    [
        ("server", "the edge (starlane-edge, this commit) fed by a script region over the real QUIC link; the edge's tasks on one current-thread runtime on the server thread, its encrypted UDP loop on its own thread (both counted)".to_string()),
        ("bandwidth.native", format!("{profile} (built in; health_step {health_step}: staleness compares health in its steps)")),
        ("client", "starlane-client over encrypted UDP (Noise NK, ChaCha20-Poly1305), stepped at 60 Hz on one current-thread runtime; no pings, no commands".to_string()),
        ("interest", "the script's views, sent as the region's view changes; the edge's mirror gets the script's entity frames".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use peers_scenario::script::{Change, Header, State, Tick, ViewDelta};

    #[test]
    fn the_rate_picks_the_built_in_profile() {
        let (name, step) = profile_of(200_000).expect("broadband");
        assert_eq!((name.as_str(), step), ("broadband", 1));
        let (name, step) = profile_of(50_000).expect("mobile");
        assert_eq!((name.as_str(), step), ("mobile", 5));
        let err = profile_of(12_345).expect_err("no profile has that rate");
        assert!(err.to_string().contains("--rate 12345"), "{err}");
    }

    /// Two sessions watch a unit that moves every tick for 2 s; the first also sees a station
    /// that enters its view after 1 s.
    fn moving_unit() -> Script {
        let header = Header {
            format: peers_scenario::script::FORMAT.into(),
            version: 1,
            scenario: "moving-unit".into(),
            sessions: 2,
            npcs: 1,
            pattern: "line".into(),
            tick_hz: 20,
            warmup_secs: 0,
            duration_secs: 2,
        };
        let unit = State {
            kind: 1,
            owner: 0,
            q: 0,
            r: 0,
            health: 100,
        };
        let station = State {
            kind: 2,
            owner: 0,
            q: 5,
            r: 5,
            health: 500,
        };
        let mut ticks = vec![Tick {
            tick: 0,
            appeared: vec![(1, unit)],
            views: (0..2)
                .map(|session| ViewDelta {
                    session,
                    entered: vec![1],
                    left: Vec::new(),
                })
                .collect(),
            ..Tick::default()
        }];
        for k in 1..40u32 {
            let mut tick = Tick {
                tick: k,
                changed: vec![Change {
                    id: 1,
                    q: Some(k as i32),
                    r: Some(0),
                    health: None,
                }],
                ..Tick::default()
            };
            if k == 20 {
                tick.appeared.push((2, station));
                tick.views.push(ViewDelta {
                    session: 0,
                    entered: vec![2],
                    left: Vec::new(),
                });
            }
            ticks.push(tick);
        }
        Script { header, ticks }
    }

    #[test]
    fn the_edge_relays_the_script_to_its_clients() {
        let args = Args::parse_from(["--script", "unused", "--rate", "200000"].map(String::from))
            .expect("arguments");
        let (m, profile, _) = replay(&args, Arc::new(moving_unit())).expect("the replay runs");
        assert_eq!(profile, "broadband");
        assert_eq!((m.clients, m.clients_crashed), (2, 0));
        // Every client held its view at nearly every sample, and not stale for long: the edge
        // sends at its own 20 Hz, so a value is at most about two send intervals old.
        assert!(m.coverage > 0.9, "view held {}", m.coverage);
        let staleness = m.staleness_ms.expect("staleness sampled");
        assert!(staleness.p99 <= 150.0, "{staleness:?}");
        let down = m.down_bytes.expect("traffic counted");
        assert!(down.median > 0.0, "{down:?}");
        assert!(m.server_cpu_ms_per_client_s.is_some());
    }
}
