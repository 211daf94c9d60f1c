//! The region's Prometheus series (`starlane_region_*`, served on `/metrics`; every one is
//! listed in game/README.md, "Metrics").
//!
//! Three kinds of source feed them:
//! * the tick thread observes its histograms directly ([`RegionMetrics::observe_tick`]: five
//!   histogram observations per tick, on handles resolved once, so the tick pays a few atomic
//!   adds) and the per-edge link series ([`super::edges`]);
//! * the database worker and the store count saves and time their calls ([`super::db`]);
//! * the counters the runtime keeps anyway ([`Metrics`], [`LinkStats`], [`LinkRefusals`])
//!   are copied in when a scrape renders ([`RegionMetrics::render`]), so nothing is counted
//!   twice on the hot paths.

use super::db::DbMetrics;
use super::edges::EdgeVecs;
use super::notices::NoticeMetrics;
use super::{LinkRefusals, Metrics, RefusalReason, TickSample};
use crate::runtime::link::LinkStats;
use crate::world::RegionSet;
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    Opts, Registry, TextEncoder,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Buckets of the tick histograms (seconds): 50 µs to 1 s around the 50 ms period of 20 Hz.
const TICK_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0,
];

/// Register `m` in `registry`.
pub(super) fn register<M: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    m: M,
) -> M {
    registry
        .register(Box::new(m.clone()))
        .expect("each metric is registered once in a fresh registry");
    m
}

/// A histogram vector with static name, help, buckets and labels.
pub(super) fn histogram_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    buckets: &[f64],
    labels: &[&str],
) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    let m = HistogramVec::new(opts, labels)
        .expect("metric names, labels and buckets are static and valid");
    register(registry, m)
}

/// A counter vector with static name, help and labels.
pub(super) fn counter_vec(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> IntCounterVec {
    let m = IntCounterVec::new(Opts::new(name, help), labels)
        .expect("metric names and labels are static and valid");
    register(registry, m)
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    register(
        registry,
        IntCounter::new(name, help).expect("metric name is static and valid"),
    )
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    register(
        registry,
        IntGauge::new(name, help).expect("metric name is static and valid"),
    )
}

/// When the world was last saved in full: the state loaded at start counts as saved.
#[derive(Debug)]
pub(crate) struct SaveClock {
    base: Instant,
    /// Milliseconds after `base` of the last successful save.
    saved_ms: AtomicU64,
}

impl SaveClock {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            saved_ms: AtomicU64::new(0),
        }
    }

    /// A save succeeded now.
    pub fn saved(&self) {
        let ms = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.saved_ms.fetch_max(ms, Ordering::Relaxed);
    }

    /// Time since the last successful save.
    pub fn age(&self) -> Duration {
        let saved = Duration::from_millis(self.saved_ms.load(Ordering::Relaxed));
        self.base.elapsed().saturating_sub(saved)
    }
}

/// The tick histograms, resolved once.
#[derive(Debug, Clone)]
struct TickSeries {
    total: Histogram,
    /// One per [`RegionSet::ALL`], in order.
    sets: [Histogram; 4],
}

/// Series copied from the runtime's own counters at each scrape.
#[derive(Debug, Clone)]
struct Copied {
    ticks: IntCounter,
    ticks_late: IntCounter,
    ticks_dropped: IntCounter,
    entities: IntGauge,
    sessions: IntGauge,
    saves_deferred: IntCounter,
    snapshot_age: Gauge,
    links_open: IntGauge,
    links_opened: IntCounter,
    frames: IntCounterVec,
    bytes: IntCounterVec,
    closes: IntCounterVec,
    rejoins: IntCounter,
    queue_waits: IntCounterVec,
    refusals: IntCounterVec,
    queued_bytes_peak: IntGauge,
    commands_applied: IntCounter,
    combat_shots: IntCounter,
    units_destroyed: IntCounter,
    commands_replayed: IntCounter,
    chat_sent: IntCounter,
    chat_delivered: IntCounter,
    chat_dropped: IntCounter,
    player_ops: IntCounter,
    player_ops_refused: IntCounter,
    notes_received: IntCounter,
    notes_delivered: IntCounter,
    notes_dropped: IntCounter,
}

/// Every Prometheus series of one region, in a registry of its own.
#[derive(Debug, Clone)]
pub struct RegionMetrics {
    registry: Registry,
    tick: TickSeries,
    copied: Copied,
    /// Serialises scrapes: copying a counter is "add what it gained", read then add.
    copying: Arc<Mutex<()>>,
    pub(crate) edges: EdgeVecs,
    pub(crate) db: DbMetrics,
    pub(crate) notices: NoticeMetrics,
    pub(crate) save_clock: Arc<SaveClock>,
}

