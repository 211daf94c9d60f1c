//! [`SessionSync`]: one client's delta sync state, sans-IO.
//!
//! It joins the pieces of this module for one session: the entities the client can see
//! ([`PriorityQueue`], fed by the region's [`ViewChange`]s and the edge's [`Mirror`]), what the
//! client has acknowledged ([`ClientBaselines`]), its [`ByteBudget`], and its reliable events.
//! [`SessionSync::poll_transmit`] turns them into `ServerMsg::EntityPacket` datagrams at the
//! profile's send rate (see `transmit.rs`); [`SessionSync::poll_timeout`] says when it next
//! has work, so an idle session is not ticked.
//!
//! # What needs sending
//!
//! An entity is *pending* when its mirrored state differs from what the client holds: it is
//! not equal to the acknowledged baseline (health compared after quantization), and not equal
//! to the state last sent less than one resend timeout ago. The timeout (RTO) comes from the
//! round-trip times measured by acks. Clean entities take no bytes and do not age. A pending
//! own unit is marked changed so it is planned first.

use super::anchors::Anchors;
use super::events::EventQueue;
use super::timers::ResendTimers;
use super::{ClientBaselines, EntityInfo, Mirror, PriorityQueue, Relation};
use super::{RttEstimator, SYNC_RTT};
use crate::bandwidth::BandwidthProfile;
use rustc_hash::{FxHashMap, FxHashSet};
use starlane_netcore::proto::budget::ByteBudget;
use starlane_protocol::delta::{Event, quantize};
use starlane_protocol::link::ViewChange;
use starlane_protocol::{EmpireId, EntityId, EntityState, Hex, NEUTRAL_EMPIRE};
use std::time::{Duration, Instant};

/// Oldest baseline used, in packets. Native and web clients keep the states of the 64 packets
/// up to the newest one they received, so a delta is decodable only while its baseline is
/// within 64 packets of the client's newest; 16 packets are left for reordering (a packet
/// overtaken by later ones is decoded against a newer "newest"). A record the client cannot
/// decode is still acknowledged with its packet (SPEC.md §16 has no negative ack), which would
/// leave the entity wrong at the client until it changes again: hence the margin.
pub const CLIENT_BASELINE_WINDOW: u16 = 48;

/// Send ticks between recomputations of every visible entity's distance to the nearest own
/// unit (entities entering view get theirs at once).
pub const DISTANCE_REFRESH_TICKS: u64 = 10;

/// Most own units used for distances; beyond this the first ones by id stand for all.
pub const MAX_DISTANCE_ANCHORS: usize = 256;

/// Cumulative counters of one [`SessionSync`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SyncStats {
    /// Datagram bytes produced by [`SessionSync::poll_transmit`].
    pub bytes: u64,
    /// Datagrams produced.
    pub packets: u64,
    /// Entity records sent.
    pub records: u64,
    /// Entity records sent without a baseline (full states).
    pub full_records: u64,
    /// Events sent for the first time.
    pub events_sent: u64,
    /// Events sent again because no packet carrying them was acknowledged in time.
    pub events_resent: u64,
    /// Acks handled.
    pub acks: u64,
    /// Acks naming a packet not sent or no longer remembered (nothing changed).
    pub acks_ignored: u64,
    /// Ids entering view, or visible at a send tick, that the mirror does not hold (skipped).
    pub missing_in_mirror: u64,
    /// Events replaced by a newer one of the same key, or withdrawn, before acknowledgement.
    pub events_superseded: u64,
    /// Planned packets whose encoding came out larger than `max_packet_bytes` (dropped, never
    /// expected: the planner's sizes are upper bounds).
    pub oversize_packets: u64,
}

/// What the session remembers of one visible entity.
#[derive(Debug, Clone, Default)]
pub(super) struct Tracked {
    /// The state last put in a packet, when, and that packet's seq.
    pub(super) last_sent: Option<(EntityState, Instant, u16)>,
    /// The send tick ([`SessionSync::ticks`]) whose fired resend deadline last refreshed it,
    /// plus one (0: never): the same tick's change log need not refresh it again.
    pub(super) timer_tick: u64,
}

