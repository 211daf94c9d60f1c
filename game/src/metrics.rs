//! Measurements of a running region for the benchmark runner: per-tick wall times by system
//! set ([`TickSample`]), running totals ([`RegionStats`]) and, when enabled, the server's truth
//! of every entity after each tick ([`Truth`]); and the edge links refused at the TLS handshake
//! ([`LinkRefusals`]).
//!
//! The same measurements are exported to Prometheus by [`prom::RegionMetrics`] (with the
//! per-edge link series of [`edges`] and the database series of [`db`]), served on the
//! region's `/metrics`.

pub mod db;
pub(crate) mod edges;
pub(crate) mod notices;
pub mod prom;

pub use db::{DbMetrics, DbOp};
pub use edges::LinkDrop;
pub use prom::RegionMetrics;

use starlane_protocol::{EntityId, Hex};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Most tick samples kept for [`crate::RegionHandle::drain_tick_samples`]; older ones are
/// dropped when nobody drains them.
pub const SAMPLE_CAPACITY: usize = 100_000;

/// Wall time of one tick, whole and per system set, with the world's size at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickSample {
    /// Tick number.
    pub tick: u32,
    /// The whole tick: inputs, the four sets, handing frames to the links (nanoseconds).
    pub total_ns: u64,
    /// `RegionSet::Commands` (joins, leaves, commands).
    pub commands_ns: u64,
    /// `RegionSet::Simulation` (NPC plans, movement, spatial index).
    pub simulation_ns: u64,
    /// `RegionSet::Vision` (per-empire fog of war).
    pub vision_ns: u64,
    /// `RegionSet::Sync` (delta log, per-link entity frames, per-session views).
    pub sync_ns: u64,
    /// Entities in the world.
    pub entities: u32,
    /// Open sessions.
    pub sessions: u32,
}

/// Running totals of a region (monotonic counters, and the world's current size).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionStats {
    /// Ticks run.
    pub ticks: u64,
    /// Tick slots skipped because the loop fell too far behind.
    pub ticks_dropped: u64,
    /// Ticks whose whole duration exceeded the tick period.
    pub ticks_late: u64,
    /// Entities in the world after the last tick.
    pub entities: u32,
    /// Open sessions after the last tick.
    pub sessions: u32,
    /// Edge links that completed their hello.
    pub links_opened: u64,
    /// Link frames received from edges.
    pub frames_in: u64,
    /// Link frames sent to edges.
    pub frames_out: u64,
    /// Link bytes received (frames with their length prefix).
    pub bytes_in: u64,
    /// Link bytes sent (frames with their length prefix).
    pub bytes_out: u64,
    /// Periodic saves deferred because the database worker's queue was full.
    pub saves_deferred: u64,
    /// Link-ticks a congested edge link got no entity frame or views (it caught up later
    /// from the delta log, or with a reset).
    pub congested_link_ticks: u64,
    /// Edge connections refused at the TLS handshake (every reason of [`LinkRefusals`]).
    pub links_refused: u64,
    /// Commands accepted (applied), each at most once per client command stream.
    pub commands_applied: u64,
    /// Commands a client sent again (after moving edges) answered without applying them.
    pub commands_replayed: u64,
    /// Shots that hit (combat).
    pub combat_shots: u64,
    /// Units destroyed in combat.
    pub units_destroyed: u64,
}

/// Why an edge connection was refused at the link's TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    /// The edge presented no client certificate.
    NoClientCert,
    /// The certificate does not chain to the configured cluster CA (`link.ca_file`).
    UnknownCa,
    /// The certificate's SHA-256 is not pinned (`link.pins`, or the development edge file).
    NotPinned,
    /// The certificate is unusable: expired, not for client authentication, malformed.
    BadCertificate,
}

impl RefusalReason {
    /// Stable label for logs and metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::NoClientCert => "no_client_cert",
            Self::UnknownCa => "unknown_ca",
            Self::NotPinned => "not_pinned",
            Self::BadCertificate => "bad_certificate",
        }
    }
}

