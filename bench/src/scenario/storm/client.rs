//! A storm client: one encrypted-UDP session driven directly on netcore's sans-IO
//! [`Endpoint`] from a tokio task (no thread per client, unlike `starlane_client::Client`),
//! so that thousands of them fit on a small machine. It does what a native client does to
//! start playing: the cookie and Noise handshake, a `Hello` with its token, the `Welcome`,
//! then delta packets, each assembled and acknowledged. "Playing" is the first assembled
//! packet after the welcome. A failed attempt is retried after a short pause until the
//! phase's deadline.

use crate::scenario::storm::servers::Target;
use starlane_client::assembler::UpdateAssembler;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::proto::handshake::HandshakeTiming;
use starlane_protocol::PROTOCOL_VERSION;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::watch;

/// How long one attempt's handshake may take before it is retried.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one attempt may wait for its first update. Longer than the native client's 10 s
/// welcome timeout on purpose: a client that gives up and reconnects leaves its join queued
/// at the region, so the figures would measure a retry cascade rather than the servers.
const PLAY_TIMEOUT: Duration = Duration::from_secs(60);
/// A session silent this long is closed (the native client's link idle timeout).
const IDLE_TIMEOUT: Duration = starlane_client::LINK_IDLE_TIMEOUT;
/// Pause before the first retry of a failed attempt; it doubles with each retry up to
/// [`MAX_RETRY_PAUSE`] (as the native client backs off), plus up to as much again, at random.
const RETRY_PAUSE: Duration = Duration::from_millis(200);
/// Longest pause between attempts.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);

/// What the run asks of every client.
#[derive(Debug, Clone)]
pub enum Phase {
    /// Connect to the first target and play, giving up at the deadline.
    Connect { give_up: Instant },
    /// Drop the session silently (the edges are being restarted).
    Drop,
    /// Connect again, from `t0`, to `targets[index % len]`.
    Storm {
        t0: Instant,
        give_up: Instant,
        targets: Arc<Vec<Target>>,
    },
    /// Stop.
    End,
}

/// Counters of one phase, shared by every client.
#[derive(Debug, Default)]
pub struct Counters {
    /// Clients playing.
    pub playing: AtomicU64,
    /// Clients that gave up.
    pub failed: AtomicU64,
    /// Attempts retried.
    pub retries: AtomicU64,
}

/// When one client got where, in seconds since its phase began.
#[derive(Debug, Clone, Copy, Default)]
pub struct Times {
    /// Handshake done (of the attempt that played).
    pub connected: Option<f64>,
    /// Welcome received.
    pub welcomed: Option<f64>,
    /// First update assembled.
    pub playing: Option<f64>,
    /// When the attempt that played began.
    pub attempt_began: f64,
    /// Attempts made.
    pub attempts: u32,
}

/// One phase of one client.
#[derive(Debug, Clone, Default)]
pub struct PhaseRecord {
    /// Its times.
    pub times: Times,
    /// The last error, if it never played or lost its session.
    pub error: Option<String>,
}

/// What one client lived through.
#[derive(Debug, Clone, Default)]
pub struct ClientRecord {
    /// Before the storm.
    pub initial: PhaseRecord,
    /// The storm.
    pub storm: PhaseRecord,
}

/// Run one client through the phases; `live` holds the (before, storm) counters.
pub async fn run_client(
    index: usize,
    token: String,
    first: Target,
    mut phase: watch::Receiver<Phase>,
    live: Arc<[Counters; 2]>,
) -> ClientRecord {
    let mut rec = ClientRecord::default();
    let start = Instant::now();
    let give_up = match &*phase.borrow_and_update() {
        Phase::Connect { give_up } => *give_up,
        _ => return rec,
    };
    let not_connect = |p: &Phase| !matches!(p, Phase::Connect { .. });
    rec.initial = session(
        first,
        &token,
        start,
        give_up,
        &mut phase,
        not_connect,
        &live[0],
    )
    .await;
    let storm = loop {
        let now = phase.borrow_and_update().clone();
        match now {
            Phase::Storm {
                t0,
                give_up,
                targets,
            } => {
                break targets
                    .get(index % targets.len().max(1))
                    .map(|t| (t0, give_up, *t));
            }
            Phase::End => break None,
            _ => {}
        }
        if phase.changed().await.is_err() {
            break None;
        }
    };
    let Some((t0, give_up, target)) = storm else {
        return rec;
    };
    let is_end = |p: &Phase| matches!(p, Phase::End);
    rec.storm = session(target, &token, t0, give_up, &mut phase, is_end, &live[1]).await;
    rec
}