/// One client's sync state.
///
/// A visible entity is *pending* while its mirrored state differs from what the client holds:
/// not equal to the acknowledged baseline (health compared after quantization) and not equal
/// to the state last sent less than one resend timeout ago; the timeout comes from the RTT
/// measured by acks ([`SessionSync::rto`]). A pending own unit goes first. Events are resent
/// after the same timeout until a packet carrying them is acknowledged.
#[derive(Debug)]
pub struct SessionSync {
    pub(super) empire: EmpireId,
    pub(super) interval: Duration,
    pub(super) max_packet: usize,
    pub(super) health_step: u16,
    pub(super) queue: PriorityQueue,
    pub(super) baselines: ClientBaselines,
    pub(super) budget: ByteBudget,
    pub(super) events: EventQueue,
    pub(super) rtt: RttEstimator,
    /// The newest acked seq that gave an RTT sample.
    last_sampled: Option<u16>,
    pub(super) tracked: FxHashMap<EntityId, Tracked>,
    /// Visible own units.
    pub(super) own: FxHashSet<EntityId>,
    /// Positions of own units as of the last distance refresh.
    anchors: Anchors,
    /// Entities the mirror changed since the last distance refresh (may repeat): while the
    /// anchors stay, only their distances can have changed.
    pub(super) moved: Vec<EntityId>,
    /// Resend deadlines of clean entities whose state is in flight.
    pub(super) timers: ResendTimers,
    /// The mirror version seen at the last look (a send tick, or a frame that woke it).
    pub(super) mirror_version: Option<u64>,
    /// What the edge's hub fed since the last look ([`SessionSync::feed_changes`]); once
    /// fed, the mirror's log is no longer read.
    pub(super) fed: Fed,
    pub(super) next_send: Instant,
    pub(super) ticks: u64,
    pub(super) stats: SyncStats,
    pub(super) staleness: Vec<u32>,
}

impl SessionSync {
    /// A session of `empire` sending under `profile`, first send tick at `now`.
    pub fn new(profile: &BandwidthProfile, empire: EmpireId, now: Instant) -> Self {
        let mut sync = Self {
            empire,
            interval: Duration::ZERO,
            max_packet: 0,
            health_step: 1,
            queue: PriorityQueue::new(profile),
            baselines: ClientBaselines::new().with_max_age(CLIENT_BASELINE_WINDOW),
            budget: ByteBudget::new(
                u64::from(profile.bytes_per_sec),
                u64::from(profile.burst_bytes),
                now,
            ),
            events: EventQueue::new(profile.max_pending_events as usize),
            rtt: RttEstimator::new(SYNC_RTT),
            last_sampled: None,
            tracked: FxHashMap::default(),
            own: FxHashSet::default(),
            anchors: Anchors::default(),
            moved: Vec::new(),
            timers: ResendTimers::default(),
            mirror_version: None,
            fed: Fed::Log,
            next_send: now,
            ticks: 0,
            stats: SyncStats::default(),
            staleness: Vec::new(),
        };
        sync.apply_profile(profile);
        sync
    }

    fn apply_profile(&mut self, profile: &BandwidthProfile) {
        self.interval = Duration::from_secs(1) / profile.send_rate_hz.max(1);
        self.max_packet = usize::try_from(profile.max_packet_bytes).unwrap_or(usize::MAX);
        self.health_step = profile.quantization.health_step.max(1);
        self.baselines
            .set_position_bits(profile.quantization.position_delta_bits);
    }

    /// Switches to `profile` (reload): visible entities, baselines, events and the tokens
    /// already earned are kept.
    pub fn set_profile(&mut self, profile: &BandwidthProfile, now: Instant) {
        self.apply_profile(profile);
        self.queue.set_profile(profile);
        self.budget.set_rate(
            now,
            u64::from(profile.bytes_per_sec),
            u64::from(profile.burst_bytes),
        );
    }

    /// Applies the region's view change: `left` entities are dropped and a `Disappeared`
    /// event queued, `entered` ones start being synced (ids the mirror lacks are skipped and
    /// counted), `vision` changes become `Vision` events.
    pub fn handle_view(&mut self, now: Instant, view: &ViewChange, mirror: &Mirror) {
        for &id in &view.left {
            if self.tracked.remove(&id).is_some() {
                self.queue.remove(id);
                self.baselines.forget(id);
                self.own.remove(&id);
                self.events.push(Event::Disappeared { id });
            }
        }
        for &id in &view.entered {
            let Some(state) = mirror.get(id) else {
                self.stats.missing_in_mirror += 1;
                continue;
            };
            if !self.tracked.contains_key(&id) {
                self.events.withdraw_disappeared(id);
                self.tracked.insert(id, Tracked::default());
                let info = self.info_of(state);
                self.queue.insert(id, info, now);
            }
            self.refresh(id, now, mirror, false);
        }
        for change in &view.vision {
            self.events.push(Event::Vision {
                hex: change.hex,
                state: change.state,
            });
        }
        self.stats.events_superseded = self.events.superseded;
    }

