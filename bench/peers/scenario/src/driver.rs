//! The replay driver: one thread runs a stack's server, replaying the script's ticks at the
//! script's rate; the calling thread runs the relay and the stack's clients, follows the
//! server's truth, and measures. The two share nothing but UDP on loopback and two counters.

use crate::alloc;
use crate::cpu::{named_threads_cpu_secs, thread_cpu_secs};
use crate::relay::{Impair, Relay};
use crate::script::{Id, Script, Tick};
use crate::stats::{Histogram, Summary};
use crate::truth::Truth;
use anyhow::{Context, bail};
use rustc_hash::FxHashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A stack's server, driven from its own thread.
pub trait ServerStack {
    /// Receive and handle what arrived (connections, acknowledgements, keep-alives).
    fn poll(&mut self);
    /// Clients ready for replication.
    fn ready(&self) -> usize;
    /// Apply one tick of the script (states, then view changes) and send.
    fn tick(&mut self, tick: &Tick);
    /// How long the server loop sleeps between polls while waiting for its next tick (its
    /// documented loop's; 1 ms unless the stack says otherwise).
    fn idle(&self) -> Duration {
        Duration::from_millis(1)
    }
}

/// A stack's client.
pub trait ClientStack {
    /// Receive, apply, and send what the stack sends (acknowledgements, keep-alives).
    fn poll(&mut self);
    /// Connected (and, where the stack has the notion, authorized).
    fn connected(&self) -> bool;
    /// Every entity the client holds: id, q, r, health.
    fn for_each(&mut self, f: &mut dyn FnMut(Id, i32, i32, u16));
}

/// Where each client's datagrams go: the address the client dials (its relay's front) and
/// the address the server sees them from (its relay's back), in client order.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    pub dialed: Vec<SocketAddr>,
    pub seen: Vec<SocketAddr>,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Clients (sessions of the script, from 0).
    pub clients: usize,
    pub impair: Impair,
    /// How long clients may take to connect.
    pub connect_timeout: Duration,
    /// How often each client's view is compared with the truth.
    pub sample_every: Duration,
    /// Each client's frame: it receives, applies and sends once per frame, as a game client
    /// does at its frame rate.
    pub client_frame: Duration,
    /// Health is compared in steps of this (1: exactly), for a stack that sends health
    /// quantized: a client holding `health / step * step` of the truth's is up to date.
    pub health_step: u16,
    /// Names (prefixes) of threads the stack's server starts of its own: their CPU and heap
    /// count as the server's, with the server thread's.
    pub server_threads: Vec<&'static str>,
}

/// What the driver measured (the runner adds its stack's name and configuration).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measured {
    pub clients: usize,
    pub ticks: usize,
    /// Seconds measured (after the script's warm-up).
    pub measured_secs: f64,
    /// Per client per 1 s window: datagrams and UDP payload bytes the server sent it, and
    /// bytes it sent the server.
    pub down_bytes: Option<Summary>,
    pub down_packets: Option<Summary>,
    pub up_bytes: Option<Summary>,
    /// Server thread CPU, milliseconds per client per second.
    pub server_cpu_ms_per_client_s: Option<f64>,
    /// The client thread's CPU over the measured seconds, milliseconds per client per second:
    /// every client's stack, stepped at its frame rate, with the relay and the sampling the
    /// harness does alike for every stack.
    pub client_cpu_ms_per_client_s: Option<f64>,
    /// Server thread heap before any client, at the end, and the largest, in bytes; and
    /// (end - before) / clients.
    pub server_heap_before: i64,
    pub server_heap_end: i64,
    pub server_heap_peak: i64,
    pub server_heap_per_client: f64,
    /// Age of client-held state against the server's truth (ms), sampled every
    /// `sample_every` for every entity each client holds.
    pub staleness_ms: Option<Summary>,
    /// Mean share of the ids in a session's view (per the script) that its client held.
    pub coverage: f64,
    /// Mean ids in a session's view.
    pub mean_view: f64,
    /// Server ticks that started more than one tick interval late.
    pub late_ticks: usize,
    /// Clients whose stack panicked (they are stepped no more, and measured no more: traffic,
    /// staleness and coverage), and the first panic's message.
    pub clients_crashed: usize,
    pub first_crash: Option<String>,
    pub connect_secs: f64,
}

