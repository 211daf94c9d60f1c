//! [`SessionSync::poll_transmit`]: planning and encoding one send tick's datagrams.

use super::SessionSync;
use super::events::Due;
use super::session::{DISTANCE_REFRESH_TICKS, Fed};
use super::{Mirror, PacketPlan};
use rustc_hash::FxHashMap as HashMap;
use starlane_protocol::client::ServerMsg;
use starlane_protocol::delta::{
    EntityPacket, EventEntry, MAX_ENTITY_RECORDS, MAX_EVENTS, RecordBase,
};
use starlane_protocol::{EntityId, EntityState};
use std::time::Instant;

/// Smallest entity record, in whole bytes (12 bits).
const MIN_RECORD_BYTES: usize = 2;

/// Most planning passes per send tick (the first, then refills of refunded bytes).
const MAX_PASSES: usize = 3;

/// Bytes beyond a header that make a refill pass worth its extra header.
const REFILL_MIN_BYTES: usize = 24;

/// The largest header an `EntityPacket` of `tick` and `health_step` can have, in bytes (list
/// counts at their limits).
pub fn header_bound(tick: u32, health_step: u16) -> usize {
    let probe = EntityPacket {
        tick,
        health_step,
        ..EntityPacket::default()
    };
    probe
        .header_bits(MAX_EVENTS, MAX_ENTITY_RECORDS)
        .div_ceil(8)
}

impl SessionSync {
    /// The encoded `ServerMsg::EntityPacket` datagrams to send at `now`: nothing before
    /// [`SessionSync::next_send`], otherwise this tick's packets in priority order under the
    /// budget (possibly none). Every datagram is at most the profile's `max_packet_bytes`
    /// and at most the bytes taken from the budget for it.
    pub fn poll_transmit(&mut self, now: Instant, mirror: &Mirror) -> Vec<Vec<u8>> {
        if now < self.next_send {
            return Vec::new();
        }
        self.next_send = now + self.interval;
        // Timers first: an entity they refresh is not refreshed again for the change log at
        // the same instant (a refresh depends only on the mirror, baselines and `now`).
        self.fire_timers(now, mirror);
        self.absorb_changes(now, mirror);
        if self.ticks.is_multiple_of(DISTANCE_REFRESH_TICKS) {
            self.refresh_distances(mirror);
        }
        self.ticks += 1;
        self.queue.accumulate(now);

        let mut out = Vec::new();
        for _ in 0..MAX_PASSES {
            let before = out.len();
            self.transmit_pass(now, mirror, &mut out);
            // Records were planned by upper bounds and the datagrams refunded what they did
            // not use: plan again while that leaves room for a header and a record.
            let header = header_bound(mirror.tick(), self.health_step);
            let left = usize::try_from(self.budget.available(now)).unwrap_or(usize::MAX);
            if out.len() == before
                || self.queue.pending_len() == 0
                || left < header + REFILL_MIN_BYTES
            {
                break;
            }
        }
        self.stats.events_superseded = self.events.superseded;
        out
    }

    /// One planning pass over the budget left at `now`: plans and encodes datagrams, pushing
    /// them to `out`.
    fn transmit_pass(&mut self, now: Instant, mirror: &Mirror, out: &mut Vec<Vec<u8>>) {
        let due = self.events.due(now, self.rtt.rto());
        let event_sizes: Vec<usize> = due
            .iter()
            .map(|d| d.entry.encoded_bits().div_ceil(8))
            .collect();
        let header = header_bound(mirror.tick(), self.health_step);
        let available = usize::try_from(self.budget.available(now)).unwrap_or(usize::MAX);
        let packets_ahead =
            u16::try_from(available / (header + MIN_RECORD_BYTES) + 1).unwrap_or(u16::MAX);
        let sizes = self.entity_sizes(now, mirror, packets_ahead);
        let plans = self.queue.fill_with_header(
            now,
            &mut self.budget,
            self.max_packet,
            header,
            |id| sizes.get(&id).map_or(usize::MAX, |(size, _)| *size),
            &event_sizes,
        );
        for plan in &plans {
            if let Some(datagram) = self.encode_plan(now, mirror, plan, &due, &sizes) {
                out.push(datagram);
            }
        }
    }

    /// The ids the edge's hub found this session watching in the entity frames since the
    /// last call (a superset of what changed in view; `everything` after a reset or an
    /// overflow). From the first call on, a send tick reads these instead of filtering the
    /// mirror's log of every change of the edge.
    pub fn feed_changes(&mut self, ids: &[EntityId], everything: bool) {
        match &mut self.fed {
            Fed::Everything => {}
            _ if everything => self.fed = Fed::Everything,
            Fed::Ids(fed) => fed.extend_from_slice(ids),
            Fed::Log => self.fed = Fed::Ids(ids.to_vec()),
        }
    }