    /// Queues a reliable event from the region (`Resource`, `CommandAck`, `CommandRejected`;
    /// a newer `Resource` of the same kind supersedes an unsent one).
    pub fn push_event(&mut self, event: Event) {
        self.events.push(event);
        self.stats.events_superseded = self.events.superseded;
    }

    /// Applies the client's `Ack { newest, mask }`: measures the round trip to `newest` (when
    /// it is the newest acknowledged so far), advances baselines and drops the acknowledged
    /// events. An ack of a packet never sent or no longer remembered is counted and ignored.
    pub fn handle_ack(&mut self, now: Instant, newest: u16, mask: u32) {
        self.stats.acks += 1;
        let Some(sent_at) = self.baselines.sent_at(newest) else {
            self.stats.acks_ignored += 1;
            return;
        };
        let fresh = self
            .last_sampled
            .is_none_or(|last| (1..0x8000).contains(&newest.wrapping_sub(last)));
        if fresh {
            self.rtt.on_sample(now.saturating_duration_since(sent_at));
            self.last_sampled = Some(newest);
        }
        let acked = self.baselines.handle_ack(newest, mask);
        self.events.acknowledge(&acked);
    }

    /// The next send tick: `now` at [`SessionSync::new`], then one send interval after each
    /// [`SessionSync::poll_transmit`] that was due.
    pub fn next_send(&self) -> Instant {
        self.next_send
    }

