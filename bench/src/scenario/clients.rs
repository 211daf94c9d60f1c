//! The scenario's clients: native UDP, WebTransport or WebSocket sessions running a bot,
//! pinging, and measuring their own traffic per 1 s window, round-trip times and staleness.

use crate::scenario::config::Behaviour;
use crate::scenario::staleness::{RelationHistograms, StalenessTracker, staleness_histogram};
use crate::scenario::stats::Histogram;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;
use starlane_client::{Client, ClientEvent, ConnectInfo};
use starlane_protocol::{EntityId, EntityState, Update};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long a client may take to connect and be welcomed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How often a client compares what it sees to the truth (one tick at 20 Hz): the resolution
/// of the staleness figures.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Where a client connects.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// Encrypted UDP.
    Udp(ConnectInfo),
    /// WebTransport at `url`, pinning `cert_hash`.
    WebTransport { url: String, cert_hash: [u8; 32] },
    /// The WebSocket fallback at `url` (`ws://`).
    WebSocket { url: String },
}

impl Endpoint {
    /// "udp", "webtransport" or "websocket".
    pub fn kind(&self) -> &'static str {
        match self {
            Endpoint::Udp(_) => "udp",
            Endpoint::WebTransport { .. } => "webtransport",
            Endpoint::WebSocket { .. } => "websocket",
        }
    }
}

/// The server's truth at one tick, shared with every client.
pub type TruthSnap = Arc<starlane_game::Truth>;

/// The run's time line.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Measuring starts (end of the warm-up).
    pub measure_from: Instant,
    /// Bots stop ordering (the convergence period begins).
    pub stop_commands_at: Instant,
    /// Clients stop.
    pub end: Instant,
}

/// Counters every client updates, for the progress bar.
#[derive(Debug, Default)]
pub struct Live {
    /// Clients welcomed.
    pub connected: AtomicU64,
    /// Clients that failed to connect or were closed.
    pub failed: AtomicU64,
    /// Bytes received by all clients.
    pub bytes_down: AtomicU64,
}

/// What one client is told to do.
#[derive(Debug, Clone)]
pub struct ClientPlan {
    /// Index among the run's clients.
    pub index: usize,
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Its token.
    pub token: String,
    /// Bot behaviour.
    pub behaviour: Behaviour,
    /// Pings per second.
    pub ping_rate: u32,
    /// Keep every update (for the baseline comparison).
    pub record: bool,
    /// The bandwidth profile's health quantization step (staleness compares in its steps).
    pub health_step: u16,
}

/// One client's traffic in one 1 s window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Window {
    /// End of the window, seconds after measuring began.
    pub t: f64,
    /// Bytes received.
    pub down_bytes: u64,
    /// Bytes sent.
    pub up_bytes: u64,
    /// Packets received.
    pub down_packets: u64,
    /// Packets sent.
    pub up_packets: u64,
}

/// What one client measured.
#[derive(Debug)]
pub struct ClientOutcome {
    /// "udp", "webtransport" or "websocket".
    pub transport: &'static str,
    /// Traffic windows after the warm-up.
    pub windows: Vec<Window>,
    /// Round-trip times (ms) after the warm-up.
    pub rtt_ms: Histogram,
    /// Pongs received after the warm-up.
    pub pongs: u64,
    /// Staleness ages (ms) after the warm-up.
    pub staleness_ms: Histogram,
    /// The same by relation to the client's empire.
    pub staleness_by_relation: RelationHistograms,
    /// What it saw at the end.
    pub final_seen: BTreeMap<EntityId, EntityState>,
    /// Its empire.
    pub empire: starlane_protocol::EmpireId,
    /// Recorded updates (if asked).
    pub recorded: Vec<Update>,
    /// Bytes of the delta-sync datagrams received while recording.
    pub recorded_wire_bytes: u64,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl ClientOutcome {
    fn new(transport: &'static str) -> Self {
        Self {
            transport,
            windows: Vec::new(),
            rtt_ms: Histogram::new(0.1, 10_000),
            pongs: 0,
            staleness_ms: staleness_histogram(),
            staleness_by_relation: RelationHistograms::default(),
            final_seen: BTreeMap::new(),
            empire: 0,
            recorded: Vec::new(),
            recorded_wire_bytes: 0,
            error: None,
        }
    }
}

async fn connect(endpoint: &Endpoint, token: &str) -> Result<Client, String> {
    let fut = async {
        match endpoint {
            Endpoint::Udp(info) => Client::connect(info, token).await,
            Endpoint::WebTransport { url, cert_hash } => {
                Client::connect_webtransport(url, *cert_hash, token).await
            }
            Endpoint::WebSocket { url } => {
                // Only the WebSocket URL is used; the UDP fields are never dialled.
                let unused = std::net::SocketAddr::from(([127, 0, 0, 1], 9));
                let mut info = ConnectInfo::udp_only(unused, [0; 32]);
                info.websocket_url = Some(url.clone());
                Client::connect_via(&info, starlane_client::Transport::WebSocket, token).await
            }
        }
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, fut).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!("not welcomed within {CONNECT_TIMEOUT:?}")),
    }
}