/// Attempt until playing (then hold the session) or `give_up`; return when `stop` holds.
async fn session(
    target: Target,
    token: &str,
    t0: Instant,
    give_up: Instant,
    phase: &mut watch::Receiver<Phase>,
    stop: impl Fn(&Phase) -> bool + Copy,
    live: &Counters,
) -> PhaseRecord {
    let mut rec = PhaseRecord::default();
    loop {
        rec.times.attempts += 1;
        if rec.times.attempts > 1 {
            live.retries.fetch_add(1, Ordering::Relaxed);
        }
        let mut times = Times {
            attempt_began: t0.elapsed().as_secs_f64(),
            ..Times::default()
        };
        let outcome = attempt(target, token, t0, give_up, phase, stop, &mut times, live).await;
        let attempts = rec.times.attempts;
        rec.times = Times { attempts, ..times };
        match outcome {
            Ok(()) => return rec,
            // Closed because the phase ended (the edges stopping): not a failure.
            Err(_) if stop(&phase.borrow()) => return rec,
            Err(e) => rec.error = Some(e),
        }
        if rec.times.playing.is_some() {
            // Lost after playing: wait for the phase to end without reconnecting.
            wait_for(phase, stop).await;
            return rec;
        }
        let doublings = rec.times.attempts.saturating_sub(1).min(8);
        let backoff = (RETRY_PAUSE * (1u32 << doublings)).min(MAX_RETRY_PAUSE);
        let pause = backoff.mul_f64(1.0 + rand::random::<f64>());
        if Instant::now() + pause >= give_up {
            live.failed.fetch_add(1, Ordering::Relaxed);
            wait_for(phase, stop).await;
            return rec;
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = wait_for(phase, stop) => return rec,
        }
    }
}

async fn wait_for(phase: &mut watch::Receiver<Phase>, stop: impl Fn(&Phase) -> bool) {
    while !stop(&phase.borrow_and_update()) {
        if phase.changed().await.is_err() {
            return;
        }
    }
}

fn endpoint_config() -> EndpointConfig {
    let mut cfg = EndpointConfig {
        handshake: HandshakeTiming {
            timeout: HANDSHAKE_TIMEOUT,
            ..HandshakeTiming::default()
        },
        ..EndpointConfig::default()
    };
    cfg.conn.idle_timeout = IDLE_TIMEOUT;
    cfg.conn.max_message = starlane_netcore::udp::CLIENT_MAX_MESSAGE;
    cfg
}

/// One connection: Ok when `stop` holds (playing or not), Err when it failed.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    target: Target,
    token: &str,
    t0: Instant,
    give_up: Instant,
    phase: &mut watch::Receiver<Phase>,
    stop: impl Fn(&Phase) -> bool + Copy,
    times: &mut Times,
    live: &Counters,
) -> Result<(), String> {
    if stop(&phase.borrow()) {
        return Ok(());
    }
    let sock = UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let began = Instant::now();
    let mut ep = Endpoint::client(began, target.addr, target.key, endpoint_config())
        .map_err(|e| format!("handshake: {e:?}"))?;
    let mut assembler = UpdateAssembler::new();
    // An update can overtake the welcome (a datagram beside the reliable stream): the client
    // plays from the welcome then.
    let mut updated = false;
    let hello = ClientMsg::Hello {
        version: PROTOCOL_VERSION,
        token: token.to_string(),
    }
    .encode();
    let mut buf = vec![0u8; 2048];
    loop {
        let now = Instant::now();
        while let Some(ev) = ep.poll_event() {
            match ev {
                EndpointEvent::Connected { peer, .. } => {
                    times.connected = Some(t0.elapsed().as_secs_f64());
                    ep.send_reliable(now, peer, &hello)
                        .map_err(|e| format!("hello: {e:?}"))?;
                }
                EndpointEvent::Message { bytes, .. } => match ServerMsg::decode(&bytes) {
                    Ok(ServerMsg::Welcome { .. }) => {
                        let at = t0.elapsed().as_secs_f64();
                        times.welcomed = Some(at);
                        if updated && times.playing.is_none() {
                            times.playing = Some(at);
                            live.playing.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(ServerMsg::Reject { reason }) => {
                        return Err(format!("rejected: {reason:?}"));
                    }
                    _ => {}
                },
                EndpointEvent::Datagram { peer, bytes } => {
                    let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&bytes) else {
                        continue;
                    };
                    updated |= assembler.handle_packet(&p).is_some();
                    if updated && times.welcomed.is_some() && times.playing.is_none() {
                        times.playing = Some(t0.elapsed().as_secs_f64());
                        live.playing.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(ack) = assembler.ack() {
                        // Closed between the packet and the ack: the close event follows.
                        let _ = ep.send_datagram(now, peer, &ack.encode());
                    }
                }
                EndpointEvent::Closed { cause, .. } => return Err(format!("closed: {cause:?}")),
                EndpointEvent::ConnectFailed(e) => return Err(format!("handshake: {e:?}")),
                EndpointEvent::FirstMessageTooLarge { .. } | EndpointEvent::Migrated { .. } => {}
            }
        }
        while let Some((to, d)) = ep.poll_transmit(now) {
            // A full socket buffer or an ICMP error: the endpoint resends what matters.
            let _ = sock.send_to(&d, to).await;
        }
        if times.playing.is_none() && (now >= give_up || now >= began + PLAY_TIMEOUT) {
            return Err("no first update in time".into());
        }
        let wake = ep
            .poll_timeout()
            .unwrap_or(now + Duration::from_secs(1))
            .min(give_up.max(now + Duration::from_millis(1)));
        tokio::select! {
            r = sock.recv_from(&mut buf) => {
                if let Ok((n, from)) = r {
                    ep.handle_datagram(Instant::now(), from, buf.get(..n).unwrap_or_default());
                }
            }
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {
                ep.handle_timeout(Instant::now());
            }
            r = phase.changed() => {
                if r.is_err() || stop(&phase.borrow_and_update()) {
                    return Ok(());
                }
            }
        }
    }
}
