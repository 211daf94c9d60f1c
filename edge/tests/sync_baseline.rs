//! Per-client acknowledged baselines against a model client that applies records the way
//! SPEC.md §16.3 asks: seeded packet and ack loss, sequence wraparound, stale and duplicate
//! acks, entities leaving and re-entering view, and the unit rules of `ClientBaselines`.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use starlane_edge::sync::{ClientBaselines, MAX_TRACKED_PACKETS};
use starlane_protocol::delta::{EntityRecord, RecordBase, ack_covers, quantize};
use starlane_protocol::{EntityId, EntityKind, EntityState, Hex};

/// How many seqs back the model client keeps reconstructed states.
const CLIENT_KEEP: u16 = 64;

/// A client that stores, per received seq, the state each record produced.
#[derive(Default)]
struct ModelClient {
    states: HashMap<(EntityId, u16), EntityState>,
    received: HashSet<u16>,
    newest: Option<u16>,
}

impl ModelClient {
    /// Applies packet `seq`'s records; returns the states they produced.
    fn receive(&mut self, seq: u16, records: &[EntityRecord], step: u16) -> Vec<EntityState> {
        let mut out = Vec::new();
        for r in records {
            let base = match r.base {
                RecordBase::Full { .. } => None,
                RecordBase::Delta { age } => {
                    let b = self.states.get(&(r.id, seq.wrapping_sub(age)));
                    assert!(
                        b.is_some(),
                        "record {r:?} in {seq} names a missing baseline"
                    );
                    b
                }
            };
            let state = r.apply(base, step).unwrap();
            self.states.insert((r.id, seq), state.clone());
            out.push(state);
        }
        self.received.insert(seq);
        if self.newest.is_none_or(|n| seq.wrapping_sub(n) < 0x8000) {
            self.newest = Some(seq);
        }
        let newest = self.newest.unwrap();
        self.states
            .retain(|(_, s), _| newest.wrapping_sub(*s) <= CLIENT_KEEP);
        self.received
            .retain(|s| newest.wrapping_sub(*s) <= CLIENT_KEEP);
        out
    }

    /// The `Ack { newest, mask }` for everything received.
    fn ack(&self) -> (u16, u32) {
        let newest = self.newest.unwrap();
        let mask = (0..32u16)
            .filter(|i| self.received.contains(&newest.wrapping_sub(1 + i)))
            .fold(0u32, |m, i| m | (1 << i));
        (newest, mask)
    }

    /// Drops every state of `id` (as on a `Disappeared` event).
    fn disappear(&mut self, id: EntityId) {
        self.states.retain(|(e, _), _| *e != id);
    }
}

fn entity(id: EntityId, q: i32, health: u16) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner: 3,
        pos: Hex::new(q, -q),
        health,
    }
}

/// The seqs an `Ack` reports as received.
fn covered((newest, mask): (u16, u32)) -> impl Iterator<Item = u16> {
    (0..=32u16)
        .map(move |back| newest.wrapping_sub(back))
        .filter(move |s| ack_covers(newest, mask, *s))
}

fn quantized(s: &EntityState, step: u16) -> EntityState {
    let mut s = s.clone();
    s.health = quantize(s.health, step) * step;
    s
}

