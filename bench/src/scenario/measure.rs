//! One measured run: start the servers (or only the region), run the clients (or the fake
//! edge) while sampling the region, then collect what everyone measured.

use crate::impair::{ImpairProxy, TcpImpairProxy};
use crate::scenario::clients::{
    ClientOutcome, ClientPlan, Clock, Endpoint, Live, TruthSnap, run_client,
};
use crate::scenario::config::{Behaviour, ImpairMode, Scenario, Topology};
use crate::scenario::fake_edge::{FakeEdgeOutcome, ScriptHeader, ScriptWriter, run_fake_edge};
use crate::scenario::procstat::Proc;
use crate::scenario::progress::Progress;
use crate::scenario::region_runtime::{RegionRuntime, region_cpu_secs};
use crate::scenario::staleness::{Convergence, TruthHistory};
use crate::scenario::topology::Servers;
use anyhow::Context;
use starlane_game::{LoadConfig, RegionConfig, RegionHandle, TickSample};
use starlane_protocol::Update;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The final seconds in which bots stop ordering, so that clients can converge.
pub const CONVERGENCE_PERIOD: Duration = Duration::from_secs(2);
/// Truth must be unchanged this long to be checked for convergence.
pub const STABLE_FOR: Duration = Duration::from_secs(1);

/// What one run measured, before summarising.
#[derive(Debug, Default)]
pub struct Measured {
    /// Clients (or sessions) started.
    pub planned: u64,
    /// Per-client outcomes (empty in "region-only").
    pub outcomes: Vec<ClientOutcome>,
    /// Fake-edge outcome ("region-only").
    pub fake_edge: Option<FakeEdgeOutcome>,
    /// Tick samples with their drain time (s after measuring began).
    pub ticks: Vec<(f64, TickSample)>,
    /// Convergence at the end, when truth was published.
    pub convergence: Option<Convergence>,
    /// (name, CPU seconds during the measurement, peak RSS KiB) per process.
    pub processes: Vec<(String, Option<f64>, Option<u64>)>,
    /// The edge's CPU seconds during the measurement, and what it covers.
    pub edge_cpu: Option<(f64, &'static str)>,
    /// The region's CPU seconds during the measurement ("region-only": its runtime's and tick
    /// threads', apart from the fake edge's).
    pub region_cpu: Option<f64>,
    /// Wall-clock seconds between the CPU samples above ("region-only"): what the CPU
    /// seconds are divided by to give cores.
    pub cpu_window_secs: Option<f64>,
    /// Notes for the result.
    pub notes: Vec<String>,
}

impl Measured {
    /// The recorded update stream (first client, or session 0).
    pub fn recorded(&self) -> &[Update] {
        if let Some(f) = &self.fake_edge {
            return &f.recorded;
        }
        self.outcomes
            .iter()
            .find(|o| !o.recorded.is_empty())
            .map_or(&[], |o| &o.recorded)
    }

