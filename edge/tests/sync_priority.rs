//! The per-client priority queue and packet planner in simulated time: the budget bound over
//! every 1 s window, own units first, the staleness bound (and how it degrades when the budget
//! is too small), priority ordering, and reliable events first.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{
    EntityInfo, PACKET_HEADER_BYTES, PacketPlan, PriorityQueue, Relation, max_payload,
};
use starlane_netcore::proto::budget::ByteBudget;
use starlane_protocol::{EntityId, EntityKind};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Every entity update is this many bytes in these tests.
const SIZE: usize = 12;

/// The shipped broadband profile (the defaults with its per-kind multipliers) with another
/// budget and packet size, validated.
fn profile(bytes_per_sec: u32, burst_bytes: u32, max_packet_bytes: u32) -> BandwidthProfile {
    let set = starlane_edge::config::embedded_set().unwrap();
    let profile = BandwidthProfile {
        bytes_per_sec,
        burst_bytes,
        max_packet_bytes,
        ..(**set.get("broadband").unwrap()).clone()
    };
    profile.validate("test").unwrap();
    profile
}

fn info(relation: Relation, kind: EntityKind, distance_hexes: u32) -> EntityInfo {
    EntityInfo {
        kind,
        relation,
        distance_hexes,
    }
}

/// A varied non-own entity: enemies and neutrals of every kind at 0 to 39 hexes.
fn mixed(id: EntityId) -> EntityInfo {
    let relation = if id.is_multiple_of(2) {
        Relation::Enemy
    } else {
        Relation::Neutral
    };
    let kind = [EntityKind::Scout, EntityKind::Frigate, EntityKind::Station][id as usize % 3];
    info(relation, kind, id % 40)
}

/// One client in simulated time: its queue, its budget and the send ticks so far.
struct Sim {
    profile: BandwidthProfile,
    queue: PriorityQueue,
    budget: ByteBudget,
    t0: Instant,
    tick: u32,
}

