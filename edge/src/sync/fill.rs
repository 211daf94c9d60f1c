//! [`PriorityQueue::fill`]: ranking the tracked entities and packing one tick's datagrams.

use super::{PACKET_HEADER_BYTES, PacketPlan, PriorityQueue, Relation};
use starlane_netcore::proto::budget::ByteBudget;
use starlane_protocol::EntityId;
use std::time::Instant;

/// Rank classes, most urgent first (highest value pops first).
const CLASS_OWN_CHANGED: u8 = 2;
const CLASS_DUE: u8 = 1;
const CLASS_PRIORITY: u8 = 0;

/// An entity's place in this tick's order, packed so that a larger key goes first: the class,
/// then the key (priority for the own-changed and priority classes, age in seconds for the
/// due class) in `f64::total_cmp` order, then the lower id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate(u128);

impl Candidate {
    fn new(class: u8, key: f64, id: EntityId) -> Self {
        // f64::total_cmp's order as unsigned bits: negative values flipped whole, the sign
        // bit set on the others.
        let bits = key.to_bits();
        let key = if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        };
        Self(u128::from(class) << 96 | u128::from(key) << 32 | u128::from(!id))
    }

    fn id(self) -> EntityId {
        // The low 32 bits hold !id.
        !(self.0 as u32)
    }
}

/// One item to pack.
#[derive(Debug, Clone, Copy)]
enum Item {
    Reliable(usize),
    Entity(EntityId),
}

/// Why an item was not packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// Larger than a whole packet's payload: it can never be packed as is.
    Oversize,
    /// The budget cannot carry a packet with it this tick.
    Budget,
}

/// Builds packets, taking each one's size from the budget when it is closed.
struct Packer<'a> {
    budget: &'a mut ByteBudget,
    now: Instant,
    max_packet: usize,
    /// Bytes reserved per packet for the framing.
    header: usize,
    packets: Vec<PacketPlan>,
    /// The packet being filled and the most it may grow to.
    open: Option<(PacketPlan, usize)>,
}

impl Packer<'_> {
    /// Adds `item` of `size` bytes to the open packet, or to a new one the budget can carry.
    fn place(&mut self, item: Item, size: usize) -> Result<(), Refusal> {
        if size > self.max_packet.saturating_sub(self.header) {
            return Err(Refusal::Oversize);
        }
        let fits_open = self
            .open
            .as_ref()
            .is_some_and(|(plan, cap)| plan.bytes + size <= *cap);
        if !fits_open {
            if !self.close() {
                return Err(Refusal::Budget);
            }
            let available = usize::try_from(self.budget.available(self.now)).unwrap_or(usize::MAX);
            let cap = available.min(self.max_packet);
            if self.header + size > cap {
                return Err(Refusal::Budget);
            }
            let plan = PacketPlan {
                bytes: self.header,
                ..PacketPlan::default()
            };
            self.open = Some((plan, cap));
        }
        if let Some((plan, _)) = self.open.as_mut() {
            plan.bytes += size;
            match item {
                Item::Reliable(index) => plan.reliable.push(index),
                Item::Entity(id) => plan.entities.push(id),
            }
        }
        Ok(())
    }

    /// Takes the open packet's bytes from the budget and keeps it; `false` if refused (the
    /// packet is dropped, which cannot happen while its cap was within the available bytes).
    fn close(&mut self) -> bool {
        let Some((plan, _)) = self.open.take() else {
            return true;
        };
        if self.budget.try_consume(self.now, plan.bytes as u64) {
            self.packets.push(plan);
            true
        } else {
            false
        }
    }
}

impl PriorityQueue {
    /// Plans this tick's datagrams at `now` (see the [module docs](super) for the order).
    ///
    /// `reliable` holds the sizes of the reliable events waiting to go, oldest first; the plan
    /// names them by index and always plans a prefix of them (an event larger than
    /// [`max_payload`](super::max_payload) is never planned and holds back the ones after it). `size_of` gives
    /// the encoded size of an entity's update; it is called for every tracked entity each tick
    /// (the due ranking needs the backlog's bytes), so it should be cheap. Each returned packet's `bytes` were taken from
    /// `budget`; planned entities restart at priority 0 and age 0 and lose their changed mark.
    pub fn fill(
        &mut self,
        now: Instant,
        budget: &mut ByteBudget,
        max_packet_bytes: usize,
        size_of: impl Fn(EntityId) -> usize,
        reliable: &[usize],
    ) -> Vec<PacketPlan> {
        self.fill_with_header(
            now,
            budget,
            max_packet_bytes,
            PACKET_HEADER_BYTES,
            size_of,
            reliable,
        )
    }

