//! The reconnect storm (`[storm]`): `clients` native encrypted-UDP clients play on the
//! region's `edges` edges; every edge is then restarted and all clients reconnect at the same
//! instant. Measured: when each client plays again (its first view update) and where the time
//! went: the edges' token verification, handshakes and region joins (their own metrics), the
//! region's database joins and ticks (its `/metrics`), and this process's CPU.
//!
//! Every server runs in this process (`servers.rs`); the clients are cheap tasks on netcore's
//! sans-IO endpoint (`client.rs`), so a few thousand fit beside the servers on two cores. The
//! clients run on a runtime of their own, whose threads are named [`CLIENT_THREADS`], so
//! that the servers' CPU is reported apart from theirs.

pub mod client;
pub mod config;
pub mod report;
pub mod servers;

use crate::scenario::config::Scenario;
use crate::scenario::measure::Measured;
use crate::scenario::procstat::{Proc, threads_cpu_secs};
use crate::scenario::progress::Progress;
use crate::scenario::region_runtime::region_cpu_secs;
use anyhow::Context;
use client::{ClientRecord, Counters, Phase, run_client};
use report::{Breakdown, Counted, PhaseFigures, StormResult, Timed, histogram_total, sample};
use servers::StormServers;
use starlane_game::world::RegionSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

/// Extra time the first connections get beyond the ramp.
const CONNECT_GRACE: Duration = Duration::from_secs(60);
/// How long the clients get to stop once told.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Clients are started in batches this far apart.
const BATCH_EVERY: Duration = Duration::from_millis(10);
/// The name of the clients' runtime threads (what their CPU is counted by).
pub const CLIENT_THREADS: &str = "storm-client";
/// Worker threads of the clients' runtime: as many as the servers' runtime gets by default
/// on this machine, so neither side is starved by construction.
fn client_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Run the storm of `scenario` (which has a `[storm]`).
pub async fn run_storm(
    scenario: &Scenario,
    progress: &Progress,
) -> anyhow::Result<(Measured, StormResult)> {
    let storm = scenario
        .storm
        .clone()
        .context("the scenario has no [storm]")?;
    let mut servers = StormServers::start(&storm).await?;
    let n = storm.clients as usize;
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        tokens.push(servers.token(&format!("storm{i}"))?);
    }
    let targets = servers.targets();
    let live = Arc::new([Counters::default(), Counters::default()]);
    let ramp = if storm.connect_per_sec == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(n as f64 / f64::from(storm.connect_per_sec))
    };
    let start = Instant::now();
    let (tx, rx) = watch::channel(Phase::Connect {
        give_up: start + ramp + CONNECT_GRACE,
    });
    let per_batch = match storm.connect_per_sec {
        0 => n.max(1),
        r => (r as usize / 100).max(1),
    };
    let clients_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(client_workers())
        .thread_name(CLIENT_THREADS)
        .enable_all()
        .build()
        .context("build the clients' runtime")?;
    let mut handles = Vec::with_capacity(n);
    for (i, token) in tokens.into_iter().enumerate() {
        let first = targets[i % targets.len()];
        handles.push(clients_rt.spawn(run_client(i, token, first, rx.clone(), live.clone())));
        if (i + 1) % per_batch == 0 {
            tokio::time::sleep(BATCH_EVERY).await;
        }
    }
    let deadline = start + ramp + CONNECT_GRACE;
    wait_all(&live[0], n, deadline, progress, "connecting").await;
    let initial_secs = start.elapsed().as_secs_f64();
    let initial_playing = live[0].playing.load(Ordering::Relaxed);
    progress.say(format!(
        "{initial_playing}/{n} playing after {initial_secs:.1} s; playing {} s before the storm",
        scenario.warmup_secs
    ));
    tokio::time::sleep(Duration::from_secs(scenario.warmup_secs)).await;

    tx.send_replace(Phase::Drop);
    servers.stop_edges().await;
    servers.start_edges().await?;
    let region_before = scrape(servers.region_http()).await.unwrap_or_default();
    let cpu_before = Proc::SelfProcess.cpu_secs();
    let clients_before = threads_cpu_secs(CLIENT_THREADS);
    let region_cpu_before = region_cpu_secs();
    let t0 = Instant::now();
    let give_up = t0 + Duration::from_secs(scenario.duration_secs);
    tx.send_replace(Phase::Storm {
        t0,
        give_up,
        targets: Arc::new(servers.targets()),
    });
    wait_all(&live[1], n, give_up, progress, "storm").await;
    let wall_secs = t0.elapsed().as_secs_f64();
    let cpu_after = Proc::SelfProcess.cpu_secs();
    let clients_after = threads_cpu_secs(CLIENT_THREADS);
    let region_cpu_after = region_cpu_secs();
    let region_after = scrape(servers.region_http()).await.unwrap_or_default();
    let mut breakdown = edge_breakdown(&servers);
    let since = |name: &str, labels: &str| {
        Timed::since(
            histogram_total(&region_after, name, labels),
            histogram_total(&region_before, name, labels),
        )
    };
    breakdown.region_db_join = since("starlane_region_db_seconds", "op=\"join\"");
    let counted = |name: &str, labels: &str| {
        (sample(&region_after, name, labels) - sample(&region_before, name, labels)).max(0.0) as u64
    };
    breakdown.region_joins_cached = counted("starlane_region_joins_total", "source=\"cache\"");
    breakdown.region_links_shed = counted("starlane_region_link_closes_total", "reason=\"slow\"");
    breakdown.region_rejoins = counted("starlane_region_link_rejoins_total", "");
    breakdown.region_ticks = since("starlane_region_tick_seconds", "");
    breakdown.region_tick_sets = RegionSet::ALL
        .iter()
        .map(|set| {
            let labels = format!("set=\"{}\"", set.label());
            let t = since("starlane_region_tick_set_seconds", &labels);
            (set.label().to_string(), t)
        })
        .collect();
    breakdown.region_link_out = Counted {
        frames: counted("starlane_region_link_frames_total", "direction=\"out\""),
        bytes: counted("starlane_region_link_bytes_total", "direction=\"out\""),
    };
    breakdown.region_link_queued_peak =
        sample(&region_after, "starlane_region_link_queued_bytes_peak", "") as u64;
    breakdown.process_cpu_secs = cpu_after.zip(cpu_before).map(|(a, b)| a - b);
    breakdown.clients_cpu_secs = clients_after.zip(clients_before).map(|(a, b)| a - b);
    breakdown.region_cpu_secs = region_cpu_after.zip(region_cpu_before).map(|(a, b)| a - b);
    breakdown.wall_secs = wall_secs;

    tx.send_replace(Phase::End);
    let records = collect(handles).await;
    clients_rt.shutdown_background();
    servers.stop().await?;
    let retries = [0, 1].map(|i| live[i].retries.load(Ordering::Relaxed));
    let (before, storm_fig) = PhaseFigures::both(&records, retries);
    let met_target = storm_fig
        .time_to_all_secs
        .is_some_and(|t| t < storm.target_secs);
    let result = StormResult {
        clients: storm.clients,
        edges: storm.edges,
        before,
        storm: storm_fig,
        breakdown,
        target_secs: storm.target_secs,
        met_target,
    };
    let measured = Measured {
        planned: n as u64,
        processes: vec![
            (
                "runner (region + edges + clients)".into(),
                result.breakdown.process_cpu_secs,
                Proc::SelfProcess.peak_rss_kib(),
            ),
            (
                format!("of which the clients' threads ({CLIENT_THREADS})"),
                result.breakdown.clients_cpu_secs,
                None,
            ),
            (
                "of which the region's threads".into(),
                result.breakdown.region_cpu_secs,
                None,
            ),
        ],
        notes: vec![
            format!(
                "storm: {n} clients connected at {}/s ({} playing {initial_secs:.1} s after \
                 the first), then all {} edges restarted and every client reconnected at once \
                 (handshake, hello with its token verified in full, region join)",
                storm.connect_per_sec, initial_playing, storm.edges
            ),
            "storm: region, edges and clients share this process and its cores; the clients \
             and the region run on runtimes of their own, and their CPU is that of their \
             threads, the edges' the rest; the edges' and region's figures come from their \
             own metrics"
                .into(),
        ],
        ..Measured::default()
    };
    Ok((measured, result))
}