impl Default for RegionMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionMetrics {
    /// Create and register every series in a fresh registry.
    pub fn new() -> Self {
        let r = Registry::new();
        let sets = histogram_vec(
            &r,
            "starlane_region_tick_set_seconds",
            "Wall time of each system set per tick",
            TICK_BUCKETS,
            &["set"],
        );
        let total = register(
            &r,
            Histogram::with_opts(
                HistogramOpts::new(
                    "starlane_region_tick_seconds",
                    "Wall time of whole ticks (inputs, the four sets, handing frames to links)",
                )
                .buckets(TICK_BUCKETS.to_vec()),
            )
            .expect("metric name and buckets are static and valid"),
        );
        let tick = TickSeries {
            total,
            sets: RegionSet::ALL.map(|s| sets.with_label_values(&[s.label()])),
        };
        let snapshot_age = register(
            &r,
            Gauge::new(
                "starlane_region_snapshot_age_seconds",
                "Seconds since the world was last saved in full",
            )
            .expect("metric name is static and valid"),
        );
        let copied = Copied {
            ticks: counter(&r, "starlane_region_ticks_total", "Ticks run"),
            ticks_late: counter(
                &r,
                "starlane_region_ticks_late_total",
                "Ticks that took longer than the tick period (overruns)",
            ),
            ticks_dropped: counter(
                &r,
                "starlane_region_ticks_dropped_total",
                "Tick slots skipped because the loop fell too far behind",
            ),
            entities: gauge(&r, "starlane_region_entities", "Entities in the world"),
            sessions: gauge(&r, "starlane_region_sessions", "Open player sessions"),
            saves_deferred: counter(
                &r,
                "starlane_region_saves_deferred_total",
                "Periodic saves deferred because the database worker's queue was full",
            ),
            snapshot_age,
            links_open: gauge(&r, "starlane_region_links_open", "Open edge links"),
            links_opened: counter(
                &r,
                "starlane_region_links_opened_total",
                "Edge links that completed their hello",
            ),
            frames: counter_vec(
                &r,
                "starlane_region_link_frames_total",
                "Link frames received (in) and queued for sending (out)",
                &["direction"],
            ),
            bytes: counter_vec(
                &r,
                "starlane_region_link_bytes_total",
                "Link bytes received (in) and queued for sending (out), with length prefixes",
                &["direction"],
            ),
            closes: counter_vec(
                &r,
                "starlane_region_link_closes_total",
                "Edge links the region closed, by reason",
                &["reason"],
            ),
            rejoins: counter(
                &r,
                "starlane_region_link_rejoins_total",
                "Sessions an edge announced again after a lost link",
            ),
            queue_waits: counter_vec(
                &r,
                "starlane_region_queue_waits_total",
                "Link events that found an internal queue full and waited",
                &["queue"],
            ),
            refusals: counter_vec(
                &r,
                "starlane_region_link_refusals_total",
                "Edge connections refused at the link's TLS handshake, by reason",
                &["reason"],
            ),
            queued_bytes_peak: gauge(
                &r,
                "starlane_region_link_queued_bytes_peak",
                "The most bytes one link's outgoing queue held after a tick, since start",
            ),
            commands_applied: counter(
                &r,
                "starlane_region_commands_applied_total",
                "Player commands accepted and applied",
            ),
            commands_replayed: counter(
                &r,
                "starlane_region_commands_replayed_total",
                "Player commands received again (after a move) and answered from the dedup window, not applied again",
            ),
            combat_shots: counter(
                &r,
                "starlane_region_combat_shots_total",
                "Shots that hit in combat",
            ),
            units_destroyed: counter(
                &r,
                "starlane_region_units_destroyed_total",
                "Units destroyed in combat",
            ),
            chat_sent: counter(
                &r,
                "starlane_region_chat_sent_total",
                "Chat commands accepted (published on the cluster's bus, or delivered here without one)",
            ),
            chat_delivered: counter(
                &r,
                "starlane_region_chat_delivered_total",
                "Chat messages handed to this region's sessions",
            ),
            chat_dropped: counter(
                &r,
                "starlane_region_chat_dropped_total",
                "Accepted chat dropped because the relay to the cluster's bus was full",
            ),
            player_ops: counter(
                &r,
                "starlane_region_player_ops_total",
                "Friend, mail, presence and greeting operations handed to the database worker",
            ),
            player_ops_refused: counter(
                &r,
                "starlane_region_player_ops_refused_total",
                "Player operations refused (RateLimited) because the database worker's queue was full",
            ),
            notes_received: counter(
                &r,
                "starlane_region_social_notes_received_total",
                "Friend, mail and presence notes received (from the cluster's bus, or this region's own)",
            ),
            notes_delivered: counter(
                &r,
                "starlane_region_social_notes_delivered_total",
                "Messages from friend, mail and presence notes handed to this region's sessions",
            ),
            notes_dropped: counter(
                &r,
                "starlane_region_social_notes_dropped_total",
                "Friend, mail and presence notes dropped because the relay to the cluster's bus was full",
            ),
        };
        Self {
            tick,
            copied,
            copying: Arc::default(),
            edges: EdgeVecs::register(&r),
            db: DbMetrics::register(&r),
            notices: NoticeMetrics::register(&r),
            save_clock: Arc::new(SaveClock::new()),
            registry: r,
        }
    }

