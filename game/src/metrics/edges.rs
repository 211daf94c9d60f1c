//! Per-edge link series (`starlane_region_link_queue_*`, `..._dropped_total`,
//! `..._congested_ticks_total`), labelled by the `edge_id` each edge sent in its `Hello`.
//!
//! The tick thread keeps one [`EdgeSeries`] per open link (label values resolved once) and
//! updates it after queueing the tick's frames; a link's series are removed when it closes, so
//! the number of series follows the open links. Edge ids are meant to be unique; two open
//! links with the same id share their series.

use super::prom::{counter_vec, register};
use prometheus::{IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use starlane_netcore::proto::link::LinkCounters;

/// Why the region dropped a frame for an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDrop {
    /// The link's queue was over its bounds: the frame was refused and the link shed
    /// (closed `Slow`).
    QueueFull,
    /// The frame exceeded the link's frame limit.
    TooLarge,
}

impl LinkDrop {
    /// Stable metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::QueueFull => "queue_full",
            Self::TooLarge => "too_large",
        }
    }
}

/// The per-edge vectors.
#[derive(Debug, Clone)]
pub(crate) struct EdgeVecs {
    queue_frames: IntGaugeVec,
    queue_bytes: IntGaugeVec,
    queue_bytes_peak: IntGaugeVec,
    dropped: IntCounterVec,
    congested: IntCounterVec,
}

fn gauge_vec(registry: &Registry, name: &str, help: &str) -> IntGaugeVec {
    let m = IntGaugeVec::new(Opts::new(name, help), &["edge"])
        .expect("metric names and labels are static and valid");
    register(registry, m)
}

impl EdgeVecs {
    pub fn register(r: &Registry) -> Self {
        Self {
            queue_frames: gauge_vec(
                r,
                "starlane_region_link_queue_frames",
                "Frames in the edge link's outgoing queue after the last tick queued its frames",
            ),
            queue_bytes: gauge_vec(
                r,
                "starlane_region_link_queue_bytes",
                "Bytes in the edge link's outgoing queue after the last tick queued its frames",
            ),
            queue_bytes_peak: gauge_vec(
                r,
                "starlane_region_link_queue_bytes_peak",
                "The most bytes the edge link's outgoing queue held since the link opened",
            ),
            dropped: counter_vec(
                r,
                "starlane_region_link_dropped_total",
                "Frames for the edge the region dropped, by reason",
                &["edge", "reason"],
            ),
            congested: counter_vec(
                r,
                "starlane_region_link_congested_ticks_total",
                "Ticks the edge link was congested and got no entity frame or views",
                &["edge"],
            ),
        }
    }

    /// The series of `edge` (created at zero if new).
    pub fn series(&self, edge: &str) -> EdgeSeries {
        let dropped = |d: LinkDrop| self.dropped.with_label_values(&[edge, d.label()]);
        EdgeSeries {
            edge: edge.to_owned(),
            queue_frames: self.queue_frames.with_label_values(&[edge]),
            queue_bytes: self.queue_bytes.with_label_values(&[edge]),
            queue_bytes_peak: self.queue_bytes_peak.with_label_values(&[edge]),
            queue_full: dropped(LinkDrop::QueueFull),
            too_large: dropped(LinkDrop::TooLarge),
            congested: self.congested.with_label_values(&[edge]),
            refused_seen: 0,
        }
    }

    /// Remove every series of `edge` (its last link closed).
    pub fn remove(&self, edge: &str) {
        let _ = self.queue_frames.remove_label_values(&[edge]);
        let _ = self.queue_bytes.remove_label_values(&[edge]);
        let _ = self.queue_bytes_peak.remove_label_values(&[edge]);
        let _ = self.congested.remove_label_values(&[edge]);
        for d in [LinkDrop::QueueFull, LinkDrop::TooLarge] {
            let _ = self.dropped.remove_label_values(&[edge, d.label()]);
        }
    }
}

/// One open link's series, as the tick thread updates them.
#[derive(Debug, Clone)]
pub(crate) struct EdgeSeries {
    /// The edge's id (the label value).
    pub edge: String,
    queue_frames: IntGauge,
    queue_bytes: IntGauge,
    queue_bytes_peak: IntGauge,
    queue_full: IntCounter,
    too_large: IntCounter,
    congested: IntCounter,
    /// `LinkCounters::refused` already counted.
    refused_seen: u64,
}

impl EdgeSeries {
    /// The link's queue after the tick queued its frames, and its counters.
    pub fn update(&mut self, frames: usize, bytes: usize, counters: &LinkCounters) {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.queue_frames.set(int(frames as u64));
        self.queue_bytes.set(int(bytes as u64));
        self.queue_bytes_peak.set(int(counters.queued_bytes_peak));
        self.queue_full
            .inc_by(counters.refused.saturating_sub(self.refused_seen));
        self.refused_seen = self.refused_seen.max(counters.refused);
    }

    /// A frame over the frame limit was dropped.
    pub fn too_large(&self) {
        self.too_large.inc();
    }

    /// The link was congested this tick.
    pub fn congested(&self) {
        self.congested.inc();
    }
}