    /// [`PriorityQueue::fill`] reserving `header_bytes` (instead of [`PACKET_HEADER_BYTES`])
    /// per packet for the framing, for an encoder whose header bound is known per tick.
    /// Clean entities ([`PriorityQueue::set_pending`]) are never planned.
    pub fn fill_with_header(
        &mut self,
        now: Instant,
        budget: &mut ByteBudget,
        max_packet_bytes: usize,
        header_bytes: usize,
        size_of: impl Fn(EntityId) -> usize,
        reliable: &[usize],
    ) -> Vec<PacketPlan> {
        let mut packer = Packer {
            budget,
            now,
            max_packet: max_packet_bytes,
            header: header_bytes,
            packets: Vec::new(),
            open: None,
        };
        let mut out_of_budget = false;
        for (index, &size) in reliable.iter().enumerate() {
            match packer.place(Item::Reliable(index), size) {
                Ok(()) => {}
                Err(Refusal::Oversize) => break,
                Err(Refusal::Budget) => {
                    out_of_budget = true;
                    break;
                }
            }
        }
        if !out_of_budget {
            for candidate in self.ranked(now, &packer, &size_of) {
                match packer.place(Item::Entity(candidate.id()), size_of(candidate.id())) {
                    Ok(()) | Err(Refusal::Oversize) => {}
                    Err(Refusal::Budget) => break,
                }
            }
        }
        packer.close();
        let packets = packer.packets;
        for id in packets.iter().flat_map(|p| &p.entities) {
            if let Some(entry) = self.entries.get_mut(id) {
                entry.priority = 0.0;
                entry.since = now;
                entry.changed = false;
            }
        }
        packets
    }

    /// Every pending entity in this tick's order, most urgent first.
    ///
    /// Entities other than changed own units are taken oldest first; the longest prefix that
    /// the budget's later ticks could not carry by the prefix's deadlines (`since +
    /// max_staleness`) is due now. A later tick is assumed to carry
    /// `min(rate × interval, burst)` bytes less header share, one extra header and this
    /// tick's changed own units.
    fn ranked(
        &self,
        now: Instant,
        packer: &Packer<'_>,
        size_of: &impl Fn(EntityId) -> usize,
    ) -> Vec<Candidate> {
        let (budget, max_packet, header) = (&*packer.budget, packer.max_packet, packer.header);
        let mut candidates = Vec::with_capacity(self.pending.len());
        let mut own_bytes = 0;
        let mut by_age: Vec<(Instant, EntityId, f64)> = Vec::with_capacity(self.pending.len());
        let pending = self
            .pending
            .iter()
            .filter_map(|id| Some((*id, self.entries.get(id)?)));
        for (id, e) in pending {
            if e.changed && e.info.relation == Relation::Own {
                own_bytes += size_of(id);
                candidates.push(Candidate::new(CLASS_OWN_CHANGED, e.priority, id));
            } else {
                by_age.push((e.since, id, e.priority));
            }
        }
        let interval = self.interval.as_secs_f64().max(f64::MIN_POSITIVE);
        let earned = (budget.rate() as f64 * interval).min(budget.burst() as f64);
        let payload_share = max_packet.saturating_sub(header) as f64 / max_packet.max(1) as f64;
        let per_tick = (earned * payload_share - (own_bytes + header) as f64).max(0.0);
        let later_ticks = |since: Instant| {
            let left = (since + self.max_staleness).saturating_duration_since(now);
            (left.as_secs_f64() / interval).floor()
        };
        // The demand of a prefix grows with it and so do its later ticks: when the oldest
        // entity's later ticks carry the whole backlog, no prefix is due and the age order is
        // not needed.
        let total: f64 = by_age.iter().map(|&(_, id, _)| size_of(id) as f64).sum();
        let oldest = by_age.iter().map(|&(since, _, _)| since).min();
        let mut due = 0;
        if oldest.is_some_and(|since| total > later_ticks(since) * per_tick) {
            by_age.sort_unstable_by_key(|&(since, id, _)| (since, id));
            let mut demand = 0.0;
            for (i, &(since, id, _)) in by_age.iter().enumerate() {
                demand += size_of(id) as f64;
                if demand > later_ticks(since) * per_tick {
                    due = i + 1;
                }
            }
        }
        for (i, (since, id, priority)) in by_age.into_iter().enumerate() {
            let candidate = if i < due {
                let age = now.saturating_duration_since(since).as_secs_f64();
                Candidate::new(CLASS_DUE, age, id)
            } else {
                Candidate::new(CLASS_PRIORITY, priority, id)
            };
            candidates.push(candidate);
        }
        // Most urgent first. A sort rather than a heap: most ticks plan most of what is
        // pending, and popping a heap of all of it cost more than sorting it.
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_rank_by_class_then_key_in_total_order_then_lower_id() {
        let keys = [
            f64::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-300,
            0.5,
            3.0,
            f64::INFINITY,
        ];
        for (i, &a) in keys.iter().enumerate() {
            for &b in &keys[i + 1..] {
                assert!(
                    Candidate::new(0, a, 1) < Candidate::new(0, b, 1),
                    "{a} < {b}"
                );
            }
        }
        assert!(Candidate::new(CLASS_DUE, 0.0, 9) > Candidate::new(CLASS_PRIORITY, 1e9, 1));
        assert!(Candidate::new(CLASS_OWN_CHANGED, 0.0, 9) > Candidate::new(CLASS_DUE, 9.0, 1));
        assert!(Candidate::new(0, 1.0, 3) > Candidate::new(0, 1.0, 4));
        for id in [0, 7, u32::MAX] {
            assert_eq!(Candidate::new(CLASS_DUE, 2.0, id).id(), id);
        }
    }
}
