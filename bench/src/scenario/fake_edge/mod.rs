//! Topology "region-only": the runner is an edge on the region's QUIC link (pinned to the
//! region's certificate) that opens N sessions and counts what the region sends each one.
//! This is the capacity harness for "clients per region": no edge, no client transports. It
//! speaks the link through netcore's edge state machine ([`EdgeClient`]), like an edge.
//!
//! Like an edge, it keeps a mirror of the link's entity frames and each session's view, and
//! turns them back into the per-session `Update` a client would get (entered ids with their
//! mirrored state, the tick's changes of the ids in view, left ids, vision, resources), so
//! the bytes counted per session are those of the full-state update stream.

mod script;
mod updates;

pub use script::{SCRIPT_FORMAT, SCRIPT_VERSION, ScriptHeader, ScriptWriter};

use crate::scenario::clients::{Clock, Live, Window};
use anyhow::{Context, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_game::RegionHandle;
use starlane_netcore::link::EdgeClient;
use starlane_netcore::proto::link::{EdgeLinkConfig, EdgeLinkEvent, QueueLimits};
use starlane_protocol::economy::RecipeOutput;
use starlane_protocol::link::{EdgeToRegion, LinkServerMsg, PlayerIdentity, SessionCommand};
use starlane_protocol::{
    Command, EmpireId, EntityId, EntityKind, EntityState, Hex, RecipeId, Update,
};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use updates::{Pending, entities, to_client};

/// What the fake edge measured.
#[derive(Debug, Default)]
pub struct FakeEdgeOutcome {
    /// Per session per 1 s window: bytes and messages the edge would send the client.
    pub windows: Vec<Window>,
    /// Sessions joined.
    pub joined: u64,
    /// Sessions refused.
    pub refused: u64,
    /// Updates of session 0 (for the baseline comparison).
    pub recorded: Vec<Update>,
    /// Repeating station jobs ordered (`Train` of the levy recipe): accepted, refused.
    pub trains: [u64; 2],
}

/// Per session: client-format bytes, messages; plus joined/refused counts.
#[derive(Debug, Default)]
struct Counts {
    per_session: Vec<[u64; 2]>,
    joined: u64,
    refused: u64,
    recorded: Vec<Update>,
    /// Per session: its empire and own units (id, last known position).
    empires: Vec<Option<EmpireId>>,
    units: Vec<Vec<(EntityId, Hex)>>,
    /// Per session: its station, once seen, and whether its production was ordered.
    stations: Vec<(Option<EntityId>, bool)>,
    /// The region's free repeating station recipe (`levy` in the shipped catalog), from the
    /// first `Joined`.
    levy: Option<RecipeId>,
    /// Station jobs accepted and refused.
    trains: [u64; 2],
    /// The link's entity mirror.
    mirror: HashMap<EntityId, EntityState>,
    /// Per session: the ids in its view.
    views: Vec<FxHashSet<EntityId>>,
    /// Per entity: the sessions whose view holds it (the views turned around, so that a
    /// tick's changes reach the sessions that see them at the cost of what is sent, not of
    /// sessions times views).
    watchers: FxHashMap<EntityId, Vec<u32>>,
    /// The current tick's entity changes, not yet handed to every session.
    pending: Pending,
    /// Where the region's frames are recorded for the peers, if asked (`--script`).
    script: Option<ScriptWriter>,
}

/// How often the fake edge considers orders; each session orders every `ORDER_EVERY` ticks.
const ORDER_TICK: Duration = Duration::from_millis(100);
const ORDER_EVERY: u64 = 25;
/// The sequence number of a session's station job order: above any Move's (a round).
const TRAIN_SEQ: u32 = u32::MAX;

/// Sessions whose turn it is in `round`: a Move of one own unit to a random hex within 6;
/// and, once per session whose station it knows, a repeating free production job there
/// (`Train` of the levy recipe), so production runs at every step of the ladder.
fn pick_orders(counts: &Mutex<Counts>, round: u64, rng: &mut StdRng) -> Vec<(u64, u32, Command)> {
    let Ok(mut c) = counts.lock() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, units) in c.units.iter().enumerate() {
        if (i as u64 + round).is_multiple_of(ORDER_EVERY) && !units.is_empty() {
            let (unit, pos) = units[rng.random_range(0..units.len())];
            let to = Hex::new(
                pos.q + rng.random_range(-6..=6),
                pos.r + rng.random_range(-6..=6),
            );
            out.push((i as u64, round as u32, Command::Move { unit, to }));
        }
    }
    if let Some(recipe) = c.levy {
        for (i, (station, ordered)) in c.stations.iter_mut().enumerate() {
            if let (Some(building), false) = (*station, *ordered) {
                *ordered = true;
                let train = Command::Train {
                    building,
                    recipe,
                    repeat: true,
                };
                out.push((i as u64, TRAIN_SEQ, train));
            }
        }
    }
    out
}