    /// Observe one tick's wall times (called by the tick thread after every tick; its cost is
    /// measured by `benches/tick_metrics.rs`).
    pub fn observe_tick(&self, sample: &TickSample) {
        let secs = |ns: u64| ns as f64 / 1e9;
        self.tick.total.observe(secs(sample.total_ns));
        let sets = [
            sample.commands_ns,
            sample.simulation_ns,
            sample.vision_ns,
            sample.sync_ns,
        ];
        for (h, ns) in self.tick.sets.iter().zip(sets) {
            h.observe(secs(ns));
        }
    }

    /// The registry, for exporting or adding series.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Copy the runtime's counters in, then the Prometheus text exposition of every series.
    pub(crate) fn render(
        &self,
        metrics: &Metrics,
        stats: &LinkStats,
        refusals: &LinkRefusals,
    ) -> String {
        self.copy(metrics, stats, refusals);
        let mut buf = Vec::new();
        // Encoding into a Vec only fails on invalid metric families, which registration prevents.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        String::from_utf8_lossy(&buf).into_owned()
    }

    fn copy(&self, metrics: &Metrics, stats: &LinkStats, refusals: &LinkRefusals) {
        let _one_at_a_time = self.copying.lock().unwrap_or_else(PoisonError::into_inner);
        let c = &self.copied;
        let to = |counter: &IntCounter, now: u64| counter.inc_by(now.saturating_sub(counter.get()));
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        to(&c.ticks, load(&metrics.ticks));
        to(&c.ticks_late, load(&metrics.ticks_late));
        to(&c.ticks_dropped, load(&metrics.ticks_dropped));
        to(&c.saves_deferred, load(&metrics.saves_deferred));
        to(&c.commands_applied, load(&metrics.commands_applied));
        to(&c.commands_replayed, load(&metrics.commands_replayed));
        to(&c.combat_shots, load(&metrics.combat_shots));
        to(&c.units_destroyed, load(&metrics.units_destroyed));
        to(&c.chat_sent, load(&metrics.chat_sent));
        to(&c.chat_delivered, load(&metrics.chat_delivered));
        to(&c.chat_dropped, load(&metrics.chat_dropped));
        to(&c.player_ops, load(&metrics.player_ops));
        to(&c.player_ops_refused, load(&metrics.player_ops_refused));
        to(&c.notes_received, load(&metrics.notes_received));
        to(&c.notes_delivered, load(&metrics.notes_delivered));
        to(&c.notes_dropped, load(&metrics.notes_dropped));
        c.entities
            .set(i64::from(metrics.entities.load(Ordering::Relaxed)));
        c.sessions
            .set(i64::from(metrics.sessions.load(Ordering::Relaxed)));
        c.links_open
            .set(i64::from(metrics.links_open.load(Ordering::Relaxed)));
        c.snapshot_age.set(self.save_clock.age().as_secs_f64());
        let s = stats.snapshot();
        to(&c.links_opened, s.links_opened);
        let dir =
            |v: &IntCounterVec, label: &str, now: u64| to(&v.with_label_values(&[label]), now);
        dir(&c.frames, "in", s.frames_in);
        dir(&c.frames, "out", s.frames_out);
        dir(&c.bytes, "in", s.bytes_in);
        dir(&c.bytes, "out", s.bytes_out);
        dir(&c.closes, "malformed", s.malformed);
        dir(&c.closes, "oversized", s.oversized);
        dir(&c.closes, "bad_hello", s.bad_hello);
        dir(&c.closes, "slow", s.slow);
        to(&c.rejoins, s.rejoins);
        dir(&c.queue_waits, "tick_inputs", s.tick_queue_waits);
        dir(&c.queue_waits, "db_requests", s.db_queue_waits);
        c.queued_bytes_peak
            .set(i64::try_from(s.queued_bytes_peak).unwrap_or(i64::MAX));
        let r = refusals.snapshot();
        let refused = [
            (RefusalReason::NoClientCert, r.no_client_cert),
            (RefusalReason::UnknownCa, r.unknown_ca),
            (RefusalReason::NotPinned, r.not_pinned),
            (RefusalReason::BadCertificate, r.bad_certificate),
        ];
        for (reason, n) in refused {
            dir(&c.refusals, reason.label(), n);
        }
    }
}
