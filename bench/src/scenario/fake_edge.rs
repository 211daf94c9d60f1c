//! Topology "region-only": the runner is an edge on the region's QUIC link (pinned to the
//! region's certificate) that opens N sessions and counts what the region sends each one.
//! This is the capacity harness for "clients per region": no edge, no client transports. It
//! speaks the link through netcore's edge state machine ([`EdgeClient`]), like an edge.
//!
//! Like an edge, it keeps a mirror of the link's entity frames and each session's view, and
//! turns them back into the per-session `Update` a client would get (entered ids with their
//! mirrored state, the tick's changes of the ids in view, left ids, vision, resources), so
//! the bytes counted per session are those of the full-state update stream.

use crate::scenario::clients::{Clock, Live, Window};
use anyhow::{Context, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_game::RegionHandle;
use starlane_netcore::link::EdgeClient;
use starlane_netcore::proto::link::{EdgeLinkConfig, EdgeLinkEvent, QueueLimits};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::economy::RecipeOutput;
use starlane_protocol::link::{
    EdgeToRegion, EntityFrame, LinkServerMsg, PlayerIdentity, SessionCommand, ViewChange,
};
use starlane_protocol::{
    Command, EmpireId, EntityChange, EntityId, EntityKind, EntityState, Hex, RecipeId, Update,
};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
}

/// One tick's entity changes and the sessions' view and resource messages, handed out as
/// one update per session when the next tick's messages begin.
#[derive(Debug, Default)]
struct Pending {
    tick: u32,
    changes: FxHashMap<EntityId, EntityChange>,
    /// Per session: its update so far from its view change and resources.
    updates: FxHashMap<u64, Update>,
    /// Ids that entered a session's view this tick: added to the view (and the watchers)
    /// once the tick's changes are handed out, as they come with their full state.
    entered: Vec<(usize, Vec<EntityId>)>,
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
/// period), as the client bots do.
pub async fn run_fake_edge(
    region: &RegionHandle,
    sessions: u32,
    ramp_per_sec: u32,
    wander: bool,
    clock: Clock,
    live: Arc<Live>,
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
        EdgeLinkEvent::ToClient(t) => to_client(&mut c, t.session, t.msgs, live),
        EdgeLinkEvent::Entities(frame) => entities(&mut c, frame, live),
        EdgeLinkEvent::Up { .. } | EdgeLinkEvent::Down(_) | EdgeLinkEvent::Notice(_) => {}
    }
}

/// Apply an entity frame to the mirror and keep its changes for the sessions' updates.
fn entities(c: &mut Counts, frame: EntityFrame, live: &Live) {
    start_tick(c, frame.tick, live);
    frame.apply(&mut c.mirror);
    for ch in frame.changed {
        c.pending.changes.insert(ch.id, ch);
    }
}

/// Messages of `tick` begin: hand the previous tick's out.
fn start_tick(c: &mut Counts, tick: u32, live: &Live) {
    if tick == c.pending.tick {
        return;
    }
    flush(c, live);
    c.pending.tick = tick;
}

/// Hand the pending tick out: each session gets one update with its view change and
/// resources, if any, and the tick's changes of the ids in its view (sorted by id), found
/// through the watchers, so the cost is what is sent, not sessions times views.
fn flush(c: &mut Counts, live: &Live) {
    let mut pending = std::mem::take(&mut c.pending);
    let mut per_session: Vec<Vec<EntityChange>> = vec![Vec::new(); c.views.len()];
    for (id, change) in &pending.changes {
        for s in c.watchers.get(id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(changed) = per_session.get_mut(*s as usize) {
                changed.push(change.clone());
            }
        }
    }
    for (idx, ids) in pending.entered.drain(..) {
        let (Some(view), Ok(s)) = (c.views.get_mut(idx), u32::try_from(idx)) else {
            continue;
        };
        for id in ids {
            if view.insert(id) {
                c.watchers.entry(id).or_default().push(s);
            }
        }
    }
    for (session, mut changed) in per_session.into_iter().enumerate() {
        let session = session as u64;
        let update = pending.updates.remove(&session);
        if changed.is_empty() && update.is_none() {
            continue;
        }
        changed.sort_unstable_by_key(|ch| ch.id);
        let mut u = update.unwrap_or_else(|| Update {
            tick: pending.tick,
            ..Update::default()
        });
        u.changed = changed;
        emit(c, session, ServerMsg::Update(u), live);
    }
}