impl Sim {
    fn new(profile: BandwidthProfile) -> Self {
        let t0 = Instant::now();
        Self {
            queue: PriorityQueue::new(&profile),
            budget: ByteBudget::new(
                u64::from(profile.bytes_per_sec),
                u64::from(profile.burst_bytes),
                t0,
            ),
            profile,
            t0,
            tick: 0,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(1) / self.profile.send_rate_hz
    }

    fn now(&self) -> Instant {
        self.t0 + self.interval() * self.tick
    }

    /// The largest age at the current tick, in milliseconds (before planning).
    fn max_age_ms(&self) -> u128 {
        self.queue.max_age(self.now()).as_millis()
    }

    /// One send tick: accumulate, plan, check every packet's size, advance the clock.
    fn step(&mut self, reliable: &[usize]) -> Vec<PacketPlan> {
        let now = self.now();
        self.queue.accumulate(now);
        let max_packet = self.profile.max_packet_bytes as usize;
        let plan = self
            .queue
            .fill(now, &mut self.budget, max_packet, |_| SIZE, reliable);
        for packet in &plan {
            assert!(
                packet.bytes <= max_packet,
                "packet of {} bytes",
                packet.bytes
            );
            let items = packet.entities.len() * SIZE
                + packet.reliable.iter().map(|&i| reliable[i]).sum::<usize>();
            assert_eq!(packet.bytes, PACKET_HEADER_BYTES + items);
        }
        self.tick += 1;
        plan
    }
}

fn bytes(plan: &[PacketPlan]) -> usize {
    plan.iter().map(|p| p.bytes).sum()
}

#[test]
fn accumulate_adds_the_profile_weights_per_tick() {
    let mut sim = Sim::new(profile(200_000, 10_000, 1200));
    let now = sim.now();
    // Enemy 4.0 x frigate 1.5 x within 4 hexes 4.0; neutral 1.0 x station 0.5 x beyond 0.5.
    sim.queue
        .insert(1, info(Relation::Enemy, EntityKind::Frigate, 3), now);
    sim.queue
        .insert(2, info(Relation::Neutral, EntityKind::Station, 30), now);
    sim.queue.accumulate(now);
    sim.queue.accumulate(now); // Same instant: nothing more.
    assert_eq!(sim.queue.priority(1), Some(24.0));
    assert_eq!(sim.queue.priority(2), Some(0.25));
    sim.queue.accumulate(now + sim.interval() * 2); // Two intervals late.
    assert_eq!(sim.queue.priority(1), Some(72.0));
    assert!(
        sim.queue
            .update(2, info(Relation::Own, EntityKind::Scout, 0))
    );
    assert!(sim.queue.remove(1));
    assert!(!sim.queue.remove(1));
    assert_eq!(sim.queue.len(), 1);
}

/// 10,000 entities of 12 bytes on 50 kB/s at 20 Hz for 60 s: no 1 s window (21 consecutive
/// ticks, both ends included) plans more than 1.05 x the rate, and the budget is used.
#[test]
fn budget_holds_over_every_one_second_window() {
    let mut sim = Sim::new(profile(50_000, 2_500, 1200));
    for id in 0..10_000 {
        sim.queue.insert(id, mixed(id), sim.t0);
    }
    let per_tick: Vec<usize> = (0..1200).map(|_| bytes(&sim.step(&[]))).collect();
    let worst = per_tick
        .windows(21)
        .map(|w| w.iter().sum::<usize>())
        .max()
        .unwrap();
    let total: usize = per_tick.iter().sum();
    eprintln!(
        "max 1 s window {worst} B = {:.4} x rate; mean {:.4} x rate",
        worst as f64 / 50_000.0,
        total as f64 / 60.0 / 50_000.0
    );
    assert!(worst as f64 <= 1.05 * 50_000.0);
    assert!(
        total as f64 >= 0.95 * 50_000.0 * 60.0,
        "budget left unused: {total}"
    );
}

/// 20 own units marked changed every tick, next to 10,000 other entities that saturate the
/// budget: every own unit is planned every tick.
#[test]
fn changed_own_units_go_every_tick() {
    let mut sim = Sim::new(profile(50_000, 2_500, 1200));
    for id in 0..10_000 {
        sim.queue.insert(id, mixed(id), sim.t0);
    }
    let own: Vec<EntityId> = (100_000..100_020).collect();
    for &id in &own {
        sim.queue
            .insert(id, info(Relation::Own, EntityKind::Frigate, 0), sim.t0);
    }
    let mut last_sent: HashMap<EntityId, u32> = HashMap::new();
    let mut max_gap = 0;
    for _ in 0..600 {
        for &id in &own {
            sim.queue.mark_changed(id);
        }
        let tick = sim.tick;
        let plan = sim.step(&[]);
        for id in plan.iter().flat_map(|p| &p.entities) {
            if own.contains(id) {
                let previous = last_sent.insert(*id, tick).map_or(0, |t| t);
                max_gap = max_gap.max(tick - previous);
            }
        }
        for &id in &own {
            assert_eq!(last_sent.get(&id), Some(&tick), "own unit {id} held back");
        }
    }
    eprintln!("largest gap between sends of an own unit: {max_gap} tick(s)");
    assert!(max_gap <= 2);
}

/// The largest age (ms) any of `entities` mixed entities reaches over 60 s, and the profile.
fn worst_age(entities: u32, rate: u32, burst: u32, max_packet: u32) -> (u128, BandwidthProfile) {
    let mut sim = Sim::new(profile(rate, burst, max_packet));
    for id in 0..entities {
        sim.queue.insert(id, mixed(id), sim.t0);
    }
    let mut worst = 0;
    for _ in 0..1200 {
        worst = worst.max(sim.max_age_ms());
        sim.step(&[]);
    }
    (worst, sim.profile)
}

/// 3,000 mixed entities need 36 kB per 2 s (18 kB/s plus headers); at 30 kB/s, and at
/// 20 kB/s (about 1.1 x the need), no entity is ever older than `max_staleness_ms` (the
/// documented tolerance is one more send interval).
#[test]
fn staleness_bound_holds_when_the_budget_carries_it() {
    for (rate, burst, max_packet) in [(30_000, 1_500, 1200), (20_000, 1_000, 1000)] {
        let (worst, profile) = worst_age(3_000, rate, burst, max_packet);
        let limit = u128::from(profile.max_staleness_ms);
        eprintln!("{rate} B/s: max entity age {worst} ms (max_staleness_ms {limit})");
        assert!(worst <= limit + u128::from(profile.send_interval_ms()));
    }
}

/// 10,000 entities need 60 kB/s to meet 2 s; at 50 kB/s the stale entities share the whole
/// budget oldest first, so ages exceed the bound but stay near entities x size / rate.
#[test]
fn staleness_degrades_to_a_round_robin_when_the_budget_cannot_carry_it() {
    let (worst, profile) = worst_age(10_000, 50_000, 2_500, 1200);
    // Bytes per entity including its share of the packet header.
    let per_entity = SIZE as f64 * 1200.0 / max_payload(1200) as f64;
    let bound_ms = 10_000.0 * per_entity / 50_000.0 * 1000.0;
    eprintln!("max entity age {worst} ms; entities x size / rate = {bound_ms:.0} ms");
    assert!(worst > u128::from(profile.max_staleness_ms));
    assert!((worst as f64) <= bound_ms * 1.05 + f64::from(profile.send_interval_ms()));
}

/// A budget of about six entities per tick: near enemies are planned far more often than far
/// neutrals, which still go before they turn stale.
#[test]
fn near_enemies_go_more_often_than_far_neutrals() {
    let mut sim = Sim::new(profile(2_000, 100, 64));
    for id in 0..30 {
        sim.queue
            .insert(id, info(Relation::Enemy, EntityKind::Scout, 2), sim.t0);
        let far = info(Relation::Neutral, EntityKind::Scout, 30);
        sim.queue.insert(100 + id, far, sim.t0);
    }
    let (mut near, mut far) = (0, 0);
    let mut worst = 0;
    for _ in 0..400 {
        worst = worst.max(sim.max_age_ms());
        for id in sim.step(&[]).iter().flat_map(|p| &p.entities) {
            if *id < 100 { near += 1 } else { far += 1 }
        }
    }
    eprintln!("20 s: near enemies sent {near} times, far neutrals {far}; max age {worst} ms");
    assert!(near >= 4 * far, "near {near}, far {far}");
    assert!(
        far >= 30 * 10,
        "every far neutral goes at least once per 2 s: {far}"
    );
    assert!(worst <= u128::from(sim.profile.max_staleness_ms) + 50);
}

#[test]
fn reliable_events_go_first_and_count_against_the_budget() {
    let mut sim = Sim::new(profile(200_000, 10_000, 1200));
    for id in 0..2_000 {
        sim.queue.insert(id, mixed(id), sim.t0);
    }
    let reliable = [500, 700, 300];
    let plan = sim.step(&reliable);
    let order: Vec<usize> = plan.iter().flat_map(|p| p.reliable.clone()).collect();
    assert_eq!(order, [0, 1, 2]);
    // 13 + 500 (+700 would exceed 1200), then 13 + 700 + 300 and entities after them.
    assert_eq!(plan[0].reliable, [0]);
    assert_eq!(plan[1].reliable, [1, 2]);
    assert!(plan[0].entities.is_empty());
    assert_eq!(plan[1].bytes, PACKET_HEADER_BYTES + 1000 + 15 * SIZE); // 15 entities fit.
    assert!(plan[2..].iter().all(|p| p.reliable.is_empty()));
    let planned = bytes(&plan) as u64;
    assert_eq!(sim.budget.stats().granted_bytes, planned);
    assert!(planned <= 10_000);
    assert!(sim.budget.available(sim.now() - sim.interval()) < (PACKET_HEADER_BYTES + SIZE) as u64);

    // Only 600 bytes left: the first event goes alone, the second and every entity wait.
    let mut sim = Sim::new(profile(200_000, 10_000, 1200));
    sim.queue.insert(1, mixed(1), sim.t0);
    assert!(sim.budget.try_consume(sim.t0, 9_400));
    let plan = sim.step(&[500, 500]);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].reliable, [0]);
    assert!(plan[0].entities.is_empty());
    assert_eq!(plan[0].bytes, PACKET_HEADER_BYTES + 500);
    assert!(
        sim.queue.priority(1).unwrap() > 0.0,
        "the entity keeps its priority"
    );
}

#[test]
fn oversized_entities_are_skipped_not_blocking() {
    let mut sim = Sim::new(profile(200_000, 10_000, 1200));
    let now = sim.now();
    sim.queue
        .insert(1, info(Relation::Own, EntityKind::Frigate, 0), now);
    sim.queue.insert(2, mixed(2), now);
    let size = |id| if id == 1 { 5_000 } else { SIZE };
    let plan = sim.queue.fill(now, &mut sim.budget, 1200, size, &[]);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].entities, [2]);
    assert_eq!(sim.queue.age(2, now), Some(Duration::ZERO));
    assert_eq!(sim.queue.priority(2), Some(0.0));
}