    /// When [`SessionSync::poll_transmit`] next has work: the next send tick while an entity
    /// is pending or an event waits to be sent; else the earliest resend deadline (of an
    /// entity or an event), not before the next send tick.
    /// `None` when there is none: an idle session costs nothing until a view change, an event
    /// or a mirror frame that changed what it sees reaches it.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.queue.pending_len() > 0 {
            return Some(self.next_send);
        }
        let resend = self.timers.next_deadline();
        let event = self.events.next_due(self.rtt.rto(), self.next_send);
        resend
            .into_iter()
            .chain(event)
            .min()
            .map(|due| due.max(self.next_send))
    }

    /// A new region frame reached the mirror at `now`: its changes to what the client sees
    /// are absorbed at once (a frame that changed none of them leaves the session idle), and
    /// the session sends at once when something is pending and the next send tick is less
    /// than half a send interval away, so send ticks follow the region's ticks instead of
    /// adding up to one interval of delay. The budget is unchanged (it is time-based).
    pub fn poll_transmit_on_frame(&mut self, now: Instant, mirror: &Mirror) -> Vec<Vec<u8>> {
        self.absorb_changes(now, mirror);
        if self.queue.pending_len() == 0 || now + self.interval / 2 < self.next_send {
            return Vec::new();
        }
        self.next_send = self.next_send.min(now);
        self.poll_transmit(now, mirror)
    }

    /// Cumulative counters.
    pub fn stats(&self) -> &SyncStats {
        &self.stats
    }

    /// Age in milliseconds (time pending, see the module docs) of every entity record sent
    /// since the last drain.
    pub fn drain_staleness_ms(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.staleness)
    }

    /// Sum of the visible entities' accumulated priorities.
    pub fn queued_priority(&self) -> f64 {
        self.queue.queued_priority()
    }

    /// Number of entities in the client's view.
    pub fn visible(&self) -> usize {
        self.tracked.len()
    }

    /// Smoothed round-trip time, once an ack was measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rtt.srtt()
    }

    /// The current resend timeout.
    pub fn rto(&self) -> Duration {
        self.rtt.rto()
    }

    /// Visible entities with something to send.
    pub fn pending(&self) -> usize {
        self.queue.pending_len()
    }

    /// Reliable events not yet acknowledged.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Whether the client left more than the profile's `max_pending_events` unacknowledged
    /// (an event was dropped): the session must be shed.
    pub fn events_overflowed(&self) -> bool {
        self.events.overflowed()
    }

    /// How `owner` relates to this session's empire.
    fn relation_of(&self, owner: EmpireId) -> Relation {
        if owner == NEUTRAL_EMPIRE {
            Relation::Neutral
        } else if owner == self.empire {
            Relation::Own
        } else {
            Relation::Enemy
        }
    }

    /// The prioritizer's view of `state` (distance from the last refresh's own units).
    fn info_of(&self, state: &EntityState) -> EntityInfo {
        EntityInfo {
            kind: state.kind,
            relation: self.relation_of(state.owner),
            distance_hexes: self.anchors.nearest(state.pos),
        }
    }

    /// Re-derives whether `id` is pending from the mirror, the baseline and the last send.
    /// `from_timer`: called because a resend deadline passed, so a still-running one is
    /// re-armed.
    pub(super) fn refresh(
        &mut self,
        id: EntityId,
        now: Instant,
        mirror: &Mirror,
        from_timer: bool,
    ) {
        let Some(tracked) = self.tracked.get(&id) else {
            return;
        };
        let Some(state) = mirror.get(id) else {
            self.stats.missing_in_mirror += 1;
            self.queue.set_pending(id, false, now);
            return;
        };
        let relation = self.relation_of(state.owner);
        // Whether the own-unit set may hold it: it does exactly when its last refresh found it
        // own, which the queue's relation says (unknown: assume so, and remove).
        let mut was_own = true;
        if let Some(info) = self.queue.info(id) {
            was_own = info.relation == Relation::Own;
            if info.relation != relation || info.kind != state.kind {
                let info = EntityInfo {
                    kind: state.kind,
                    relation,
                    distance_hexes: info.distance_hexes,
                };
                self.queue.update(id, info);
            }
        }
        if relation == Relation::Own {
            self.own.insert(id);
        } else if was_own {
            self.own.remove(&id);
        }
        let step = self.health_step;
        // Settled: the packet that last carried the entity is acknowledged (or nothing was
        // sent since its baseline), so the client holds exactly the baseline. Otherwise the
        // client holds the baseline or the in-flight state, and only the in-flight state,
        // within its timeout, may count as delivered: comparing with the baseline then would
        // leave a client holding the in-flight state when the entity moved back.
        let settled = tracked
            .last_sent
            .as_ref()
            .is_none_or(|(_, _, seq)| self.baselines.acked_through(id, *seq));
        if settled {
            if self
                .baselines
                .baseline(id)
                .is_some_and(|b| same_for_client(b, state, step))
            {
                self.queue.set_pending(id, false, now);
                return;
            }
        } else if let Some((sent, at, _)) = &tracked.last_sent
            && same_for_client(sent, state, step)
        {
            let deadline = *at + self.rtt.rto();
            if now < deadline {
                self.queue.set_pending(id, false, now);
                if from_timer {
                    self.timers.arm(deadline, *at, [id]);
                }
                return;
            }
        }
        self.queue.set_pending(id, true, now);
        if relation == Relation::Own {
            self.queue.mark_changed(id);
        }
    }

    /// Brings every visible entity's distance to the nearest own unit up to date: all of
    /// them when an own unit moved (or appeared, or left), otherwise only the entities that
    /// changed since the last refresh.
    pub(super) fn refresh_distances(&mut self, mirror: &Mirror) {
        let mut own: Vec<EntityId> = self.own.iter().copied().collect();
        own.sort_unstable();
        let anchors: Vec<Hex> = own
            .iter()
            .filter_map(|id| mirror.get(*id).map(|s| s.pos))
            .take(MAX_DISTANCE_ANCHORS)
            .collect();
        let mut moved = std::mem::take(&mut self.moved);
        if !self.anchors.same_as(&anchors) {
            self.anchors = Anchors::new(&anchors);
            moved.clear();
            moved.extend(self.tracked.keys().copied());
        } else {
            // The change log names an entity once per frame that touched it.
            moved.sort_unstable();
            moved.dedup();
        }
        for id in moved.drain(..) {
            let (Some(state), Some(info)) = (mirror.get(id), self.queue.info(id)) else {
                continue;
            };
            let distance = self.anchors.nearest(state.pos);
            if info.distance_hexes != distance {
                let info = EntityInfo {
                    distance_hexes: distance,
                    ..*info
                };
                self.queue.update(id, info);
            }
        }
        self.moved = moved;
    }
}

/// Whether the client, holding `held`, has `current` (health compared after quantization).
pub(super) fn same_for_client(held: &EntityState, current: &EntityState, step: u16) -> bool {
    held.kind == current.kind
        && held.owner == current.owner
        && held.pos == current.pos
        && quantize(held.health, step) == quantize(current.health, step)
}

/// Where a session learns which of its entities changed since its last look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fed {
    /// Not fed by a hub (tests, the pack bench): it reads the mirror's log.
    Log,
    /// The ids the hub fed since the last look (possibly repeated, possibly a few no longer
    /// tracked).
    Ids(Vec<EntityId>),
    /// The hub said everything may have changed (a reset frame, or its feed overflowed).
    Everything,
}