#[test]
fn lossy_simulation_keeps_client_in_sync() {
    const TICKS: usize = 2_000;
    const STEP: u16 = 4;
    const ROAMER: EntityId = 7;
    let mut rng = StdRng::seed_from_u64(0x5eed_ba5e);
    let t0 = Instant::now();
    let mut edge = ClientBaselines::starting_at(65_000).with_max_age(CLIENT_KEEP);
    let mut client = ModelClient::default();
    let mut world: Vec<EntityState> = (0..40).map(|i| entity(i, i as i32, 1000)).collect();
    let mut visible: HashSet<EntityId> = (0..40).collect();
    // Seqs some delivered ack reported (the only legal baselines).
    let mut acked_seqs = HashSet::new();
    let mut ack_history: Vec<(u16, u32)> = Vec::new();
    let mut pending_events: Vec<(u32, usize)> = Vec::new();
    let mut delivered_events = HashSet::new();
    let mut next_event = 0u32;
    let (mut records, mut deltas, mut returns_full) = (0usize, 0usize, 0usize);
    let mut returned_at: Option<usize> = None;
    let mut wrapped = false;

    for tick in 0..TICKS {
        for s in &mut world {
            if rng.random_bool(0.7) {
                s.pos = Hex::new(
                    s.pos.q + rng.random_range(-1..=1),
                    s.pos.r + rng.random_range(-1..=1),
                );
            }
            if rng.random_bool(0.1) {
                s.health = rng.random_range(0..=2000);
            }
            if rng.random_bool(0.005) {
                s.owner = rng.random_range(0..5);
            }
        }
        // The roamer leaves view for 30 ticks every 200.
        if tick % 200 == 100 {
            visible.remove(&ROAMER);
            edge.forget(ROAMER);
            client.disappear(ROAMER);
        } else if tick % 200 == 130 {
            visible.insert(ROAMER);
            returned_at = Some(tick);
        }
        if rng.random_bool(0.3) {
            pending_events.push((next_event, tick));
            next_event += 1;
        }

        let seq = edge.next_seq();
        wrapped |= seq < 1_000 && tick > 0;
        let packet: Vec<EntityRecord> = world
            .iter()
            .filter(|s| visible.contains(&s.id))
            .map(|s| edge.encode_record(s.id, s, seq, STEP))
            .collect();
        for r in &packet {
            records += 1;
            if let RecordBase::Delta { age } = r.base {
                deltas += 1;
                let base = seq.wrapping_sub(age);
                assert!(
                    acked_seqs.contains(&base),
                    "tick {tick}: unacked baseline {base}"
                );
            }
            if r.id == ROAMER && returned_at == Some(tick) {
                assert!(
                    matches!(r.base, RecordBase::Full { .. }),
                    "returning roamer"
                );
                returns_full += 1;
            }
        }
        let carried: Vec<(EntityId, EntityState)> = world
            .iter()
            .filter(|s| visible.contains(&s.id))
            .map(|s| (s.id, s.clone()))
            .collect();
        let event_ids: Vec<u32> = pending_events.iter().map(|e| e.0).collect();
        let now = t0 + Duration::from_millis(50 * tick as u64);
        assert!(edge.record_sent(seq, now, &carried, &event_ids));
        assert_eq!(edge.sent_at(seq), Some(now));

        if rng.random_bool(0.8) {
            delivered_events.extend(event_ids.iter().copied());
            for got in client.receive(seq, &packet, STEP) {
                let server = world.iter().find(|s| s.id == got.id).unwrap();
                assert_eq!(got, quantized(server, STEP), "tick {tick}");
            }
            let ack = client.ack();
            ack_history.push(ack);
            if rng.random_bool(0.8) {
                acked_seqs.extend(covered(ack));
                let done = edge.handle_ack(ack.0, ack.1);
                assert!(done.iter().all(|e| delivered_events.contains(e)));
                pending_events.retain(|e| !done.contains(&e.0));
                // Duplicates change nothing.
                if rng.random_bool(0.1) {
                    assert!(edge.handle_ack(ack.0, ack.1).is_empty());
                }
            }
        }
        // Stale acks replayed from up to 100 acks ago are harmless.
        if rng.random_bool(0.05) && !ack_history.is_empty() {
            let back = rng.random_range(0..ack_history.len().min(100));
            let (n, m) = ack_history[ack_history.len() - 1 - back];
            acked_seqs.extend(covered((n, m)));
            for e in edge.handle_ack(n, m) {
                assert!(delivered_events.contains(&e));
                pending_events.retain(|p| p.0 != e);
            }
        }
        assert!(edge.tracked_packets() <= MAX_TRACKED_PACKETS);
        if let Some((_, since)) = pending_events.first() {
            assert!(tick - since < 40, "event pending since tick {since}");
        }
    }
    assert!(wrapped, "seq never wrapped past 65535");
    assert_eq!(returns_full, TICKS / 200);
    assert!(
        deltas * 10 >= records * 8,
        "only {deltas} of {records} records were deltas"
    );
}

#[test]
fn acks_for_unsent_or_unrecorded_seqs_are_ignored() {
    let t = Instant::now();
    let mut edge = ClientBaselines::new();
    assert!(edge.handle_ack(0, u32::MAX).is_empty());
    let s0 = edge.next_seq();
    // Allocated but not recorded: ignored.
    assert!(edge.handle_ack(s0, 0).is_empty());
    assert!(!edge.record_sent(5, t, &[], &[]), "never allocated");
    assert!(edge.record_sent(s0, t, &[(1, entity(1, 1, 10))], &[9]));
    assert!(!edge.record_sent(s0, t, &[], &[]), "already recorded");
    assert!(edge.handle_ack(s0.wrapping_add(1), u32::MAX).is_empty());
    assert!(!edge.has_baseline(1));
    assert_eq!(edge.handle_ack(s0, 0), vec![9]);
    assert!(edge.has_baseline(1));
    assert!(edge.handle_ack(s0, 0).is_empty());
}

/// Sends `state` of entity 1 in a new packet; returns its seq.
fn send(edge: &mut ClientBaselines, state: &EntityState) -> u16 {
    let seq = edge.next_seq();
    assert!(edge.record_sent(seq, Instant::now(), &[(state.id, state.clone())], &[]));
    seq
}

