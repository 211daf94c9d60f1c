//! The fixed-rate tick loop, run on its own thread: drains inputs, steps the [`RegionSim`],
//! hands frames to link writers and periodic saves to the database worker.

use crate::config::RegionConfig;
use crate::ecs::{LinkId, RegionSim, TickInput};
use crate::link::LinkStats;
use crate::metrics::{self, Metrics, TickSample};
use crate::persist::UnitRecord;
use crate::runtime::{DbWrite, RuntimeMsg};
use starlane_protocol::link::RegionToEdge;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, error::TrySendError};

/// Most inputs applied per tick (the rest wait for the next tick).
const MAX_INPUTS_PER_TICK: usize = 100_000;
/// A link is congested when less than `1 / CONGESTED_FREE_DIVISOR` of its frame queue is free.
const CONGESTED_FREE_DIVISOR: usize = 4;
/// Whether a frame queue with `free` of `max` slots free is congested.
fn is_congested(free: usize, max: usize) -> bool {
    free < max / CONGESTED_FREE_DIVISOR
}

/// Interval of the tick time statistics log line.
const STATS_EVERY: Duration = Duration::from_secs(10);

/// What the tick thread hands back when it stops.
#[derive(Debug, Default)]
pub(crate) struct TickOutput {
    /// Units changed since the last periodic save.
    pub unsaved: Vec<UnitRecord>,
}

/// Ticks since the last summary line.
#[derive(Debug, Default)]
struct Window {
    samples: Vec<TickSample>,
    dropped: u64,
    late: u64,
}

/// The tick thread's state.
#[derive(Debug)]
pub(crate) struct TickLoop {
    sim: RegionSim,
    period: Duration,
    max_catchup: u32,
    save_every: u32,
    inputs: mpsc::Receiver<RuntimeMsg>,
    writes: mpsc::UnboundedSender<DbWrite>,
    links: HashMap<LinkId, mpsc::Sender<RegionToEdge>>,
    stats: Arc<LinkStats>,
    metrics: Arc<Metrics>,
    publish_truth: bool,
    window: Window,
}

impl TickLoop {
    pub(crate) fn new(
        sim: RegionSim,
        config: &RegionConfig,
        inputs: mpsc::Receiver<RuntimeMsg>,
        writes: mpsc::UnboundedSender<DbWrite>,
        stats: Arc<LinkStats>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            sim,
            period: Duration::from_secs(1) / config.tick_hz.max(1),
            max_catchup: config.max_catchup_ticks.max(1),
            save_every: config
                .save_interval_secs
                .saturating_mul(config.tick_hz)
                .max(1),
            inputs,
            writes,
            links: HashMap::new(),
            stats,
            metrics,
            publish_truth: config.bench.publish_truth,
            window: Window::default(),
        }
    }

    /// Tick at the fixed rate until `stop` fires or is dropped; returns unsaved units.
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
            unsaved: self.sim.take_dirty(),
        }
    }

    fn one_tick(&mut self) {
        let start = Instant::now();
        for _ in 0..MAX_INPUTS_PER_TICK {
            match self.inputs.try_recv() {
                Ok(RuntimeMsg::LinkOpened { link, tx }) => {
                    self.links.insert(link, tx);
                    self.sim.push(TickInput::LinkOpened { link });
                }
                Ok(RuntimeMsg::Input(input)) => {
                    if let TickInput::LinkClosed { link } = &input {
                        self.links.remove(link);
                    }
                    self.sim.push(input);
                }
                Err(_) => break,
            }
        }
        self.sim.set_congested(self.congested_links());
        let frames = self.sim.step();
        if self.publish_truth {
            self.metrics.publish(self.sim.truth());
        }
        for (link, frame) in frames {
            let Some(tx) = self.links.get(&link) else {
                continue;
            };
            match tx.try_send(frame) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    // Last resort: congestion already held its entity frames and views back.
                    tracing::warn!(link, "edge link is not draining its frames; dropping it");
                    self.stats.slow.fetch_add(1, Ordering::Relaxed);
                    self.drop_link(link);
                }
                Err(TrySendError::Closed(_)) => self.drop_link(link),
            }
        }
        if self.sim.tick().is_multiple_of(self.save_every) {
            let dirty = self.sim.take_dirty();
            if !dirty.is_empty() {
                let _ = self.writes.send(DbWrite::Save(dirty));
            }
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
    }

    /// Links whose frame queue is less than a quarter free: the sync stage skips their entity
    /// frames and views this tick (command acks still go) and catches them up later.
    fn congested_links(&self) -> Vec<LinkId> {
        self.links
            .iter()
            .filter(|(_, tx)| is_congested(tx.capacity(), tx.max_capacity()))
            .map(|(link, _)| *link)
            .collect()
    }

    /// Forget a link: its writer sees the queue closed and closes the connection.
    fn drop_link(&mut self, link: LinkId) {
        self.links.remove(&link);
        self.sim.push(TickInput::LinkClosed { link });
    }

    fn log_stats(&mut self) {
        let w = std::mem::take(&mut self.window);
        metrics::log_summary(&w.samples, w.dropped, w.late);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn congested_under_a_quarter_free() {
        assert!(!is_congested(4096, 4096));
        assert!(!is_congested(1024, 4096));
        assert!(is_congested(1023, 4096));
        assert!(is_congested(0, 16));
    }
}
