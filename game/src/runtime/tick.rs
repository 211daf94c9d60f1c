//! The fixed-rate tick loop, run on its own thread: drains inputs, steps the [`RegionSim`],
//! hands frames to link writers and periodic world snapshots to the database worker.

use super::link::{LinkStats, Writes};
use super::msg::{DbWrite, RegionLinkHandle, RuntimeMsg};
use crate::config::RegionConfig;
use crate::metrics::edges::EdgeSeries;
use crate::metrics::{self, Metrics, RegionMetrics, TickSample};
use crate::records::WorldSnapshot;
use crate::world::social::{OpAnswer, PlayerOpDone, PlayerOpOutcome, PlayerOpRequest};
use crate::world::{LinkId, RegionSim, TickInput};
use starlane_cluster::ClusterEvent;
use starlane_netcore::proto::link::{Flow, RegionSendError};
use starlane_protocol::CommandError;
use starlane_protocol::link::RegionToEdge;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, error::TrySendError};

/// Most inputs applied per tick (the rest wait for the next tick).
const MAX_INPUTS_PER_TICK: usize = 100_000;

/// Interval of the tick time statistics log line.
const STATS_EVERY: Duration = Duration::from_secs(10);

/// What the tick thread hands back when it stops.
#[derive(Debug, Default)]
pub(crate) struct TickOutput {
    /// The world as the last tick left it (the final snapshot).
    pub world: WorldSnapshot,
}

/// Ticks since the last summary line.
#[derive(Debug, Default)]
struct Window {
    samples: Vec<TickSample>,
    dropped: u64,
    late: u64,
}

/// An open edge link as the tick sees it.
#[derive(Debug)]
struct TickLink {
    handle: RegionLinkHandle,
    /// What of its counters the tick already added to the stats.
    writes: Writes,
    /// Its per-edge Prometheus series.
    series: EdgeSeries,
    /// Its frame counters (frames, bytes out) after the last tick's frames.
    sent: (u64, u64),
    /// Frames and bytes of the last tick that sent it everything (not congested): the
    /// room the next such tick needs in its queue.
    batch: (usize, usize),
    /// Whether this tick holds back its entity frames and views.
    congested: bool,
}

/// The tick thread's state.
#[derive(Debug)]
pub(crate) struct TickLoop {
    sim: RegionSim,
    period: Duration,
    max_catchup: u32,
    snapshot_every: u32,
    inputs: mpsc::Receiver<RuntimeMsg>,
    writes: mpsc::Sender<DbWrite>,
    links: HashMap<LinkId, TickLink>,
    stats: Arc<LinkStats>,
    metrics: Arc<Metrics>,
    export: RegionMetrics,
    publish_truth: bool,
    window: Window,
    /// Where accepted chat and player notes go for the cluster's bus (`[cluster]` on), else
    /// `None`.
    chat: Option<mpsc::Sender<ClusterEvent>>,
    /// Where player operations go for the database worker (`None`: answered `RateLimited`,
    /// which only a region without a worker sees).
    player_ops: Option<mpsc::Sender<PlayerOpRequest>>,
}

impl TickLoop {
    pub(crate) fn new(
        sim: RegionSim,
        config: &RegionConfig,
        inputs: mpsc::Receiver<RuntimeMsg>,
        writes: mpsc::Sender<DbWrite>,
        stats: Arc<LinkStats>,
        metrics: Arc<Metrics>,
        export: RegionMetrics,
    ) -> Self {
        Self {
            sim,
            period: Duration::from_secs(1) / config.tick_hz.max(1),
            max_catchup: config.max_catchup_ticks.max(1),
            snapshot_every: config
                .store
                .snapshot_interval_secs
                .saturating_mul(config.tick_hz)
                .max(1),
            inputs,
            writes,
            links: HashMap::new(),
            stats,
            metrics,
            export,
            publish_truth: config.bench.publish_truth,
            window: Window::default(),
            chat: None,
            player_ops: None,
        }
    }

    /// Hand player operations to the database worker on `ops` (see `db`).
    pub(crate) fn with_player_ops(mut self, ops: mpsc::Sender<PlayerOpRequest>) -> Self {
        self.player_ops = Some(ops);
        self
    }