#[test]
fn newest_acknowledged_packet_is_the_baseline() {
    let mut edge = ClientBaselines::starting_at(u16::MAX - 1);
    let a = send(&mut edge, &entity(1, 1, 100));
    let b = send(&mut edge, &entity(1, 2, 100));
    let c = send(&mut edge, &entity(1, 3, 100));
    assert_eq!(c, 0, "wrapped");
    edge.handle_ack(b, 0);
    // A stale ack for an older packet must not move the baseline back.
    edge.handle_ack(a, 0);
    let now = edge.next_seq();
    let r = edge.encode_record(1, &entity(1, 4, 100), now, 1);
    assert_eq!(
        r.base,
        RecordBase::Delta {
            age: now.wrapping_sub(b)
        }
    );
    assert_eq!(r.pos, Some(Hex::new(2, -2)));
    assert_eq!(r.health, None);
    assert!(edge.unchanged(1, &entity(1, 2, 100)));
    assert!(!edge.unchanged(1, &entity(1, 4, 100)));
}

#[test]
fn kind_or_owner_change_and_old_baselines_send_full() {
    let mut edge = ClientBaselines::new().with_max_age(8);
    let a = send(&mut edge, &entity(1, 1, 100));
    edge.handle_ack(a, 0);
    let mut other = entity(1, 1, 100);
    other.owner = 4;
    let now = send(&mut edge, &other);
    assert!(matches!(
        edge.encode_record(1, &other, now, 1).base,
        RecordBase::Full { .. }
    ));
    for _ in 0..7 {
        edge.next_seq();
    }
    let now = edge.next_seq();
    assert_eq!(now.wrapping_sub(a), 9);
    assert!(matches!(
        edge.encode_record(1, &entity(1, 1, 100), now, 1).base,
        RecordBase::Full { .. }
    ));
}

#[test]
fn forgotten_entity_ignores_in_flight_acks() {
    let mut edge = ClientBaselines::new();
    let a = send(&mut edge, &entity(1, 1, 100));
    let b = send(&mut edge, &entity(1, 2, 100));
    edge.handle_ack(a, 0);
    edge.forget(1);
    assert!(!edge.has_baseline(1));
    // The ack for a packet sent before `forget` arrives late.
    edge.handle_ack(b, 1);
    let now = edge.next_seq();
    let r = edge.encode_record(1, &entity(1, 3, 100), now, 1);
    assert!(matches!(r.base, RecordBase::Full { .. }));
    assert!(edge.record_sent(now, Instant::now(), &[(1, entity(1, 3, 100))], &[]));
    edge.handle_ack(now, 0);
    assert!(edge.has_baseline(1));
}

#[test]
fn packets_beyond_the_ack_window_count_as_lost() {
    let mut edge = ClientBaselines::new();
    let old = send(&mut edge, &entity(1, 1, 100));
    let mut last = old;
    for _ in 0..40 {
        last = send(&mut edge, &entity(2, 1, 100));
    }
    edge.handle_ack(last, 0);
    // A stale ack naming `old` arrives after one 40 packets newer: `old` counts as lost.
    edge.handle_ack(old, 0);
    assert!(!edge.has_baseline(1));
}

#[test]
fn tracked_packets_are_bounded() {
    let mut edge = ClientBaselines::new();
    for i in 0..3_000 {
        send(&mut edge, &entity(1, i, 100));
    }
    assert_eq!(edge.tracked_packets(), MAX_TRACKED_PACKETS);
    let mut small = ClientBaselines::new().with_max_age(16);
    for i in 0..100 {
        send(&mut small, &entity(1, i, 100));
    }
    assert!(small.tracked_packets() <= 17);
}

#[test]
fn moves_beyond_the_position_bits_are_sent_as_full_records() {
    let t0 = Instant::now();
    let mut b = ClientBaselines::new();
    b.set_position_bits(4); // deltas within ±7 hexes per axis
    let start = EntityState {
        id: 3,
        kind: EntityKind::Frigate,
        owner: 2,
        pos: Hex::new(0, 0),
        health: 50,
    };
    let seq = b.next_seq();
    assert!(b.record_sent(seq, t0, &[(3, start.clone())], &[]));
    b.handle_ack(seq, 0);
    let near = EntityState {
        pos: Hex::new(7, -7),
        ..start.clone()
    };
    let far = EntityState {
        pos: Hex::new(8, 0),
        ..start.clone()
    };
    let now = b.next_seq();
    assert!(matches!(
        b.encode_record(3, &near, now, 1).base,
        RecordBase::Delta { .. }
    ));
    let record = b.encode_record(3, &far, now, 1);
    assert!(matches!(record.base, RecordBase::Full { .. }));
    assert_eq!(record.apply(None, 1), Some(far.clone()));
    assert_eq!(b.record_bits_bound(3, &far, 1, 1), record.encoded_bits());
}