    /// Bytes of the delta-sync datagrams that carried [`Measured::recorded`] (live clients).
    pub fn recorded_wire_bytes(&self) -> Option<u64> {
        if self.fake_edge.is_some() {
            return None;
        }
        self.outcomes
            .iter()
            .find(|o| !o.recorded.is_empty())
            .map(|o| o.recorded_wire_bytes)
    }
}

fn clock_for(scenario: &Scenario) -> Clock {
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(scenario.warmup_secs);
    let end = measure_from + Duration::from_secs(scenario.duration_secs);
    let stop_commands_at = end
        .checked_sub(CONVERGENCE_PERIOD)
        .unwrap_or(end)
        .max(start);
    Clock {
        measure_from,
        stop_commands_at,
        end,
    }
}

/// Region tick samples and truth, sampled until `clock.end`.
#[derive(Debug, Default)]
struct Monitor {
    ticks: Vec<(f64, TickSample)>,
    history: TruthHistory,
    truth_seen: bool,
}

async fn monitor(
    region: Option<&RegionHandle>,
    clock: Clock,
    truth_tx: watch::Sender<Option<TruthSnap>>,
) -> Monitor {
    let mut m = Monitor::default();
    let Some(region) = region else { return m };
    let mut poll = tokio::time::interval(Duration::from_millis(10));
    let mut n = 0u64;
    while Instant::now() < clock.end {
        poll.tick().await;
        if let Some(t) = region.truth()
            && truth_tx
                .borrow()
                .as_ref()
                .is_none_or(|old| old.tick != t.tick)
        {
            m.history.observe(t.tick, t.at, &t.entities);
            m.truth_seen = true;
            truth_tx.send_replace(Some(t));
        }
        n += 1;
        if n.is_multiple_of(10) {
            let samples = region.drain_tick_samples();
            let now = Instant::now();
            if now >= clock.measure_from {
                let t = now.duration_since(clock.measure_from).as_secs_f64();
                m.ticks.extend(samples.into_iter().map(|s| (t, s)));
            }
        }
    }
    m
}

fn cpu_of(procs: &[(&'static str, Proc)]) -> Vec<Option<f64>> {
    procs.iter().map(|(_, p)| p.cpu_secs()).collect()
}

/// Where the scenario's clients dial, and the impairment proxies in front of the edge.
struct Dial {
    udp: Endpoint,
    wt: Endpoint,
    ws: Endpoint,
    /// Kept running for the whole measurement (dropping one stops it).
    _proxies: (Vec<ImpairProxy>, Option<TcpImpairProxy>),
}

/// Start the proxies an impaired scenario asks for; returns the endpoints to dial.
fn impair(scenario: &Scenario, servers: &Servers, notes: &mut Vec<String>) -> anyhow::Result<Dial> {
    let udp = Endpoint::Udp(servers.udp.clone());
    let wt = Endpoint::WebTransport {
        url: servers.wt_url.clone(),
        cert_hash: servers.wt_hash,
    };
    let ws = Endpoint::WebSocket {
        url: servers.ws_url.clone(),
    };
    if scenario.impairment.mode == ImpairMode::None {
        let _proxies = (Vec::new(), None);
        return Ok(Dial {
            udp,
            wt,
            ws,
            _proxies,
        });
    }
    if scenario.impairment.mode == ImpairMode::InProcess {
        notes.push("impairment \"in-process\": the UDP driver has no emulator hook, so the impairment proxy runs inside the runner (same emulator, same settings)".into());
    }
    let (up, down) = scenario.impairment.directions();
    let any = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    let udp_proxy = ImpairProxy::start(any, servers.udp.udp_addr, up.clone(), down.clone())
        .context("impairment proxy for UDP")?;
    let upstream = |url: &str, scheme: &str| -> anyhow::Result<std::net::SocketAddr> {
        url.trim_start_matches(scheme)
            .trim_end_matches('/')
            .parse()
            .with_context(|| format!("the address of {url}"))
    };
    let wt_upstream = upstream(&servers.wt_url, "https://")?;
    let wt_proxy = ImpairProxy::start(any, wt_upstream, up.clone(), down.clone())
        .context("impairment proxy for WebTransport")?;
    let ws_upstream = upstream(&servers.ws_url, "ws://")?;
    let ws_proxy = TcpImpairProxy::start(any, ws_upstream, &up, &down)
        .context("impairment proxy for WebSocket")?;
    let mut info = servers.udp.clone();
    info.udp_addr = udp_proxy.local_addr();
    let wt = Endpoint::WebTransport {
        url: format!("https://127.0.0.1:{}/", wt_proxy.local_addr().port()),
        cert_hash: servers.wt_hash,
    };
    let ws = Endpoint::WebSocket {
        url: format!("ws://127.0.0.1:{}/", ws_proxy.local_addr().port()),
    };
    notes.push("impairment: UDP and WebTransport clients connect through impairment proxies in front of the edge's ports; WebSocket clients through the TCP proxy (latency, rate and queue only: impair/tcp.rs)".into());
    let _proxies = (vec![udp_proxy, wt_proxy], Some(ws_proxy));
    Ok(Dial {
        udp: Endpoint::Udp(info),
        wt,
        ws,
        _proxies,
    })
}

/// The health quantization step of the edge's built-in profile `name`: clients hold health in
/// its steps, so staleness compares the truth quantized the same way.
fn profile_health_step(name: &str) -> anyhow::Result<u16> {
    let set = starlane_edge::config::embedded_set().context("the edge's built-in profiles")?;
    let profile = set
        .get(name)
        .with_context(|| format!("impairment.bandwidth_profile {name:?} is not built in"))?;
    Ok(profile.quantization.health_step)
}

/// Run clients through an edge (topologies "in-process" and "processes").
pub async fn run_with_edge(scenario: &Scenario, progress: &Progress) -> anyhow::Result<Measured> {
    let servers = Servers::start(scenario).await?;
    let mut m = Measured::default();
    let dial = impair(scenario, &servers, &mut m.notes)?;
    let c = &scenario.clients;
    let health_step = profile_health_step(scenario.impairment.profile())?;
    let mut plans = Vec::new();
    let (udp_end, wt_end) = (c.udp as usize, (c.udp + c.webtransport) as usize);
    for i in 0..(c.udp + c.webtransport + c.websocket) as usize {
        plans.push(ClientPlan {
            index: i,
            endpoint: match i {
                i if i < udp_end => dial.udp.clone(),
                i if i < wt_end => dial.wt.clone(),
                _ => dial.ws.clone(),
            },
            token: servers.token(&format!("bench{i}"))?,
            behaviour: c.behaviour,
            ping_rate: c.ping_rate_per_sec,
            record: i == 0,
            health_step,
        });
    }
    m.planned = plans.len() as u64;
    let procs = servers.processes();
    let live = Arc::new(Live::default());
    let (truth_tx, truth_rx) = watch::channel(None);
    let clock = clock_for(scenario);
    let gap = if c.ramp_per_sec == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(1.0 / f64::from(c.ramp_per_sec))
    };
    let spawn_all = async {
        let mut handles = Vec::new();
        for plan in plans {
            handles.push(tokio::spawn(run_client(
                plan,
                clock,
                truth_rx.clone(),
                live.clone(),
            )));
            tokio::time::sleep(gap).await;
        }
        let mut outs = Vec::new();
        for h in handles {
            outs.push(h.await.context("a client task panicked")?);
        }
        Ok::<_, anyhow::Error>(outs)
    };
    let cpu = async {
        tokio::time::sleep_until(tokio::time::Instant::from_std(clock.measure_from)).await;
        cpu_of(&procs)
    };
    let (mon, outcomes, cpu_start, ()) = tokio::join!(
        monitor(servers.region(), clock, truth_tx),
        spawn_all,
        cpu,
        progress.follow(clock, m.planned, &live)
    );
    let cpu_end = cpu_of(&procs);
    m.outcomes = outcomes?;
    for (i, (name, p)) in procs.iter().enumerate() {
        let used = cpu_end[i].zip(cpu_start[i]).map(|(b, a)| b - a);
        m.processes.push((name.to_string(), used, p.peak_rss_kib()));
    }
    m.edge_cpu = match servers.edge_process() {
        Some(_) => m
            .processes
            .iter()
            .find(|p| p.0 == "edge")
            .and_then(|p| p.1)
            .map(|c| (c, "the edge process")),
        None => m
            .processes
            .first()
            .and_then(|p| p.1)
            .map(|c| (c, "the whole runner process: region, edge and clients")),
    };
    if mon.truth_seen {
        let mut conv = Convergence::default();
        for o in &m.outcomes {
            conv.add(&mon.history, clock.end, STABLE_FOR, &o.final_seen);
        }
        m.convergence = Some(conv);
    }
    if let Some(first) = m.outcomes.iter().find(|o| o.error.is_none()) {
        let owners = first.final_seen.values().map(|e| e.owner);
        let own = owners.clone().filter(|o| *o == first.empire).count();
        let neutral = owners.clone().filter(|o| *o == 0).count();
        let hostile = first.final_seen.len() - own - neutral;
        m.notes.push(format!(
            "the first client held {} entities in view at the end: {own} own, {hostile} hostile, \
             {neutral} neutral",
            first.final_seen.len()
        ));
    }
    m.ticks = mon.ticks;
    if let Some(region) = servers.region() {
        let link = region.link_stats();
        let secs = (scenario.warmup_secs + scenario.duration_secs).max(1);
        m.notes.push(format!(
            "region link: {} B/s sent to the edge over warm-up and measurement ({} B in {secs} s); \
             the most one link's queue held after a tick: {} B (bounded by link_queue_bytes)",
            link.bytes_out / secs,
            link.bytes_out,
            link.queued_bytes_peak
        ));
    }
    if scenario.topology == Topology::Processes {
        m.notes.push("topology \"processes\": tick times, staleness and convergence need the region in this process, so they are null; CPU and memory are per process".into());
    } else {
        m.notes.push("topology \"in-process\": CPU and peak memory are the whole runner process (region, edge and clients together)".into());
    }
    drop(dial);
    servers.stop().await?;
    Ok(m)
}

/// The region configuration of a "region-only" run.
pub fn region_only_config(
    scenario: &Scenario,
    data_dir: &std::path::Path,
) -> anyhow::Result<RegionConfig> {
    let mut cfg = RegionConfig::load(None)?;
    cfg.data_dir = data_dir.to_owned();
    cfg.link_bind = "127.0.0.1:0".parse().context("loopback address")?;
    cfg.http.bind = "127.0.0.1:0".parse().context("loopback address")?;
    cfg.load = LoadConfig {
        npc_count: scenario.load.npc_count,
        pattern: scenario
            .load
            .pattern
            .parse()
            .map_err(|e: String| anyhow::anyhow!("load.pattern: {e}"))?,
        npc_seed: scenario.load.npc_seed,
    };
    if scenario.load.map_rings > 0 {
        cfg.map_rings = scenario.load.map_rings;
    }
    cfg.validate()?;
    Ok(cfg)
}

/// Run the region alone with a fake edge opening `clients.sessions` sessions; with `script`,
/// record the region's frames there for the peers harness.
pub async fn run_region_only(
    scenario: &Scenario,
    progress: &Progress,
    script: Option<&std::path::Path>,
) -> anyhow::Result<Measured> {
    let dir = tempfile::tempdir()?;
    let config = region_only_config(scenario, dir.path())?;
    let script = match script {
        Some(path) => Some(ScriptWriter::create(
            path,
            &ScriptHeader {
                scenario: scenario.name.clone(),
                sessions: scenario.clients.sessions,
                npcs: scenario.load.npc_count,
                pattern: scenario.load.pattern.clone(),
                tick_hz: config.tick_hz,
                warmup_secs: scenario.warmup_secs,
                duration_secs: scenario.duration_secs,
            },
        )?),
        None => None,
    };
    let (region_rt, region) = RegionRuntime::start(config).await?;
    let mut m = Measured {
        planned: u64::from(scenario.clients.sessions),
        ..Measured::default()
    };
    let live = Arc::new(Live::default());
    let (truth_tx, _truth_rx) = watch::channel(None);
    let clock = clock_for(scenario);
    let procs = [("runner (region + fake edge)", Proc::SelfProcess)];
    let cpu = async {
        tokio::time::sleep_until(tokio::time::Instant::from_std(clock.measure_from)).await;
        (cpu_of(&procs), region_cpu_secs(), std::time::Instant::now())
    };
    let (mon, edge, (cpu_start, region_start, window_start), ()) = tokio::join!(
        monitor(Some(&region), clock, truth_tx),
        run_fake_edge(
            &region,
            scenario.clients.sessions,
            scenario.clients.ramp_per_sec,
            scenario.clients.behaviour == Behaviour::Wander,
            clock,
            live.clone(),
            script
        ),
        cpu,
        progress.follow(clock, m.planned, &live)
    );
    let used = cpu_of(&procs)[0].zip(cpu_start[0]).map(|(b, a)| b - a);
    m.region_cpu = region_cpu_secs().zip(region_start).map(|(b, a)| b - a);
    m.cpu_window_secs = Some(window_start.elapsed().as_secs_f64());
    m.processes.push((
        procs[0].0.to_string(),
        used,
        Proc::SelfProcess.peak_rss_kib(),
    ));
    m.fake_edge = Some(edge?);
    m.ticks = mon.ticks;
    m.notes.push("topology \"region-only\": traffic is what the region sends each session, in client-message bytes (no transport overhead); with behaviour \"wander\" each session moves a unit every 2.5 s and runs a repeating levy job at its station; no RTT or staleness".into());
    m.notes.push("topology \"region-only\": the region runs on a runtime of its own in the runner; its CPU is that of its runtime and tick threads, the fake edge's the rest of the runner's".into());
    region_rt.stop(region).await?;
    Ok(m)
}