    /// Pass the tick's player operations to the database worker. One that finds the queue
    /// full (or no worker) is answered at once with `RateLimited` (counted): nothing was
    /// changed, and the client may send the command again.
    fn hand_player_ops(&mut self) {
        for request in self.sim.take_player_ops() {
            let refused = match &self.player_ops {
                Some(ops) => ops.try_send(request).err().map(|e| match e {
                    TrySendError::Full(r) | TrySendError::Closed(r) => r,
                }),
                None => Some(request),
            };
            match refused {
                None => {
                    self.metrics.player_ops.fetch_add(1, Ordering::Relaxed);
                }
                Some(request) => {
                    self.metrics
                        .player_ops_refused
                        .fetch_add(1, Ordering::Relaxed);
                    // A command is answered; a greeting is tried again later; a presence
                    // change is lost (the next one carries the state).
                    if !matches!(request.answer, OpAnswer::Nobody) {
                        let outcome = PlayerOpOutcome::answer(Err(CommandError::RateLimited));
                        self.sim.push(TickInput::PlayerOp(PlayerOpDone {
                            answer: request.answer,
                            outcome,
                        }));
                    }
                }
            }
        }
    }

    /// Hand accepted chat and player notes to `relay` for the cluster's bus (see
    /// `chat_relay`).
    pub(crate) fn with_chat_relay(mut self, relay: mpsc::Sender<ClusterEvent>) -> Self {
        self.chat = Some(relay);
        self
    }