#[derive(Default)]
struct Shared {
    ready: AtomicUsize,
    go: Mutex<Option<Instant>>,
    applied: AtomicUsize,
    done: AtomicBool,
    measure_from: Mutex<Option<(f64, i64)>>,
    result: Mutex<Option<ServerFigures>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct ServerFigures {
    cpu_secs: Option<f64>,
    heap_before: i64,
    heap_end: i64,
    heap_peak: i64,
    late: usize,
}

/// Replay `script` on a stack: `make_server` gets the bound server socket and each client's
/// [`Routes`]; `make_client` gets the client's index and the address to send to.
pub fn run<S, C>(
    script: Arc<Script>,
    opts: &Options,
    make_server: impl FnOnce(UdpSocket, Routes) -> anyhow::Result<S> + Send + 'static,
    mut make_client: impl FnMut(usize, SocketAddr) -> anyhow::Result<C>,
) -> anyhow::Result<Measured>
where
    S: ServerStack,
    C: ClientStack,
{
    let n = opts.clients;
    if n > script.header.sessions as usize {
        bail!(
            "{n} clients, but the script has {} sessions",
            script.header.sessions
        );
    }
    let socket = UdpSocket::bind("127.0.0.1:0").context("bind the server socket")?;
    socket.set_nonblocking(true)?;
    let mut relay = Relay::new(socket.local_addr()?, n, opts.impair)?;
    let routes = Routes {
        dialed: (0..n).map(|i| relay.front(i)).collect::<Result<_, _>>()?,
        seen: (0..n).map(|i| relay.back(i)).collect::<Result<_, _>>()?,
    };
    let shared = Arc::new(Shared::default());
    let server = {
        let (shared, script) = (shared.clone(), script.clone());
        let threads = opts.server_threads.clone();
        std::thread::Builder::new()
            .name("peer-server".into())
            .spawn(move || serve(socket, routes, make_server, &script, &shared, &threads))?
    };
    let mut fleet = Fleet {
        clients: Vec::with_capacity(n),
        crashed: vec![None; n],
    };
    for i in 0..n {
        fleet.clients.push(make_client(i, relay.front(i)?)?);
    }
    let connect_start = Instant::now();
    let result = (|| -> anyhow::Result<Measured> {
        connect(&mut relay, &mut fleet, &shared, opts.connect_timeout)?;
        let connect_secs = connect_start.elapsed().as_secs_f64();
        let start = Instant::now() + Duration::from_millis(20);
        if let Ok(mut go) = shared.go.lock() {
            *go = Some(start);
        }
        let mut m = follow(&script, opts, &mut relay, &mut fleet, &shared, start)?;
        m.connect_secs = connect_secs;
        Ok(m)
    })();
    shared.done.store(true, Ordering::Relaxed);
    if let Ok(mut go) = shared.go.lock() {
        go.get_or_insert_with(Instant::now);
    }
    let served = server
        .join()
        .map_err(|_| anyhow::anyhow!("the server thread panicked"))?;
    let mut m: Measured = result?;
    served?;
    let fig = shared
        .result
        .lock()
        .ok()
        .and_then(|r| *r)
        .context("the server thread left no figures")?;
    let measure_from = shared.measure_from.lock().ok().and_then(|r| *r);
    m.server_cpu_ms_per_client_s = fig
        .cpu_secs
        .zip(measure_from.map(|(cpu, _)| cpu))
        .map(|(b, a)| (b - a) * 1000.0 / (n as f64 * m.measured_secs.max(1e-9)));
    m.server_heap_before = fig.heap_before;
    m.server_heap_end = fig.heap_end;
    m.server_heap_peak = fig.heap_peak;
    m.server_heap_per_client = (fig.heap_end - fig.heap_before) as f64 / n.max(1) as f64;
    m.late_ticks = fig.late;
    Ok(m)
}

/// The server thread: build, wait for clients, replay every tick on time.
fn serve<S: ServerStack>(
    socket: UdpSocket,
    routes: Routes,
    make: impl FnOnce(UdpSocket, Routes) -> anyhow::Result<S>,
    script: &Script,
    shared: &Shared,
    threads: &[&'static str],
) -> anyhow::Result<()> {
    alloc::track_this_thread();
    alloc::track_threads_named(threads);
    let cpu = || thread_cpu_secs().map(|own| own + named_threads_cpu_secs(threads));
    let mut fig = ServerFigures {
        heap_before: alloc::live(),
        ..ServerFigures::default()
    };
    let mut server = make(socket, routes)?;
    let start = loop {
        server.poll();
        shared.ready.store(server.ready(), Ordering::Relaxed);
        if let Some(at) = shared.go.lock().ok().and_then(|g| *g) {
            break at;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let interval = script.tick_interval();
    let warmup = Duration::from_secs(script.header.warmup_secs);
    let mut marked = false;
    for (k, tick) in script.ticks.iter().enumerate() {
        let due = start + interval * k as u32;
        loop {
            if shared.done.load(Ordering::Relaxed) {
                break;
            }
            server.poll();
            let now = Instant::now();
            if now >= due {
                if now > due + interval {
                    fig.late += 1;
                }
                break;
            }
            std::thread::sleep((due - now).min(server.idle()));
        }
        if shared.done.load(Ordering::Relaxed) {
            break;
        }
        if !marked && due >= start + warmup {
            marked = true;
            alloc::reset_peak();
            if let Ok(mut m) = shared.measure_from.lock() {
                *m = Some((cpu().unwrap_or(0.0), alloc::live()));
            }
        }
        server.tick(tick);
        shared.applied.store(k + 1, Ordering::Release);
    }
    // One more interval for the last tick's packets, then the figures.
    let end = Instant::now() + interval;
    while Instant::now() < end && !shared.done.load(Ordering::Relaxed) {
        server.poll();
        std::thread::sleep(Duration::from_millis(1));
    }
    fig.cpu_secs = cpu();
    fig.heap_end = alloc::live();
    fig.heap_peak = alloc::peak();
    if let Ok(mut r) = shared.result.lock() {
        *r = Some(fig);
    }
    drop(server);
    Ok(())
}

/// The clients, and which of them panicked (with the panic's message).
struct Fleet<C> {
    clients: Vec<C>,
    crashed: Vec<Option<String>>,
}

impl<C: ClientStack> Fleet<C> {
    /// Step every live client; a client whose stack panics is marked and left alone.
    fn poll(&mut self) {
        for (c, crashed) in self.clients.iter_mut().zip(&mut self.crashed) {
            if crashed.is_some() {
                continue;
            }
            let stepped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.poll()));
            if let Err(payload) = stepped {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into());
                *crashed = Some(msg);
            }
        }
    }
}

/// Step the relay and clients until every client is connected and the server has them all.
fn connect<C: ClientStack>(
    relay: &mut Relay,
    fleet: &mut Fleet<C>,
    shared: &Shared,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let n = fleet.clients.len();
    loop {
        relay.poll(Instant::now());
        fleet.poll();
        relay.poll(Instant::now());
        if let Some(why) = fleet.crashed.iter().flatten().next() {
            bail!("a client panicked while connecting: {why}");
        }
        let up = fleet.clients.iter().filter(|c| c.connected()).count();
        let ready = shared.ready.load(Ordering::Relaxed);
        if up == n && ready >= n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{up} of {n} clients connected and {ready} ready at the server after {timeout:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Follow the server's replay: step the clients, keep the truth up to the server's applied
/// tick, sample staleness and the relay's counts.
fn follow<C: ClientStack>(
    script: &Script,
    opts: &Options,
    relay: &mut Relay,
    fleet: &mut Fleet<C>,
    shared: &Shared,
    start: Instant,
) -> anyhow::Result<Measured> {
    let n = fleet.clients.len();
    let interval = script.tick_interval();
    let measure_from = start + Duration::from_secs(script.header.warmup_secs);
    let end = start + interval * script.ticks.len() as u32 + interval;
    let mut truth = Truth::new(n);
    let mut applied = 0usize;
    let mut last_equal: Vec<FxHashMap<Id, Instant>> = vec![FxHashMap::default(); n];
    let mut ages = Histogram::default();
    let (mut coverage_sum, mut coverage_n, mut view_sum, mut view_n) = (0.0, 0u64, 0.0, 0u64);
    let mut windows: [Vec<f64>; 3] = Default::default();
    let mut last_counts: Vec<_> = (0..n).map(|i| relay.counts(i)).collect();
    let mut next_window = measure_from + Duration::from_secs(1);
    let mut next_sample = measure_from;
    let mut next_frame = Instant::now();
    let mut held: FxHashMap<Id, (i32, i32, u16)> = FxHashMap::default();
    let step = opts.health_step.max(1);
    let mut cpu_from = None;
    let cpu_to;
    loop {
        let now = Instant::now();
        relay.poll(now);
        if now >= next_frame {
            next_frame += opts.client_frame;
            fleet.poll();
            relay.poll(Instant::now());
        }
        let server_at = shared.applied.load(Ordering::Acquire);
        // The truth changes when the driver sees the server has applied the tick.
        let seen_at = Instant::now();
        while applied < server_at.min(script.ticks.len()) {
            truth.apply_at(&script.ticks[applied], seen_at);
            applied += 1;
        }
        let now = Instant::now();
        if now >= next_window {
            if now >= measure_from + Duration::from_secs(1) && next_window <= end {
                for (i, last) in last_counts.iter_mut().enumerate() {
                    let c = relay.counts(i);
                    // A client that panicked is measured no more: what reaches its socket
                    // then is the server's reaction to a peer that stopped answering.
                    if fleet.crashed[i].is_some() {
                        *last = c;
                        continue;
                    }
                    windows[0].push((c.down_bytes - last.down_bytes) as f64);
                    windows[1].push((c.down_packets - last.down_packets) as f64);
                    windows[2].push((c.up_bytes - last.up_bytes) as f64);
                    *last = c;
                }
            } else {
                last_counts = (0..n).map(|i| relay.counts(i)).collect();
            }
            next_window += Duration::from_secs(1);
        }
        if now >= measure_from && cpu_from.is_none() {
            cpu_from = thread_cpu_secs();
        }
        if now >= next_sample && now >= measure_from && now < end {
            next_sample += opts.sample_every;
            view_sum += truth.mean_view();
            view_n += 1;
            let live = fleet.clients.iter_mut().zip(&fleet.crashed).enumerate();
            for (i, c) in live.filter_map(|(i, (c, crashed))| crashed.is_none().then_some((i, c))) {
                held.clear();
                c.for_each(&mut |id, q, r, h| {
                    held.insert(id, (q, r, h));
                });
                let view = &truth.views[i];
                if !view.is_empty() {
                    let have = view.iter().filter(|id| held.contains_key(id)).count();
                    coverage_sum += have as f64 / view.len() as f64;
                    coverage_n += 1;
                }
                let le = &mut last_equal[i];
                le.retain(|id, _| held.contains_key(id));
                for (id, held) in &held {
                    if !truth.states.contains_key(id) {
                        continue;
                    }
                    match truth.age_ms(*id, *held, step, now) {
                        Some(age) => {
                            if age == 0.0 {
                                le.insert(*id, now);
                            }
                            ages.record(age);
                        }
                        // A value the truth has not held within its history: as old as the
                        // time since this client last held what the truth held.
                        None => {
                            let since = *le.entry(*id).or_insert(now);
                            ages.record(
                                now.saturating_duration_since(since).as_secs_f64() * 1000.0,
                            );
                        }
                    }
                }
            }
        }
        if now >= end || shared.done.load(Ordering::Relaxed) {
            cpu_to = thread_cpu_secs();
            break;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let measured_secs = (end - measure_from).as_secs_f64();
    Ok(Measured {
        clients: n,
        ticks: script.ticks.len(),
        measured_secs,
        down_bytes: Summary::of(&windows[0]),
        down_packets: Summary::of(&windows[1]),
        up_bytes: Summary::of(&windows[2]),
        server_cpu_ms_per_client_s: None,
        client_cpu_ms_per_client_s: cpu_from
            .zip(cpu_to)
            .map(|(a, b)| (b - a) * 1000.0 / (n.max(1) as f64 * measured_secs.max(1e-9))),
        server_heap_before: 0,
        server_heap_end: 0,
        server_heap_peak: 0,
        server_heap_per_client: 0.0,
        staleness_ms: ages.summary(),
        coverage: if coverage_n == 0 {
            0.0
        } else {
            coverage_sum / coverage_n as f64
        },
        mean_view: view_sum / view_n.max(1) as f64,
        late_ticks: 0,
        clients_crashed: fleet.crashed.iter().flatten().count(),
        first_crash: fleet.crashed.iter().flatten().next().cloned(),
        connect_secs: 0.0,
    })
}
