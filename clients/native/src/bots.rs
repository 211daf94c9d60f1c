//! Headless bots: N clients that wander their units around the map.

use crate::client::{Client, ClientEvent};
use crate::http::{ConnectInfo, fetch_dev_token};
use crate::transport::Transport;
use rand::{Rng, SeedableRng, rngs::StdRng};
use starlane_protocol::Hex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters shared by all bots of a swarm.
#[derive(Debug, Default)]
pub struct SwarmStats {
    pub connected: AtomicU64,
    pub failed: AtomicU64,
    pub updates: AtomicU64,
    pub commands_acked: AtomicU64,
    pub commands_rejected: AtomicU64,
    pub bytes_in: AtomicU64,
    /// Delta packets applied (SPEC.md §16).
    pub packets: AtomicU64,
    /// Delta packets received twice.
    pub duplicate_packets: AtomicU64,
    /// Delta records skipped because their baseline was not held.
    pub missing_baselines: AtomicU64,
}

/// Where a bot's login token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// This token (one player: one bot).
    Given(String),
    /// The development issuer at this base URL (`POST <url>/api/dev/token`), a token per bot.
    DevIssuer(String),
}

/// Run one bot until `duration` has passed: connect as `username` over `transport`, then
/// every few seconds send a random own unit to a random passable hex near it.
pub async fn run_bot(
    tokens: TokenSource,
    info: ConnectInfo,
    transport: Transport,
    username: String,
    seed: u64,
    duration: Duration,
    stats: Arc<SwarmStats>,
) {
    let fetched = match tokens {
        TokenSource::Given(token) => Ok(token),
        TokenSource::DevIssuer(base_url) => fetch_dev_token(&base_url, &username).await,
    };
    let token = match fetched {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(%username, "token: {e}");
            stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let mut client = match Client::connect_via(&info, transport, &token).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(%username, "connect: {e}");
            stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    stats.connected.fetch_add(1, Ordering::Relaxed);
    let mut rng = StdRng::seed_from_u64(seed);
    let deadline = tokio::time::Instant::now() + duration;
    let mut order = tokio::time::interval(Duration::from_millis(rng.random_range(1500..4000)));
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            _ = order.tick() => wander(&mut client, &mut rng),
            ev = client.next_event() => match ev {
                Some(ClientEvent::Updated(_)) => { stats.updates.fetch_add(1, Ordering::Relaxed); }
                Some(ClientEvent::CommandResult { result: Ok(()), .. }) => {
                    stats.commands_acked.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::CommandResult { result: Err(_), .. }) => {
                    stats.commands_rejected.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::Rtt(_) | ClientEvent::Notice { .. } | ClientEvent::Moved { .. }) => {}
                Some(ClientEvent::Closed(_)) | None => break,
            },
        }
    }
    stats.bytes_in.fetch_add(
        client.stats().bytes_in.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
    let delta = client.delta_stats();
    stats.packets.fetch_add(delta.packets, Ordering::Relaxed);
    stats
        .duplicate_packets
        .fetch_add(delta.duplicates, Ordering::Relaxed);
    stats
        .missing_baselines
        .fetch_add(delta.missing_baseline, Ordering::Relaxed);
    client.close();
}

/// Send a random own unit to a random passable hex within 6 hexes of it (if any).
pub fn wander(client: &mut Client, rng: &mut StdRng) {
    let units: Vec<_> = client.world.my_units().map(|u| (u.id, u.pos)).collect();
    if units.is_empty() {
        return;
    }
    let (id, pos) = units[rng.random_range(0..units.len())];
    for _ in 0..16 {
        let to = Hex::new(
            pos.q + rng.random_range(-6..=6),
            pos.r + rng.random_range(-6..=6),
        );
        if to != pos && client.world.is_passable(to) {
            client.send_move(id, to);
            return;
        }
    }
}
