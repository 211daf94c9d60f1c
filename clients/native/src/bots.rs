//! Headless bots: N clients that wander their units around the map ([`Behaviour::Wander`]),
//! or send every command kind: also attack what they see, stop, and build, train and cancel
//! ([`Behaviour::Mixed`], the economy's orders in [`crate::bots_economy`]).

use crate::bots_economy::{build_near, cancel_one, train_one};
use crate::bots_social::share_or_revoke;
use crate::client::{Client, ClientEvent};
use crate::http::{ConnectInfo, fetch_dev_token};
use crate::transport::Transport;
use rand::{Rng, SeedableRng, rngs::StdRng};
use starlane_protocol::{Command, Hex};
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
    /// Orders sent, by kind: moves, attacks, stops, builds, trains, cancels, vision shares
    /// and revocations.
    pub moves: AtomicU64,
    pub attacks: AtomicU64,
    pub stops: AtomicU64,
    pub builds: AtomicU64,
    pub trains: AtomicU64,
    pub cancels: AtomicU64,
    pub shares: AtomicU64,
    pub revokes: AtomicU64,
    /// Chat messages sent, and alliance commands (SPEC.md §21).
    pub chats: AtomicU64,
    pub alliance_orders: AtomicU64,
    /// Friend commands and mail commands sent (SPEC.md §22).
    pub friend_orders: AtomicU64,
    pub mail_orders: AtomicU64,
    /// Combat reports received (SPEC.md §18.2) and the damage they reported dealt.
    pub combat_reports: AtomicU64,
    pub damage_dealt: AtomicU64,
    /// Production-job events received (SPEC.md §19).
    pub job_events: AtomicU64,
    /// Vision-grant events received (SPEC.md §20).
    pub sharing_events: AtomicU64,
    /// Last-seen and forget events received (SPEC.md §20.6).
    pub memory_events: AtomicU64,
    /// `Social` messages received (chat and alliance news, SPEC.md §21).
    pub social_messages: AtomicU64,
}

/// What a bot orders every few seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behaviour {
    /// Move a random own unit to a random passable hex near it.
    #[default]
    Wander,
    /// Every command kind: mostly moves, a fifth attacks on the nearest foreign unit in
    /// sight (when there is one), some stops, the economy's builds, trains and cancels, and
    /// vision shares and revocations, chat and alliance commands.
    Mixed,
}

impl std::str::FromStr for Behaviour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wander" => Ok(Self::Wander),
            "mixed" => Ok(Self::Mixed),
            other => Err(format!("unknown behaviour {other:?}: use wander or mixed")),
        }
    }
}

/// Where a bot's login token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// This token (one player: one bot).
    Given(String),
    /// The development issuer at this base URL (`POST <url>/api/dev/token`), a token per bot.
    DevIssuer(String),
}

/// One bot's plan: who it plays, with which seed, for how long, doing what.
#[derive(Debug, Clone)]
pub struct BotPlan {
    /// Where its token comes from.
    pub tokens: TokenSource,
    /// Its player name (the dev issuer's `user`).
    pub username: String,
    /// Seed of its choices.
    pub seed: u64,
    /// How long it plays.
    pub duration: Duration,
    /// What it orders.
    pub behaviour: Behaviour,
}