/// Wait until every client of `c` played or gave up, or `deadline`.
async fn wait_all(c: &Counters, n: usize, deadline: Instant, progress: &Progress, what: &str) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut said = Instant::now();
    while Instant::now() < deadline {
        tick.tick().await;
        let (p, f) = (
            c.playing.load(Ordering::Relaxed),
            c.failed.load(Ordering::Relaxed),
        );
        if p + f >= n as u64 {
            return;
        }
        if said.elapsed() >= Duration::from_secs(1) {
            said = Instant::now();
            progress.say(format!("{what}: {p}/{n} playing, {f} failed"));
        }
    }
}

/// The edges' own counters, summed (they began with the restart, so cover the storm alone).
fn edge_breakdown(servers: &StormServers) -> Breakdown {
    let mut b = Breakdown::default();
    for e in servers.edges() {
        let m = e.metrics();
        let add = |t: &mut Timed, count: u64, secs: f64| {
            *t = Timed::new(t.count + count, t.total_secs + secs);
        };
        let v = &m.phases.jwt_verify;
        add(&mut b.jwt_verify, v.get_sample_count(), v.get_sample_sum());
        let j = &m.phases.region_join;
        add(&mut b.region_join, j.get_sample_count(), j.get_sample_sum());
        // The UDP counters are copied from the driver once a second: read the driver itself.
        let (packets, time) = e.udp_handshake_time();
        add(&mut b.handshake, packets, time.as_secs_f64());
    }
    b
}

/// Wait for the clients to stop; a client that does not is counted as failed.
async fn collect(handles: Vec<tokio::task::JoinHandle<ClientRecord>>) -> Vec<ClientRecord> {
    let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        match tokio::time::timeout_at(deadline, h).await {
            Ok(Ok(r)) => out.push(r),
            _ => out.push(ClientRecord::default()),
        }
    }
    out
}

/// The text of `GET /metrics` at `addr`.
async fn scrape(addr: SocketAddr) -> anyhow::Result<String> {
    let fetch = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .await?;
        let mut body = Vec::new();
        s.read_to_end(&mut body).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&body).into_owned())
    };
    Ok(tokio::time::timeout(Duration::from_secs(10), fetch).await??)
}