    /// Re-derives the pending state of the visible entities the mirror changed since the
    /// last look (all of them when the mirror's change log does not reach back).
    pub(super) fn absorb_changes(&mut self, now: Instant, mirror: &Mirror) {
        let tracked = &self.tracked;
        let changed: Option<Vec<EntityId>> = match &mut self.fed {
            // Fed by the hub: the ids this session watches, possibly a few it no longer tracks.
            Fed::Ids(fed) => {
                fed.retain(|id| tracked.contains_key(id));
                Some(std::mem::take(fed))
            }
            Fed::Everything => {
                self.fed = Fed::Ids(Vec::new());
                None
            }
            // The mirror's log names every entity of the edge: keep those this client sees.
            Fed::Log => self.mirror_version.and_then(|v| {
                mirror
                    .changes_since(v)
                    .map(|ids| ids.filter(|id| tracked.contains_key(id)).collect())
            }),
        };
        let changed = changed.unwrap_or_else(|| self.tracked.keys().copied().collect());
        self.mirror_version = Some(mirror.version());
        // Refreshed by a resend deadline of this send tick: already up to date.
        let timer_tick = self.ticks + 1;
        for &id in &changed {
            if self
                .tracked
                .get(&id)
                .is_some_and(|t| t.timer_tick != timer_tick)
            {
                self.refresh(id, now, mirror, false);
            }
        }
        self.moved.extend(changed);
    }

    /// Re-derives the pending state of the entities whose resend deadline passed.
    fn fire_timers(&mut self, now: Instant, mirror: &Mirror) {
        while let Some(fired) = self.timers.pop_due(now) {
            for id in fired.ids {
                // Sent again since: the newer packet armed a deadline of its own.
                let Some(tracked) = self.tracked.get_mut(&id) else {
                    continue;
                };
                let superseded = tracked
                    .last_sent
                    .as_ref()
                    .is_none_or(|(_, at, _)| *at != fired.sent_at);
                if !superseded {
                    tracked.timer_tick = self.ticks + 1;
                    self.refresh(id, now, mirror, true);
                }
            }
        }
    }

    /// `(size bound in bytes, age in ms)` of every pending entity; pending entities the
    /// mirror lacks become clean and are counted.
    fn entity_sizes(
        &mut self,
        now: Instant,
        mirror: &Mirror,
        packets_ahead: u16,
    ) -> HashMap<EntityId, (usize, u32)> {
        let pending: Vec<EntityId> = self.queue.pending_ids().collect();
        let mut sizes = HashMap::with_capacity_and_hasher(pending.len(), Default::default());
        for id in pending {
            let Some(state) = mirror.get(id) else {
                self.stats.missing_in_mirror += 1;
                self.queue.set_pending(id, false, now);
                continue;
            };
            let bits = self
                .baselines
                .record_bits_bound(id, state, packets_ahead, self.health_step);
            let age = self.queue.age(id, now).unwrap_or_default().as_millis();
            sizes.insert(
                id,
                (bits.div_ceil(8), u32::try_from(age).unwrap_or(u32::MAX)),
            );
        }
        sizes
    }

    /// Encodes one planned packet and records it as sent; `None` if it came out larger than
    /// a datagram may be (never expected; its entities stay pending).
    fn encode_plan(
        &mut self,
        now: Instant,
        mirror: &Mirror,
        plan: &PacketPlan,
        due: &[Due],
        sizes: &HashMap<EntityId, (usize, u32)>,
    ) -> Option<Vec<u8>> {
        let seq = self.baselines.next_seq();
        let step = self.health_step;
        let chosen: Vec<&Due> = plan.reliable.iter().filter_map(|&i| due.get(i)).collect();
        let events: Vec<EventEntry> = chosen.iter().map(|d| d.entry).collect();
        let mut states: Vec<(EntityId, EntityState)> = Vec::with_capacity(plan.entities.len());
        let mut records = Vec::with_capacity(plan.entities.len());
        for &id in &plan.entities {
            let Some(state) = mirror.get(id) else {
                continue;
            };
            records.push(self.baselines.encode_record(id, state, seq, step));
            states.push((id, state.clone()));
        }
        let full = records
            .iter()
            .filter(|r| matches!(r.base, RecordBase::Full { .. }))
            .count();
        let packet = EntityPacket {
            seq,
            tick: mirror.tick(),
            health_step: step,
            events,
            entities: records,
        };
        let datagram = ServerMsg::EntityPacket(packet).encode();
        debug_assert!(
            datagram.len() <= plan.bytes && datagram.len() <= self.max_packet,
            "datagram of {} bytes over its plan of {} (max {})",
            datagram.len(),
            plan.bytes,
            self.max_packet
        );
        if datagram.len() > self.max_packet {
            self.stats.oversize_packets += 1;
            for (id, _) in &states {
                self.queue.set_pending(*id, true, now);
            }
            return None;
        }
        // The plan sized records by upper bounds; return what the datagram did not use.
        self.budget
            .refund(now, plan.bytes.saturating_sub(datagram.len()) as u64);
        let event_ids: Vec<u32> = chosen.iter().map(|d| d.entry.event_id).collect();
        self.baselines.record_sent(seq, now, &states, &event_ids);
        let deadline = now + self.rtt.rto();
        let records_sent = states.len();
        for (id, state) in states {
            if let Some(age) = sizes.get(&id).map(|(_, age)| *age) {
                self.staleness.push(age);
            }
            if let Some(tracked) = self.tracked.get_mut(&id) {
                tracked.last_sent = Some((state, now, seq));
            }
            self.queue.set_pending(id, false, now);
        }
        self.timers
            .arm(deadline, now, plan.entities.iter().copied());
        for d in &chosen {
            if d.resend {
                self.stats.events_resent += 1;
            } else {
                self.stats.events_sent += 1;
            }
            self.events.mark_sent(d.entry.event_id, now);
        }
        self.stats.packets += 1;
        self.stats.bytes += datagram.len() as u64;
        self.stats.records += records_sent as u64;
        self.stats.full_records += full as u64;
        Some(datagram)
    }
}