    /// Pass the tick's accepted chat and player notes to the relay; a full relay queue drops
    /// the post or note (counted: the sender's command was accepted, its readers miss it; a
    /// mail stays in the mailbox and comes with the recipient's next session).
    fn relay_chat(&mut self) {
        let Some(relay) = &self.chat else {
            return;
        };
        for post in self.sim.take_chat_posts() {
            if relay.try_send(ClusterEvent::Chat(post)).is_err() {
                self.metrics.chat_dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        for note in self.sim.take_notes() {
            if relay.try_send(ClusterEvent::Social(note)).is_err() {
                self.metrics.notes_dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Tick at the fixed rate until `stop` fires or is dropped; returns the final world.
    pub(crate) fn run(mut self, stop: std::sync::mpsc::Receiver<()>) -> TickOutput {
        let mut next = Instant::now() + self.period;
        let mut last_stats = Instant::now();
        loop {
            let now = Instant::now();
            let wait = next.saturating_duration_since(now);
            match stop.recv_timeout(wait) {
                Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
            let mut ran = 0;
            while Instant::now() >= next && ran < self.max_catchup {
                self.one_tick();
                next += self.period;
                ran += 1;
            }
            let now = Instant::now();
            if now >= next {
                // Too far behind: drop the lost time rather than spiral.
                let behind = now.duration_since(next);
                let dropped = 1 + (behind.as_nanos() / self.period.as_nanos().max(1)) as u64;
                self.window.dropped += dropped;
                self.metrics
                    .ticks_dropped
                    .fetch_add(dropped, Ordering::Relaxed);
                next = now + self.period;
            }
            if last_stats.elapsed() >= STATS_EVERY {
                self.log_stats();
                last_stats = Instant::now();
            }
        }
        TickOutput {
            world: self.world_snapshot(),
        }
    }

    fn one_tick(&mut self) {
        let start = Instant::now();
        for _ in 0..MAX_INPUTS_PER_TICK {
            match self.inputs.try_recv() {
                Ok(RuntimeMsg::LinkOpened {
                    link,
                    handle,
                    edge_id,
                }) => {
                    let writes = Writes::default();
                    let series = self.export.edges.series(&edge_id);
                    let l = TickLink {
                        handle,
                        writes,
                        series,
                        sent: (0, 0),
                        batch: (0, 0),
                        congested: false,
                    };
                    self.links.insert(link, l);
                    self.sim.push(TickInput::LinkOpened { link });
                }
                Ok(RuntimeMsg::Input(input)) => {
                    if let TickInput::LinkClosed { link } = &input {
                        self.forget_link(*link);
                    }
                    self.sim.push(input);
                }
                Err(_) => break,
            }
        }
        self.metrics
            .links_open
            .store(self.links.len() as u32, Ordering::Relaxed);
        let congested = self.congested_links();
        for link in &congested {
            if let Some(l) = self.links.get(link) {
                l.series.congested();
            }
        }
        self.metrics
            .congested_link_ticks
            .fetch_add(congested.len() as u64, Ordering::Relaxed);
        self.sim.set_congested(congested);
        let frames = self.sim.step();
        let (applied, replayed) = self.sim.command_totals();
        self.metrics
            .commands_applied
            .store(applied, Ordering::Relaxed);
        self.metrics
            .commands_replayed
            .store(replayed, Ordering::Relaxed);
        let (shots, destroyed) = self.sim.combat_totals();
        self.metrics.combat_shots.store(shots, Ordering::Relaxed);
        self.metrics
            .units_destroyed
            .store(destroyed, Ordering::Relaxed);
        let chat = self.sim.chat_counters();
        self.metrics.chat_sent.store(chat.sent, Ordering::Relaxed);
        self.metrics
            .chat_delivered
            .store(chat.delivered, Ordering::Relaxed);
        let players = self.sim.player_counters();
        self.metrics
            .notes_received
            .store(players.notes, Ordering::Relaxed);
        self.metrics
            .notes_delivered
            .store(players.delivered, Ordering::Relaxed);
        self.relay_chat();
        self.hand_player_ops();
        if self.publish_truth {
            self.metrics.publish(self.sim.truth());
        }
        self.send_frames(frames);
        if self.sim.tick().is_multiple_of(self.snapshot_every) {
            self.snapshot();
        }
        let took = start.elapsed();
        let sample = TickSample {
            total_ns: u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
            ..self.sim.last_sample()
        };
        let late = took > self.period;
        self.window.late += u64::from(late);
        self.window.samples.push(sample);
        self.metrics.record(sample, late);
        self.export.observe_tick(&sample);
    }

    /// Links whose queue is at three quarters of its bounds, or has no room for what the
    /// link's last full tick sent (one frame per session: a batch that would not fit would
    /// shed the link): the sync stage skips their entity frames and views this tick (command
    /// acks still go) and catches them up later.
    fn congested_links(&mut self) -> Vec<LinkId> {
        let mut congested = Vec::new();
        for (link, l) in &mut self.links {
            let (frames, bytes) = l.batch;
            l.congested = l.handle.lock().flow_for(frames, bytes) == Flow::Congested;
            if l.congested {
                congested.push(*link);
            }
        }
        congested
    }

    /// Queue the tick's frames on their links and wake their drivers. A link whose queue
    /// overflows is shed by its state machine (closed `Slow`); the tick forgets it.
    fn send_frames(&mut self, frames: Vec<(LinkId, RegionToEdge)>) {
        let mut gone = Vec::new();
        for (link, frame) in frames {
            let Some(l) = self.links.get(&link) else {
                continue;
            };
            let notice = match &frame {
                RegionToEdge::Notice(n) => Some(n.kind),
                _ => None,
            };
            match l.handle.lock().send(frame) {
                Ok(()) => {
                    if let Some(kind) = notice {
                        self.export.notices.sent(kind);
                    }
                }
                Err(RegionSendError::Unsupported { version, .. }) => {
                    tracing::debug!(link, version, "edge link predates notices; not sent");
                    if let Some(kind) = notice {
                        self.export.notices.unsent(kind, "link_version");
                    }
                }
                Err(RegionSendError::Shed) => {
                    tracing::warn!(link, "edge link is not draining its frames; shed it");
                    gone.push(link);
                }
                Err(RegionSendError::TooLarge) => {
                    tracing::error!(link, "a link frame exceeds the frame limit; dropped");
                    l.series.too_large();
                }
                Err(RegionSendError::Closed | RegionSendError::NotOpen) => gone.push(link),
            }
        }
        for l in self.links.values_mut() {
            let (counters, (frames, bytes)) = {
                let core = l.handle.lock();
                (core.counters(), core.queued())
            };
            let sent = (counters.frames_out, counters.bytes_out);
            if !l.congested {
                let frames = sent.0.saturating_sub(l.sent.0);
                let bytes = sent.1.saturating_sub(l.sent.1);
                l.batch = (
                    usize::try_from(frames).unwrap_or(usize::MAX),
                    usize::try_from(bytes).unwrap_or(usize::MAX),
                );
            }
            l.sent = sent;
            l.writes.publish(&self.stats, counters);
            self.stats.queued(bytes);
            l.series.update(frames, bytes, &counters);
            l.handle.wake();
        }
        for link in gone {
            self.drop_link(link);
        }
    }

    /// The whole world as stored: the tick, every unit, the economy, grants, explored
    /// cells, remembered entities and alliances.
    fn world_snapshot(&mut self) -> WorldSnapshot {
        WorldSnapshot {
            tick: self.sim.tick(),
            units: self.sim.persistent_units(),
            economy: self.sim.economy_record(),
            vision: self.sim.vision_record(),
            social: self.sim.social_record(),
        }
    }

    /// Hand a snapshot of the whole world to the database worker. When its queue is full the
    /// snapshot is skipped and counted (`saves_deferred`): the next one carries the whole
    /// world again, so nothing is lost but time, and the snapshot age keeps growing.
    fn snapshot(&mut self) {
        let world = self.world_snapshot();
        if let Err(TrySendError::Full(_)) = self.writes.try_send(DbWrite::Snapshot(world)) {
            self.metrics.saves_deferred.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Forget a link (its state machine is closed; its driver closes the connection).
    fn drop_link(&mut self, link: LinkId) {
        self.forget_link(link);
        self.sim.push(TickInput::LinkClosed { link });
    }

    /// Remove a link, and its edge's series unless another open link has the same edge id.
    fn forget_link(&mut self, link: LinkId) {
        let Some(gone) = self.links.remove(&link) else {
            return;
        };
        let edge = gone.series.edge;
        if !self.links.values().any(|l| l.series.edge == edge) {
            self.export.edges.remove(&edge);
        }
    }

    fn log_stats(&mut self) {
        let w = std::mem::take(&mut self.window);
        metrics::log_summary(&w.samples, w.dropped, w.late);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::GameMap;
    use crate::world::UnitSpec;
    use starlane_protocol::{EntityKind, Hex, NEUTRAL_EMPIRE};

    /// A tick loop over a sim holding one unsaved unit, whose database writes go to a queue of
    /// one save.
    fn tick_loop() -> (TickLoop, mpsc::Receiver<DbWrite>, u32) {
        let config = RegionConfig::default();
        let mut sim = RegionSim::new(config.clone(), GameMap::generate(9, 1, 0));
        let id = sim.spawn_unit(UnitSpec {
            id: None,
            owner: NEUTRAL_EMPIRE,
            kind: EntityKind::Frigate,
            pos: Hex::new(0, 0),
            health: None,
        });
        let (_inputs_tx, inputs) = mpsc::channel(1);
        let (writes, writes_rx) = mpsc::channel(1);
        let tick = TickLoop::new(
            sim,
            &config,
            inputs,
            writes,
            Arc::default(),
            Arc::default(),
            RegionMetrics::default(),
        );
        (tick, writes_rx, id)
    }

    #[test]
    fn a_snapshot_that_finds_the_queue_full_is_skipped_and_the_next_carries_the_world() {
        let (mut tick, mut writes_rx, id) = tick_loop();
        // The database worker is behind: its queue holds one snapshot already.
        tick.writes
            .try_send(DbWrite::Snapshot(WorldSnapshot::default()))
            .expect("room for one");
        tick.snapshot();
        assert_eq!(tick.metrics.saves_deferred.load(Ordering::Relaxed), 1);
        // The worker catches up; the next snapshot holds the whole world, the unit included.
        assert!(matches!(writes_rx.try_recv(), Ok(DbWrite::Snapshot(w)) if w.units.is_empty()));
        tick.snapshot();
        match writes_rx.try_recv() {
            Ok(DbWrite::Snapshot(world)) => {
                assert_eq!(
                    world.units.iter().map(|u| u.id).collect::<Vec<_>>(),
                    vec![id]
                );
            }
            other => panic!("expected the next snapshot, got {other:?}"),
        }
        assert_eq!(tick.metrics.saves_deferred.load(Ordering::Relaxed), 1);
    }
}