/// Open `sessions` sessions at `ramp_per_sec` (0 = at once) and measure until `clock.end`.
/// With `wander`, each session moves one of its units every 2.5 s (until the convergence
/// period), as the client bots do. With `script`, every entity frame and view change the
/// region sends is recorded there.
pub async fn run_fake_edge(
    region: &RegionHandle,
    sessions: u32,
    ramp_per_sec: u32,
    wander: bool,
    clock: Clock,
    live: Arc<Live>,
    script: Option<ScriptWriter>,
) -> anyhow::Result<FakeEdgeOutcome> {
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().context("loopback")?)?;
    endpoint.set_default_client_config(region.dev_link_client_config()?);
    // Every session may join at once: the queue to the region holds them all.
    let config = EdgeLinkConfig {
        edge_id: "bench-fake-edge".into(),
        limits: QueueLimits {
            max_frames: 1 << 20,
            max_bytes: 256 << 20,
        },
        ..EdgeLinkConfig::default()
    };
    let mut client =
        EdgeClient::connect(&endpoint, region.link_addr(), "localhost", config, 65_536)
            .await
            .context("the region's link")?;
    match client.next_event().await {
        Some(EdgeLinkEvent::Up { .. }) => {}
        other => bail!("the region did not welcome the link: {other:?}"),
    }
    let counts = Arc::new(Mutex::new(Counts {
        per_session: vec![[0; 2]; sessions as usize],
        empires: vec![None; sessions as usize],
        units: vec![Vec::new(); sessions as usize],
        stations: vec![(None, false); sessions as usize],
        views: vec![FxHashSet::default(); sessions as usize],
        script,
        ..Counts::default()
    }));

    let mut out = FakeEdgeOutcome::default();
    let gap = if ramp_per_sec == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(1.0 / f64::from(ramp_per_sec))
    };
    let mut joined = 0u32;
    let mut window = tokio::time::interval(Duration::from_secs(1));
    let mut last = vec![[0u64; 2]; sessions as usize];
    let end = tokio::time::Instant::from_std(clock.end);
    let mut next_join = tokio::time::Instant::now();
    let mut order = tokio::time::interval(ORDER_TICK);
    let mut order_round = 0u64;
    let mut rng = StdRng::seed_from_u64(0xfa4e);
    let mut up = vec![0u64; sessions as usize];
    let mut last_up = up.clone();
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => break,
            event = client.next_event() => match event {
                Some(event) => on_event(&counts, event, &live),
                None => bail!("the region closed the link"),
            },
            _ = tokio::time::sleep_until(next_join), if joined < sessions => {
                let player = PlayerIdentity { user_id: 1_000_000 + i64::from(joined), username: format!("bench{joined}"), command_stream: 0 };
                client.join(u64::from(joined), player).context("join queued")?;
                joined += 1;
                next_join += gap;
            }
            _ = order.tick(), if wander && Instant::now() < clock.stop_commands_at => {
                order_round += 1;
                let orders = pick_orders(&counts, order_round, &mut rng);
                for (session, seq, command) in orders {
                    let command = SessionCommand { session, seq, command };
                    up[session as usize] += EdgeToRegion::Command(command.clone()).encode().len() as u64;
                    // A full queue refuses the order, as an edge would.
                    let _ = client.command(command);
                }
            }
            _ = window.tick() => {
                let now = counts.lock().map(|c| c.per_session.clone()).unwrap_or_default();
                let measuring = Instant::now().checked_sub(Duration::from_secs(1)).is_some_and(|s| s >= clock.measure_from);
                if measuring {
                    let t = clock.measure_from.elapsed().as_secs_f64();
                    for (i, (a, b)) in now.iter().zip(&last).enumerate() {
                        if i < joined as usize {
                            let up_bytes = up[i] - last_up[i];
                            out.windows.push(Window { t, down_bytes: a[0] - b[0], up_bytes, down_packets: a[1] - b[1], up_packets: 0 });
                        }
                    }
                }
                last = now;
                last_up.clone_from(&up);
            }
        }
    }
    client.close().await;
    let mut c = match counts.lock() {
        Ok(c) => c,
        Err(_) => bail!("the frame reader panicked"),
    };
    out.joined = c.joined;
    out.refused = c.refused;
    out.recorded = std::mem::take(&mut c.recorded);
    out.trains = c.trains;
    if let Some(script) = c.script.take() {
        script.finish()?;
    }
    Ok(out)
}

/// Count one event of the link.
fn on_event(counts: &Mutex<Counts>, event: EdgeLinkEvent, live: &Live) {
    let Ok(mut c) = counts.lock() else { return };
    match event {
        EdgeLinkEvent::Joined(j) => {
            if let Some(slot) = usize::try_from(j.session)
                .ok()
                .and_then(|s| c.empires.get_mut(s))
            {
                *slot = Some(j.empire);
            }
            if c.levy.is_none() {
                c.levy = j
                    .catalog
                    .recipes
                    .iter()
                    .find(|r| {
                        r.producer == EntityKind::Station
                            && r.inputs.is_empty()
                            && matches!(r.output, RecipeOutput::Resources(_))
                    })
                    .map(|r| r.id);
            }
            c.joined += 1;
            live.connected.fetch_add(1, Ordering::Relaxed);
        }
        EdgeLinkEvent::JoinRefused(_) => {
            c.refused += 1;
            live.failed.fetch_add(1, Ordering::Relaxed);
        }
        EdgeLinkEvent::ToClient(t) => {
            if let Some(script) = c.script.as_mut() {
                for msg in &t.msgs {
                    if let LinkServerMsg::View(v) = msg {
                        script.view(t.session, v);
                    }
                }
            }
            to_client(&mut c, t.session, t.msgs, live);
        }
        EdgeLinkEvent::Entities(frame) => {
            if let Some(script) = c.script.as_mut() {
                script.entities(&frame);
            }
            entities(&mut c, frame, live);
        }
        EdgeLinkEvent::Up { .. } | EdgeLinkEvent::Down(_) | EdgeLinkEvent::Notice(_) => {}
    }
}
