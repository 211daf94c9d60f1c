//! The emulator of one direction of a path: datagrams in, delayed and impaired datagrams out.

use super::config::{ConfigError, ImpairmentConfig};
use super::model::{Bottleneck, LossModel, Streams, chance, draw_delay, millis};
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// What an [`Emulator`] did with the datagrams it was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmulatorStats {
    /// Datagrams given to [`Emulator::send`].
    pub sent: u64,
    /// Datagrams handed out by [`Emulator::poll_deliver`] (duplicates included).
    pub delivered: u64,
    /// Datagrams dropped by the loss model.
    pub lost: u64,
    /// Extra copies scheduled by the duplication option.
    pub duplicated: u64,
    /// Deliveries of a datagram after one that was sent later (by jitter or `reorder`).
    pub reordered: u64,
    /// Datagrams dropped because the rate limit's queue was full.
    pub dropped_queue: u64,
    /// Datagrams dropped for being larger than the MTU.
    pub dropped_mtu: u64,
}

impl EmulatorStats {
    /// Field-wise sum.
    pub fn add(&mut self, other: &EmulatorStats) {
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.reordered += other.reordered;
        self.dropped_queue += other.dropped_queue;
        self.dropped_mtu += other.dropped_mtu;
    }

    /// Field-wise difference from an earlier snapshot of the same counters.
    pub fn since(&self, earlier: &EmulatorStats) -> EmulatorStats {
        EmulatorStats {
            sent: self.sent.saturating_sub(earlier.sent),
            delivered: self.delivered.saturating_sub(earlier.delivered),
            lost: self.lost.saturating_sub(earlier.lost),
            duplicated: self.duplicated.saturating_sub(earlier.duplicated),
            reordered: self.reordered.saturating_sub(earlier.reordered),
            dropped_queue: self.dropped_queue.saturating_sub(earlier.dropped_queue),
            dropped_mtu: self.dropped_mtu.saturating_sub(earlier.dropped_mtu),
        }
    }

    /// Datagrams dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.lost + self.dropped_queue + self.dropped_mtu
    }
}

/// A datagram on its way, ordered by due time then by the order it was scheduled.
#[derive(Debug)]
struct InFlight {
    due: Instant,
    order: u64,
    /// Index of the original datagram among those sent (copies share it).
    id: u64,
    data: Vec<u8>,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for InFlight {}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.order).cmp(&(other.due, other.order))
    }
}

/// A seeded, sans-IO network emulator for one direction of a path.
///
/// Feed datagrams with [`send`](Emulator::send), take the ones that are due with
/// [`poll_deliver`](Emulator::poll_deliver), and wake up at
/// [`poll_timeout`](Emulator::poll_timeout). The emulator reads no clock: time is whatever
/// the caller passes, so the same seed and the same calls give the same output.
///
/// A datagram goes through, in order: the MTU check, the loss model, the rate-limited queue
/// (it leaves the queue when its last byte is on the link), then the delay (latency, jitter,
/// and `reorder`'s extra hold), and may be duplicated (each copy gets its own delay).
#[derive(Debug)]
pub struct Emulator {
    cfg: ImpairmentConfig,
    streams: Streams,
    loss: LossModel,
    bottleneck: Option<Bottleneck>,
    reorder_extra: Duration,
    in_flight: BinaryHeap<Reverse<InFlight>>,
    next_id: u64,
    next_order: u64,
    /// With `preserve_order`: the due time of the last datagram scheduled.
    last_due: Option<Instant>,
    /// The highest id delivered so far (to count reordering).
    highest_delivered: Option<u64>,
    stats: EmulatorStats,
}

impl Emulator {
    /// An emulator for `cfg`; fails if the config does not [validate](ImpairmentConfig::validate).
    pub fn new(cfg: ImpairmentConfig) -> Result<Emulator, ConfigError> {
        cfg.validate()?;
        Ok(Emulator {
            streams: Streams::new(cfg.seed),
            loss: LossModel::new(&cfg),
            bottleneck: cfg
                .rate_limit_bytes_per_sec
                .map(|rate| Bottleneck::new(rate, cfg.queue_bytes)),
            reorder_extra: millis(cfg.reorder_extra_ms),
            in_flight: BinaryHeap::new(),
            next_id: 0,
            next_order: 0,
            last_due: None,
            highest_delivered: None,
            stats: EmulatorStats::default(),
            cfg,
        })
    }

    /// The config this emulator runs.
    pub fn config(&self) -> &ImpairmentConfig {
        &self.cfg
    }

    /// Give the emulator a datagram sent at `now`.
    pub fn send(&mut self, now: Instant, datagram: Vec<u8>) {
        self.stats.sent += 1;
        let id = self.next_id;
        self.next_id += 1;
        if self.cfg.mtu.is_some_and(|mtu| datagram.len() > mtu) {
            self.stats.dropped_mtu += 1;
            return;
        }
        if self.loss.lose(&mut self.streams.loss) {
            self.stats.lost += 1;
            return;
        }
        let departs = match &mut self.bottleneck {
            None => now,
            Some(bottleneck) => match bottleneck.admit(now, datagram.len()) {
                Some(departs) => departs,
                None => {
                    self.stats.dropped_queue += 1;
                    return;
                }
            },
        };
        if chance(&mut self.streams.duplicate, self.cfg.duplicate) {
            self.stats.duplicated += 1;
            self.schedule(departs, id, datagram.clone());
        }
        self.schedule(departs, id, datagram);
    }

    /// Put one copy on its way, leaving the link at `departs`.
    fn schedule(&mut self, departs: Instant, id: u64, data: Vec<u8>) {
        let mut due = departs + draw_delay(&self.cfg, &mut self.streams.delay);
        if chance(&mut self.streams.reorder, self.cfg.reorder) {
            due += self.reorder_extra;
        }
        if self.cfg.preserve_order {
            due = self.last_due.map_or(due, |last| last.max(due));
            self.last_due = Some(due);
        }
        let order = self.next_order;
        self.next_order += 1;
        self.in_flight.push(Reverse(InFlight {
            due,
            order,
            id,
            data,
        }));
    }

    /// The next datagram due at or before `now`, if any. Call until it returns `None`.
    pub fn poll_deliver(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.in_flight.peek()?.0.due > now {
            return None;
        }
        let Reverse(packet) = self.in_flight.pop()?;
        self.stats.delivered += 1;
        match self.highest_delivered {
            Some(highest) if packet.id < highest => self.stats.reordered += 1,
            _ => self.highest_delivered = Some(packet.id),
        }
        Some(packet.data)
    }

    /// When the next datagram is due, if any is on its way.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.in_flight.peek().map(|packet| packet.0.due)
    }

    /// Datagrams on their way (queued or delayed).
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The counters so far.
    pub fn stats(&self) -> EmulatorStats {
        self.stats
    }
}
