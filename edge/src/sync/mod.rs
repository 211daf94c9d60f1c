//! Per-client update scheduling under a bandwidth budget, independent of the wire format.
//!
//! A [`PriorityQueue`] tracks the entities one client can see. Every send tick the edge calls
//! [`PriorityQueue::accumulate`], which adds `relation weight × kind multiplier × distance tier
//! weight` (all from the client's [`BandwidthProfile`](crate::bandwidth::BandwidthProfile)) to
//! every entity's priority, then [`PriorityQueue::fill`], which plans this tick's datagrams
//! ([`PacketPlan`]) within the client's [`ByteBudget`](starlane_netcore::proto::budget::ByteBudget).
//! The queue does not encode: it only has to be told how many bytes each entity will take
//! ([`SessionSync`] encodes the planned packets).
//!
//! On top of that, [`Mirror`] holds the entity states the region sends the edge, and
//! [`SessionSync`] runs one client: view changes, the pending/clean state of each visible
//! entity (a clean one, which the client already has, takes no bytes and does not age: see
//! [`PriorityQueue::set_pending`]), reliable events resent until acknowledged, RTT from acks,
//! and the encoding of each planned packet as a `ServerMsg::EntityPacket` datagram.
//!
//! # Order within a tick
//!
//! 1. Reliable events, in the order given: they count against the same budget, and nothing
//!    else is planned while one of them is refused.
//! 2. Own units with a pending change ([`PriorityQueue::mark_changed`]), highest priority
//!    first. This is the own-unit rule: a changed own unit is sent on the next tick whenever
//!    the budget carries the reliable events and the changed own units, so its state is never
//!    more than one send tick old (the platform asks for at most two).
//! 3. Due entities, oldest first. An entity is due once its age (time since it was last
//!    planned, or since it became visible) would exceed `max_staleness_ms` by the next tick,
//!    that is once `age + send interval > max_staleness_ms`: this is the starvation bound. It
//!    is also due earlier when it and the entities older than it could not all be carried by
//!    the budget's earnings over the ticks left before their deadlines, so a backlog that
//!    would go stale together (say, everything that came into view at once) is spread over
//!    the ticks before its deadline instead of overrunning it.
//! 4. Everything else by accumulated priority, highest first; ties go to the lower id.
//!
//! Planning stops at the first item the budget cannot carry, so a high-priority entity is never
//! overtaken by a smaller, less important one; whatever is not planned keeps its priority and
//! keeps accumulating. Planned entities restart at priority 0 and age 0.
//!
//! # Staleness bound
//!
//! When the budget carries every visible entity once per `max_staleness_ms` (with some headroom
//! for headers and changed own units), every entity is planned by its deadline, so no age
//! exceeds `max_staleness_ms`; the documented tolerance is one more send interval, for the
//! packing slack the capacity estimate does not model. When the budget cannot carry that,
//! the due entities take the whole budget, oldest first, which degrades to a round robin:
//! ages are then bounded by about
//! `entities × bytes per entity / bytes_per_sec` (plus header overhead and the own-unit sends).
//!
//! # Packets
//!
//! Every datagram is at most `max_packet_bytes`, [`PACKET_HEADER_BYTES`] of which are reserved
//! for the encoder's framing ([`SessionSync`] reserves the exact bound for the tick and
//! health step instead, [`header_bound`], through [`PriorityQueue::fill_with_header`]; 12
//! bytes cover ticks below 2^28 with steps below 128). A packet is planned only when the budget grants its whole size
//! ([`ByteBudget::try_consume`](starlane_netcore::proto::budget::ByteBudget::try_consume)), so the
//! budget is never exceeded; when less than a full packet is available the last packet is
//! made smaller. An item larger than [`max_payload`] is never planned: the caller fragments
//! reliable events, and an oversized entity is skipped (it stays queued).

mod anchors;
mod baseline;
mod events;
#[cfg(test)]
mod feed_tests;
mod fill;
#[cfg(test)]
mod idle_tests;
mod mirror;
mod queue;
mod session;
#[cfg(test)]
mod session_tests;
mod timers;
mod transmit;

pub use baseline::{ClientBaselines, MAX_TRACKED_PACKETS};
pub use mirror::Mirror;
pub use queue::{
    EntityInfo, PACKET_HEADER_BYTES, PacketPlan, PriorityQueue, Relation, max_payload,
};
pub use starlane_netcore::proto::rtt::{RttConfig, RttEstimator};
use std::time::Duration;

/// Bounds of the sync layer's resend timeout (netcore's one RTT estimator): 250 ms before any
/// sample, then `srtt + 4 rttvar` within 50 ms..=1 s.
pub const SYNC_RTT: RttConfig = RttConfig {
    initial_rto: Duration::from_millis(250),
    min_rto: Duration::from_millis(50),
    max_rto: Duration::from_secs(1),
    granularity: Duration::ZERO,
};
pub use session::{
    CLIENT_BASELINE_WINDOW, DISTANCE_REFRESH_TICKS, MAX_DISTANCE_ANCHORS, SessionSync, SyncStats,
};
pub use transmit::header_bound;