/// A session's update from its view change: left ids (out of its view now), vision, and
/// entered ids with their mirrored state (into its view once the tick is handed out).
fn view_update(c: &mut Counts, session: u64, v: ViewChange) -> Update {
    let idx = usize::try_from(session).unwrap_or(usize::MAX);
    if let Some(view) = c.views.get_mut(idx) {
        for id in &v.left {
            if view.remove(id) {
                unwatch(&mut c.watchers, *id, idx);
            }
        }
    }
    let appeared = v
        .entered
        .iter()
        .filter_map(|id| c.mirror.get(id))
        .cloned()
        .collect();
    c.pending.entered.push((idx, v.entered));
    Update {
        tick: v.tick,
        disappeared: v.left,
        vision: v.vision,
        appeared,
        ..Update::default()
    }
}

/// Take session `idx` off the watchers of `id`.
fn unwatch(watchers: &mut FxHashMap<EntityId, Vec<u32>>, id: EntityId, idx: usize) {
    if let Some(list) = watchers.get_mut(&id) {
        if let Some(at) = list.iter().position(|s| *s as usize == idx) {
            list.swap_remove(at);
        }
        if list.is_empty() {
            watchers.remove(&id);
        }
    }
}

/// One session's messages: acks as they are; its view and resources into its update of the
/// tick, handed out with the tick's changes.
fn to_client(c: &mut Counts, session: u64, msgs: Vec<LinkServerMsg>, live: &Live) {
    for m in msgs {
        match m {
            LinkServerMsg::View(v) => {
                start_tick(c, v.tick, live);
                let u = view_update(c, session, v);
                let resources = c.pending.updates.remove(&session).map(|p| p.resources);
                let slot = c.pending.updates.entry(session).or_insert(u);
                if let Some(r) = resources {
                    slot.resources = r;
                }
            }
            LinkServerMsg::Resources(r) => {
                let tick = c.pending.tick;
                c.pending
                    .updates
                    .entry(session)
                    .or_insert_with(|| Update {
                        tick,
                        ..Update::default()
                    })
                    .resources = r;
            }
            LinkServerMsg::CommandAck { seq } => {
                c.trains[0] += u64::from(seq == TRAIN_SEQ);
                emit(c, session, ServerMsg::CommandAck { seq }, live)
            }
            LinkServerMsg::CommandRejected { seq, error } => {
                c.trains[1] += u64::from(seq == TRAIN_SEQ);
                emit(c, session, ServerMsg::CommandRejected { seq, error }, live)
            }
            LinkServerMsg::Social(m) => emit(c, session, ServerMsg::Social(m), live),
            // Combat reports, job, sharing and memory events have no version-1 message of their own
            // (the real edge sends them as `EntityPacket` events); the stand-in measures the
            // region.
            LinkServerMsg::Combat(_)
            | LinkServerMsg::Job(_)
            | LinkServerMsg::Sharing(_)
            | LinkServerMsg::LastSeen(_)
            | LinkServerMsg::Forget { .. } => {}
        }
    }
}

/// Count what the edge would send the client, in the client encoding.
fn emit(c: &mut Counts, session: u64, msg: ServerMsg, live: &Live) {
    let idx = usize::try_from(session).unwrap_or(usize::MAX);
    if let ServerMsg::Update(u) = &msg {
        if let Some(Some(empire)) = c.empires.get(idx).copied()
            && let Some(units) = c.units.get_mut(idx)
        {
            track_units(units, empire, u);
            let station = u
                .appeared
                .iter()
                .find(|e| e.owner == empire && e.kind == EntityKind::Station);
            if let (Some(e), Some(slot)) = (station, c.stations.get_mut(idx))
                && slot.0.is_none()
            {
                slot.0 = Some(e.id);
            }
        }
        if session == 0 {
            c.recorded.push(u.clone());
        }
    }
    let bytes = msg.encode().len() as u64;
    live.bytes_down.fetch_add(bytes, Ordering::Relaxed);
    if let Some(slot) = c.per_session.get_mut(idx) {
        slot[0] += bytes;
        slot[1] += 1;
    }
}

/// Keep a session's own units and their positions up to date.
fn track_units(units: &mut Vec<(EntityId, Hex)>, empire: EmpireId, u: &Update) {
    for e in &u.appeared {
        if e.owner == empire && !units.iter().any(|(id, _)| *id == e.id) {
            units.push((e.id, e.pos));
        }
    }
    for ch in &u.changed {
        if let (Some(pos), Some(slot)) = (ch.pos, units.iter_mut().find(|(id, _)| *id == ch.id)) {
            slot.1 = pos;
        }
    }
    units.retain(|(id, _)| !u.disappeared.contains(id));
}