/// Run one bot until its plan's duration has passed: connect over `transport`, then every few
/// seconds order as its behaviour says.
pub async fn run_bot(
    plan: BotPlan,
    info: ConnectInfo,
    transport: Transport,
    stats: Arc<SwarmStats>,
) {
    let BotPlan {
        tokens,
        username,
        seed,
        duration,
        behaviour,
    } = plan;
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
            _ = order.tick() => act(&mut client, &mut rng, behaviour, &stats),
            ev = client.next_event() => match ev {
                Some(ClientEvent::Updated(_)) => { stats.updates.fetch_add(1, Ordering::Relaxed); }
                Some(ClientEvent::CommandResult { result: Ok(()), .. }) => {
                    stats.commands_acked.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::CommandResult { result: Err(_), .. }) => {
                    stats.commands_rejected.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::Combat(r)) => {
                    stats.combat_reports.fetch_add(1, Ordering::Relaxed);
                    stats.damage_dealt.fetch_add(u64::from(r.dealt), Ordering::Relaxed);
                }
                Some(ClientEvent::Job(_)) => {
                    stats.job_events.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::Sharing(_)) => {
                    stats.sharing_events.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::Memory(_)) => {
                    stats.memory_events.fetch_add(1, Ordering::Relaxed);
                }
                Some(ClientEvent::Social(_)) => {
                    stats.social_messages.fetch_add(1, Ordering::Relaxed);
                }
                Some(
                    ClientEvent::Rtt(_)
                    | ClientEvent::Notice { .. }
                    | ClientEvent::Moved { .. }
                    | ClientEvent::Static(_),
                ) => {}
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

/// One order as `behaviour` says, counted in `stats`.
pub fn act(client: &mut Client, rng: &mut StdRng, behaviour: Behaviour, stats: &SwarmStats) {
    let roll = match behaviour {
        Behaviour::Wander => 0,
        Behaviour::Mixed => rng.random_range(0..100),
    };
    let sent = match roll {
        35..40 => crate::bots_social::friend_or_mail(client, rng).map(|friend| {
            if friend {
                &stats.friend_orders
            } else {
                &stats.mail_orders
            }
        }),
        40..45 => crate::bots_social::social_order(client, rng).map(|chat| {
            if chat {
                &stats.chats
            } else {
                &stats.alliance_orders
            }
        }),
        45..65 => attack_nearest(client, rng).then_some(&stats.attacks),
        65..75 => stop_one(client, rng).then_some(&stats.stops),
        75..87 => train_one(client, rng).then_some(&stats.trains),
        87..94 => build_near(client, rng).then_some(&stats.builds),
        94..97 => cancel_one(client, rng).then_some(&stats.cancels),
        97..100 => share_or_revoke(client, rng)
            .map(|share| if share { &stats.shares } else { &stats.revokes }),
        _ => None,
    };
    match sent {
        Some(counter) => counter.fetch_add(1, Ordering::Relaxed),
        // A move when the roll says so, or when there was nothing to attack or stop.
        None if wander(client, rng) => stats.moves.fetch_add(1, Ordering::Relaxed),
        None => 0,
    };
}

/// Order a random own unit to attack the foreign unit in sight nearest to it; false when
/// nothing foreign is in sight.
pub fn attack_nearest(client: &mut Client, rng: &mut StdRng) -> bool {
    let units: Vec<_> = client.world.my_units().map(|u| (u.id, u.pos)).collect();
    if units.is_empty() {
        return false;
    }
    let (id, pos) = units[rng.random_range(0..units.len())];
    let empire = client.empire;
    let target = client
        .world
        .entities
        .values()
        .filter(|e| e.owner != empire && e.kind.deposit().is_none())
        .min_by_key(|e| (e.pos.distance(pos), e.id))
        .map(|e| e.id);
    match target {
        Some(target) => {
            client.send_command(Command::Attack { unit: id, target });
            true
        }
        None => false,
    }
}

/// Order a random own unit to stop; false without units.
pub fn stop_one(client: &mut Client, rng: &mut StdRng) -> bool {
    let units: Vec<_> = client.world.my_units().map(|u| u.id).collect();
    if units.is_empty() {
        return false;
    }
    let unit = units[rng.random_range(0..units.len())];
    client.send_command(Command::Stop { unit });
    true
}

/// Send a random own unit to a random passable hex within 6 hexes of it; false when no unit
/// or no such hex was found.
pub fn wander(client: &mut Client, rng: &mut StdRng) -> bool {
    let units: Vec<_> = client.world.my_units().map(|u| (u.id, u.pos)).collect();
    if units.is_empty() {
        return false;
    }
    let (id, pos) = units[rng.random_range(0..units.len())];
    for _ in 0..16 {
        let to = Hex::new(
            pos.q + rng.random_range(-6..=6),
            pos.r + rng.random_range(-6..=6),
        );
        if to != pos && client.world.is_passable(to) {
            client.send_move(id, to);
            return true;
        }
    }
    false
}