/// Edge connections refused at the link's TLS handshake, by reason (monotonic counters).
#[derive(Debug, Default)]
pub struct LinkRefusals {
    no_client_cert: AtomicU64,
    unknown_ca: AtomicU64,
    not_pinned: AtomicU64,
    bad_certificate: AtomicU64,
}

/// A copy of [`LinkRefusals`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkRefusalsSnapshot {
    /// See [`RefusalReason::NoClientCert`].
    pub no_client_cert: u64,
    /// See [`RefusalReason::UnknownCa`].
    pub unknown_ca: u64,
    /// See [`RefusalReason::NotPinned`].
    pub not_pinned: u64,
    /// See [`RefusalReason::BadCertificate`].
    pub bad_certificate: u64,
}

impl LinkRefusalsSnapshot {
    /// All refusals.
    pub fn total(&self) -> u64 {
        self.no_client_cert + self.unknown_ca + self.not_pinned + self.bad_certificate
    }
}

impl LinkRefusals {
    /// Count one refusal.
    pub fn count(&self, reason: RefusalReason) {
        let c = match reason {
            RefusalReason::NoClientCert => &self.no_client_cert,
            RefusalReason::UnknownCa => &self.unknown_ca,
            RefusalReason::NotPinned => &self.not_pinned,
            RefusalReason::BadCertificate => &self.bad_certificate,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Read all counters.
    pub fn snapshot(&self) -> LinkRefusalsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LinkRefusalsSnapshot {
            no_client_cert: g(&self.no_client_cert),
            unknown_ca: g(&self.unknown_ca),
            not_pinned: g(&self.not_pinned),
            bad_certificate: g(&self.bad_certificate),
        }
    }
}

/// The server's state of every entity right after one tick (bench only: see
/// `[bench] publish_truth`).
#[derive(Debug, Clone)]
pub struct Truth {
    /// The tick this state is the result of.
    pub tick: u32,
    /// When the tick's systems finished (before its frames were handed to the links).
    pub at: Instant,
    /// Position and health by entity id.
    pub entities: HashMap<EntityId, (Hex, u16)>,
}

/// Shared between the tick thread (writer) and the handle (reader).
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    samples: Mutex<VecDeque<TickSample>>,
    truth: Mutex<Option<Arc<Truth>>>,
    pub ticks: AtomicU64,
    pub ticks_dropped: AtomicU64,
    pub ticks_late: AtomicU64,
    pub entities: AtomicU32,
    pub sessions: AtomicU32,
    /// Edge links open as the tick sees them.
    pub links_open: AtomicU32,
    /// Periodic saves that found the database worker's queue full (their units stayed dirty
    /// and went with the next save).
    pub saves_deferred: AtomicU64,
    /// Link-ticks a congested link got no entity frame or views (it catches up later).
    pub congested_link_ticks: AtomicU64,
    /// Commands accepted (applied) so far.
    pub commands_applied: AtomicU64,
    /// Commands answered from the dedup window, not applied again.
    pub commands_replayed: AtomicU64,
    /// Shots that hit (combat).
    pub combat_shots: AtomicU64,
    /// Units destroyed in combat.
    pub units_destroyed: AtomicU64,
    /// Chat commands accepted (SPEC.md §21.1).
    pub chat_sent: AtomicU64,
    /// Chat messages handed to this region's sessions.
    pub chat_delivered: AtomicU64,
    /// Accepted chat dropped because the relay to the cluster's bus was full.
    pub chat_dropped: AtomicU64,
    /// Player operations (friends, mail, presence, greetings) handed to the database worker
    /// (SPEC.md §22).
    pub player_ops: AtomicU64,
    /// Player operations refused at once because the worker's queue was full.
    pub player_ops_refused: AtomicU64,
    /// Player notes received (from the bus, or this region's own without one).
    pub notes_received: AtomicU64,
    /// Messages from player notes handed to this region's sessions.
    pub notes_delivered: AtomicU64,
    /// Player notes dropped because the relay to the cluster's bus was full.
    pub notes_dropped: AtomicU64,
}

