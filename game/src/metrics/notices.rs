//! Notices the region sent to sessions' clients (`starlane_region_notices_sent_total{kind}`)
//! and those it did not send (`starlane_region_notices_unsent_total{kind,reason}`: `link_version`
//! when the session's edge link is older than link version 5, which has no `Notice` frame).

use super::prom::counter_vec;
use prometheus::{IntCounterVec, Registry};
use starlane_protocol::NoticeKind;

/// The notice counters.
#[derive(Debug, Clone)]
pub(crate) struct NoticeMetrics {
    sent: IntCounterVec,
    unsent: IntCounterVec,
}

/// The metric label of a notice kind code.
fn kind_label(kind: u8) -> &'static str {
    match NoticeKind::from_u8(kind) {
        Some(NoticeKind::Broadcast) => "broadcast",
        Some(NoticeKind::Revoked) => "revoked",
        Some(NoticeKind::WorldRestored) => "world_restored",
        None => "unknown",
    }
}

impl NoticeMetrics {
    pub fn register(r: &Registry) -> Self {
        Self {
            sent: counter_vec(
                r,
                "starlane_region_notices_sent_total",
                "Notices queued for sessions' clients on their edge links, by kind",
                &["kind"],
            ),
            unsent: counter_vec(
                r,
                "starlane_region_notices_unsent_total",
                "Notices not sent, by kind and reason (link_version: the edge link predates notices)",
                &["kind", "reason"],
            ),
        }
    }

    /// A notice of `kind` (a `NoticeKind` code) was queued on its link.
    pub fn sent(&self, kind: u8) {
        self.sent.with_label_values(&[kind_label(kind)]).inc();
    }

    /// A notice of `kind` was not sent, for `reason`.
    pub fn unsent(&self, kind: u8, reason: &str) {
        self.unsent
            .with_label_values(&[kind_label(kind), reason])
            .inc();
    }
}
