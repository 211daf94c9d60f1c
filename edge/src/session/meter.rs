//! What a session's driver reports once a second: its delta-sync counters into the
//! per-profile metrics ([`SyncMeter`]), and profile reloads into its sync ([`ProfileWatch`]).

use super::core::SessionCore;
use super::profiles::ProfileStore;
use crate::bandwidth::NamedProfile;
use crate::metrics::EdgeMetrics;
use crate::sync::SyncStats;
use std::time::Instant;

/// Turns a session's cumulative [`SyncStats`] into per-profile metric increments.
#[derive(Debug)]
pub(super) struct SyncMeter {
    profile: String,
    last: SyncStats,
    last_at: Instant,
    /// This session's contribution to the queued-priority and visible gauges.
    queued_priority: f64,
    visible: f64,
}

impl SyncMeter {
    pub(super) fn new(profile: &NamedProfile) -> Self {
        Self {
            profile: profile.name.clone(),
            last: SyncStats::default(),
            last_at: Instant::now(),
            queued_priority: 0.0,
            visible: 0.0,
        }
    }

    /// Reports what the session sent since the previous flush.
    pub(super) fn flush(&mut self, core: &mut SessionCore, metrics: &EdgeMetrics) {
        let now = Instant::now();
        let rate = core.profile().map_or(0, |p| p.profile.bytes_per_sec);
        let Some(sync) = core.sync_mut() else {
            return;
        };
        let m = &metrics.sync;
        let label = [self.profile.as_str()];
        let stats = *sync.stats();
        let d = |now: u64, then: u64| now.saturating_sub(then);
        let bytes = d(stats.bytes, self.last.bytes);
        m.bytes.with_label_values(&label).inc_by(bytes);
        m.packets
            .with_label_values(&label)
            .inc_by(d(stats.packets, self.last.packets));
        let full = d(stats.full_records, self.last.full_records);
        let records = d(stats.records, self.last.records);
        let p = self.profile.as_str();
        m.records.with_label_values(&[p, "full"]).inc_by(full);
        m.records
            .with_label_values(&[p, "delta"])
            .inc_by(records.saturating_sub(full));
        m.events_resent
            .with_label_values(&label)
            .inc_by(d(stats.events_resent, self.last.events_resent));
        m.acks
            .with_label_values(&[p, "ok"])
            .inc_by(d(stats.acks, self.last.acks) as f64);
        m.acks
            .with_label_values(&[p, "ignored"])
            .inc_by(d(stats.acks_ignored, self.last.acks_ignored) as f64);
        let elapsed = now.saturating_duration_since(self.last_at).as_secs_f64();
        if rate > 0 && elapsed > 0.0 {
            m.utilisation
                .with_label_values(&label)
                .observe(bytes as f64 / (f64::from(rate) * elapsed));
        }
        let staleness = m.staleness.with_label_values(&label);
        for ms in sync.drain_staleness_ms() {
            staleness.observe(f64::from(ms) / 1000.0);
        }
        let queued = sync.queued_priority();
        m.queued_priority
            .with_label_values(&label)
            .add(queued - self.queued_priority);
        self.queued_priority = queued;
        let visible = sync.visible() as f64;
        m.visible
            .with_label_values(&label)
            .add(visible - self.visible);
        self.visible = visible;
        self.last = stats;
        self.last_at = now;
    }

    /// Takes this session's share out of the gauges (it ended).
    pub(super) fn retire(&mut self, metrics: &EdgeMetrics) {
        let label = [self.profile.as_str()];
        let m = &metrics.sync;
        m.queued_priority
            .with_label_values(&label)
            .sub(self.queued_priority);
        m.visible.with_label_values(&label).sub(self.visible);
        self.queued_priority = 0.0;
        self.visible = 0.0;
    }
}

/// Notices profile reloads and hands the session the new version of its profile.
#[derive(Debug)]
pub(super) struct ProfileWatch {
    name: String,
    generation: u64,
}

impl ProfileWatch {
    pub(super) fn new(store: &ProfileStore, profile: &NamedProfile) -> Self {
        Self {
            name: profile.name.clone(),
            generation: store.generation(),
        }
    }

    /// After a reload, gives `core` the reloaded profile of the same name. A profile removed
    /// by the reload leaves the session on the version it has.
    pub(super) fn refresh(&mut self, core: &mut SessionCore, store: &ProfileStore, now: Instant) {
        let generation = store.generation();
        if generation == self.generation {
            return;
        }
        self.generation = generation;
        if let Some(profile) = store.get(&self.name) {
            core.set_profile(profile, now);
        }
    }
}