impl Metrics {
    /// Record one tick's sample (dropping the oldest beyond [`SAMPLE_CAPACITY`]).
    pub fn record(&self, sample: TickSample, late: bool) {
        self.ticks.fetch_add(1, Ordering::Relaxed);
        if late {
            self.ticks_late.fetch_add(1, Ordering::Relaxed);
        }
        self.entities.store(sample.entities, Ordering::Relaxed);
        self.sessions.store(sample.sessions, Ordering::Relaxed);
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        if samples.len() >= SAMPLE_CAPACITY {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// Take every buffered sample, oldest first.
    pub fn drain(&self) -> Vec<TickSample> {
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.drain(..).collect()
    }

    /// Replace the published truth.
    pub fn publish(&self, truth: Truth) {
        *self.truth.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(truth));
    }

    /// The last published truth.
    pub fn truth(&self) -> Option<Arc<Truth>> {
        self.truth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Median, 99th percentile and maximum of one duration series, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    /// Median.
    pub p50_us: u64,
    /// 99th percentile (nearest rank).
    pub p99_us: u64,
    /// Maximum.
    pub max_us: u64,
}

impl Spread {
    /// The spread of `values_ns` (nanoseconds), sorted in place.
    pub fn of(values_ns: &mut [u64]) -> Self {
        values_ns.sort_unstable();
        let at = |q: f64| -> u64 {
            if values_ns.is_empty() {
                return 0;
            }
            let rank = ((q * values_ns.len() as f64).ceil() as usize).clamp(1, values_ns.len());
            values_ns.get(rank - 1).copied().unwrap_or(0) / 1000
        };
        Self {
            p50_us: at(0.5),
            p99_us: at(0.99),
            max_us: values_ns.last().copied().unwrap_or(0) / 1000,
        }
    }
}

/// Log one info line summarising `window` (the ticks since the last summary).
pub(crate) fn log_summary(window: &[TickSample], dropped: u64, late: u64) {
    let Some(last) = window.last() else { return };
    let spread = |f: fn(&TickSample) -> u64| {
        let mut v: Vec<u64> = window.iter().map(f).collect();
        Spread::of(&mut v)
    };
    let total = spread(|s| s.total_ns);
    let (cmd, sim, vis, sync) = (
        spread(|s| s.commands_ns),
        spread(|s| s.simulation_ns),
        spread(|s| s.vision_ns),
        spread(|s| s.sync_ns),
    );
    tracing::info!(
        ticks = window.len(),
        tick = last.tick,
        entities = last.entities,
        sessions = last.sessions,
        total_p50_us = total.p50_us,
        total_p99_us = total.p99_us,
        total_max_us = total.max_us,
        commands_p99_us = cmd.p99_us,
        simulation_p99_us = sim.p99_us,
        vision_p99_us = vis.p99_us,
        sync_p99_us = sync.p99_us,
        dropped,
        late,
        "tick time"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_is_bounded_and_drains_in_order() {
        let m = Metrics::default();
        for tick in 0..(SAMPLE_CAPACITY as u32 + 5) {
            m.record(
                TickSample {
                    tick,
                    ..Default::default()
                },
                tick % 2 == 0,
            );
        }
        let all = m.drain();
        assert_eq!(all.len(), SAMPLE_CAPACITY);
        assert_eq!(all.first().map(|s| s.tick), Some(5));
        assert!(all.windows(2).all(|w| w[0].tick + 1 == w[1].tick));
        assert!(m.drain().is_empty());
        assert_eq!(m.ticks.load(Ordering::Relaxed), SAMPLE_CAPACITY as u64 + 5);
    }

    #[test]
    fn spread_uses_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(
            Spread::of(&mut v),
            Spread {
                p50_us: 50,
                p99_us: 99,
                max_us: 100
            }
        );
        assert_eq!(Spread::of(&mut []), Spread::default());
    }
}