/// Run one client until `clock.end`.
pub async fn run_client(
    plan: ClientPlan,
    clock: Clock,
    truth: watch::Receiver<Option<TruthSnap>>,
    live: Arc<Live>,
) -> ClientOutcome {
    let mut out = ClientOutcome::new(plan.endpoint.kind());
    let mut client = match connect(&plan.endpoint, &plan.token).await {
        Ok(c) => c,
        Err(e) => {
            live.failed.fetch_add(1, Ordering::Relaxed);
            out.error = Some(e);
            return out;
        }
    };
    live.connected.fetch_add(1, Ordering::Relaxed);
    if plan.record {
        client.record_updates();
    }
    drive(&mut client, &plan, clock, truth, &live, &mut out).await;
    out.final_seen = std::mem::take(&mut client.world.entities);
    out.empire = client.empire;
    out.recorded = client.take_recorded();
    out.recorded_wire_bytes = client.recorded_wire_bytes();
    client.close();
    out
}

/// Ping period and pings per period for `rate` pings per second.
fn ping_schedule(rate: u32) -> (Duration, u32) {
    if rate <= 100 {
        (Duration::from_secs_f64(1.0 / f64::from(rate.max(1))), 1)
    } else {
        (Duration::from_millis(10), rate.div_ceil(100))
    }
}

async fn drive(
    client: &mut Client,
    plan: &ClientPlan,
    clock: Clock,
    mut truth: watch::Receiver<Option<TruthSnap>>,
    live: &Live,
    out: &mut ClientOutcome,
) {
    // A sample is due but the client already holds a later tick than the truth the monitor
    // has published (it polls every 10 ms): wait for the truth to catch up rather than skip
    // the sample, or a fast client (one client, a light load) would be sampled only when the
    // monitor happens to be ahead.
    let mut sample_due = false;
    let mut rng = StdRng::seed_from_u64(plan.index as u64 ^ 0xb07);
    let (ping_period, per_ping) = ping_schedule(plan.ping_rate);
    let mut ping = tokio::time::interval(ping_period);
    let mut order = tokio::time::interval(Duration::from_millis(rng.random_range(1500..4000)));
    let mut sample = tokio::time::interval(SAMPLE_EVERY);
    let mut window = tokio::time::interval(Duration::from_secs(1));
    let mut tracker = StalenessTracker::with_health_step(plan.health_step);
    let mut last = counters(client);
    let end = tokio::time::Instant::from_std(clock.end);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => break,
            _ = ping.tick(), if plan.ping_rate > 0 => {
                for _ in 0..per_ping {
                    client.ping();
                }
            }
            _ = order.tick(), if plan.behaviour == Behaviour::Wander => {
                if Instant::now() < clock.stop_commands_at {
                    starlane_client::bots::wander(client, &mut rng);
                }
            }
            _ = sample.tick() => {
                sample_due = Instant::now() >= clock.measure_from;
            }
            changed = truth.changed(), if sample_due => {
                if changed.is_err() {
                    sample_due = false;
                }
            }
            _ = window.tick() => {
                let now_counters = counters(client);
                let start = Instant::now().checked_sub(Duration::from_secs(1));
                if start.is_some_and(|s| s >= clock.measure_from) {
                    out.windows.push(delta(last, now_counters, clock.measure_from));
                }
                live.bytes_down.fetch_add(now_counters[0] - last[0], Ordering::Relaxed);
                last = now_counters;
            }
            ev = client.next_event() => match ev {
                Some(ClientEvent::Rtt(rtt)) => {
                    if Instant::now() >= clock.measure_from {
                        out.rtt_ms.record(rtt.as_secs_f64() * 1000.0);
                        out.pongs += 1;
                    }
                }
                Some(ClientEvent::Closed(why)) => {
                    live.failed.fetch_add(1, Ordering::Relaxed);
                    out.error = Some(format!("closed: {why}"));
                    break;
                }
                None => break,
                Some(_) => {}
            },
        }
        if sample_due
            && let Some(t) = truth.borrow().as_ref()
            && client.world.tick <= t.tick
        {
            let ages = (&mut out.staleness_ms, &mut out.staleness_by_relation);
            tracker.sample(
                t.at,
                &t.entities,
                &client.world.entities,
                client.empire,
                ages,
            );
            sample_due = false;
        }
    }
}

/// bytes in, bytes out, packets in, packets out.
fn counters(client: &Client) -> [u64; 4] {
    let s = client.stats();
    [
        s.bytes_in.load(Ordering::Relaxed),
        s.bytes_out.load(Ordering::Relaxed),
        s.packets_in.load(Ordering::Relaxed),
        s.packets_out.load(Ordering::Relaxed),
    ]
}

fn delta(before: [u64; 4], after: [u64; 4], measure_from: Instant) -> Window {
    Window {
        t: Instant::now()
            .saturating_duration_since(measure_from)
            .as_secs_f64(),
        down_bytes: after[0].saturating_sub(before[0]),
        up_bytes: after[1].saturating_sub(before[1]),
        down_packets: after[2].saturating_sub(before[2]),
        up_packets: after[3].saturating_sub(before[3]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_schedule_batches_high_rates() {
        assert_eq!(ping_schedule(4), (Duration::from_millis(250), 1));
        assert_eq!(ping_schedule(1000), (Duration::from_millis(10), 10));
    }
}
