//! Tests of the `EntityPacket` sizes and wire choices (SPEC.md §16.2, §16.4): exact lengths,
//! per-entry upper bounds, record order, the common baseline age and position steps.

use super::delta_tests::{delta, events, job_events};
use super::tests::XorShift;
use crate::client::ServerMsg;
use crate::delta::*;
use crate::types::*;

fn random_packet(rng: &mut XorShift) -> EntityPacket {
    let small_or_big = |rng: &mut XorShift| {
        if rng.below(4) == 0 {
            rng.next() as u32
        } else {
            rng.below(300) as u32
        }
    };
    let coord = |rng: &mut XorShift| {
        let v = small_or_big(rng) as i32;
        if rng.below(2) == 0 {
            v
        } else {
            v.wrapping_neg()
        }
    };
    let n_events = rng.below(12) as u32;
    let mut events = events(n_events);
    for e in &mut events {
        e.event_id = small_or_big(rng);
    }
    let entities = (0..rng.below(200))
        .map(|_| {
            let base = if rng.below(2) == 0 {
                // Mostly a few ages, so that the common age is exercised.
                let age = match rng.below(3) {
                    0 => 1 + rng.below(u64::from(MAX_BASELINE_AGE)) as u16,
                    _ => [1, 2, 200, MAX_BASELINE_AGE][rng.below(4) as usize],
                };
                RecordBase::Delta { age }
            } else {
                RecordBase::Full {
                    kind: (rng.below(2) == 0).then_some(EntityKind::Station),
                    owner: (rng.below(2) == 0).then(|| small_or_big(rng)),
                }
            };
            let pos = match rng.below(3) {
                0 => None,
                1 => Some(Hex::new(coord(rng), coord(rng))),
                _ => Some(Hex::new(rng.below(3) as i32 - 1, rng.below(3) as i32 - 1)),
            };
            let health = (rng.below(2) == 0).then(|| rng.next() as u16);
            let id = match rng.below(3) {
                0 => rng.next() as u32,
                1 => u32::MAX - rng.below(3) as u32,
                _ => rng.below(300) as u32,
            };
            EntityRecord {
                id,
                base,
                pos,
                health,
            }
        })
        .collect();
    EntityPacket {
        seq: rng.next() as u16,
        tick: small_or_big(rng),
        health_step: 1 + rng.below(1000) as u16,
        events,
        entities,
    }
}

/// `p` as a decoder returns it: records sorted by id, later records of a repeated id dropped.
fn canonical(mut p: EntityPacket) -> EntityPacket {
    p.entities.sort_by_key(|r| r.id);
    p.entities.dedup_by_key(|r| r.id);
    p
}

#[test]
fn encoded_len_is_exact() {
    let mut rng = XorShift(0xDE17_A5EE_D000_0001);
    for _ in 0..2_000 {
        let p = random_packet(&mut rng);
        let len = p.encoded_len();
        let bytes = ServerMsg::EntityPacket(p.clone()).encode();
        assert_eq!(bytes.len(), len);
        assert_eq!(
            ServerMsg::decode(&bytes),
            Ok(ServerMsg::EntityPacket(canonical(p)))
        );
    }
}

#[test]
fn combat_and_job_event_sizes_are_exact() {
    let mut rng = XorShift(0x10B5_5EED_0000_0003);
    let mut wide = |bits: u32| {
        let v = rng.next() >> rng.below(64);
        (v & ((1u64 << bits) - 1)) as u32
    };
    for _ in 0..2_000 {
        let mut events = job_events(wide(32));
        for e in &mut events {
            if let Event::Job(j) = &mut e.event {
                j.building = wide(32);
                j.job = wide(32);
                j.recipe = wide(16) as u16;
            }
        }
        events.push(EventEntry {
            event_id: wide(32),
            event: Event::Combat(CombatReport {
                dealt: wide(32),
                taken: wide(32),
                kills: wide(16) as u16,
                losses: wide(16) as u16,
            }),
        });
        // Each event alone, so that a size off by any number of bits shows in whole bytes
        // against at least one padding.
        for e in events {
            let p = EntityPacket {
                health_step: 1,
                events: vec![e],
                ..EntityPacket::default()
            };
            let bytes = ServerMsg::EntityPacket(p.clone()).encode();
            assert_eq!(bytes.len(), p.encoded_len(), "{p:?}");
            let bits = p.header_bits(1, 0) + p.events[0].encoded_bits();
            assert_eq!(bytes.len(), bits.div_ceil(8), "{p:?}");
            assert_eq!(ServerMsg::decode(&bytes), Ok(ServerMsg::EntityPacket(p)));
        }
    }
}

#[test]
fn per_entry_sizes_bound_every_packet() {
    let mut rng = XorShift(0xB0B0_5EED_0000_0002);
    for _ in 0..2_000 {
        let p = random_packet(&mut rng);
        let bound = p.header_bits(p.events.len(), p.entities.len())
            + p.events.iter().map(EventEntry::encoded_bits).sum::<usize>()
            + p.entities
                .iter()
                .map(EntityRecord::encoded_bits)
                .sum::<usize>();
        assert!(p.encoded_len() * 8 <= bound.next_multiple_of(8), "{p:?}");
        // The same in whole bytes per entry, as the edge plans them.
        let byte_bound = p.header_bits(MAX_EVENTS, MAX_ENTITY_RECORDS).div_ceil(8)
            + p.events
                .iter()
                .map(|e| e.encoded_bits().div_ceil(8))
                .sum::<usize>()
            + p.entities
                .iter()
                .map(|r| r.encoded_bits().div_ceil(8))
                .sum::<usize>();
        assert!(p.encoded_len() <= byte_bound);
    }
    // A wide common age is paid for by the records taking it.
    let wide = EntityPacket {
        health_step: 1,
        entities: (0..3)
            .map(|id| delta(id, MAX_BASELINE_AGE, None, None))
            .collect(),
        ..EntityPacket::default()
    };
    let bound = wide.header_bits(0, 3)
        + wide
            .entities
            .iter()
            .map(EntityRecord::encoded_bits)
            .sum::<usize>();
    assert!(wide.encoded_len() * 8 <= bound);
}

#[test]
fn records_go_out_sorted_by_id_without_repeats() {
    let p = EntityPacket {
        health_step: 1,
        entities: vec![
            delta(9, 3, None, Some(1)),
            delta(2, 3, None, None),
            delta(9, 4, None, Some(2)),
            delta(5, 3, None, None),
        ],
        ..EntityPacket::default()
    };
    let Ok(ServerMsg::EntityPacket(got)) =
        ServerMsg::decode(&ServerMsg::EntityPacket(p.clone()).encode())
    else {
        panic!("decodes");
    };
    let ids: Vec<u32> = got.entities.iter().map(|r| r.id).collect();
    assert_eq!(ids, [2, 5, 9]);
    assert_eq!(
        got.entities[2].health,
        Some(1),
        "the first record of id 9 is kept"
    );
    assert_eq!(got.encoded_len(), p.encoded_len());
}

#[test]
fn common_age_is_the_most_frequent_smallest_on_ties() {
    let bytes = |ages: &[u16]| {
        ServerMsg::EntityPacket(EntityPacket {
            health_step: 1,
            entities: ages
                .iter()
                .zip(0..)
                .map(|(&age, id)| delta(id, age, None, None))
                .collect(),
            ..EntityPacket::default()
        })
        .encode()
    };
    // Type, seq, tick, step, then common_age.
    assert_eq!(bytes(&[])[5], 0);
    assert_eq!(bytes(&[7, 3, 7, 3, 9])[5], 3);
    assert_eq!(bytes(&[7, 3, 7])[5], 7);
    // Eight header bytes, then two records taking the common age, 12 bits each (id,
    // has_baseline, uses_common, two presence bits).
    assert_eq!(bytes(&[4, 4]).len(), 8 + 24 / 8);
}

#[test]
fn position_steps_take_four_bits() {
    let offsets = [(1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1)];
    for (dir, (dq, dr)) in offsets.into_iter().enumerate() {
        let rec = delta(1, 1, Some(Hex::new(dq, dr)), None);
        let p = EntityPacket {
            health_step: 1,
            entities: vec![rec],
            ..EntityPacket::default()
        };
        let bytes = ServerMsg::EntityPacket(p.clone()).encode();
        // On the wire, taking the common age: id 8, has_baseline, uses_common, has_pos,
        // has_health, is_step, dir: 16 bits. The bound also counts an explicit age.
        assert_eq!(&bytes[8..], [0x01, 0b1110_1000 | dir as u8]);
        assert_eq!(rec.encoded_bits(), 16 + 8);
        assert_eq!(ServerMsg::decode(&bytes), Ok(ServerMsg::EntityPacket(p)));
    }
    // Not a step: zero, two hexes away, or the opposite diagonal.
    for d in [
        Hex::new(0, 0),
        Hex::new(2, 0),
        Hex::new(1, 1),
        Hex::new(-1, -1),
    ] {
        let bits = delta(1, 1, Some(d), None).encoded_bits();
        assert_eq!(bits, 8 + 1 + 1 + 8 + 2 + 1 + 16);
    }
    // Without a baseline a position is absolute, never a step.
    let full = EntityRecord {
        id: 1,
        base: RecordBase::Full {
            kind: None,
            owner: None,
        },
        pos: Some(Hex::new(1, 0)),
        health: None,
    };
    assert_eq!(full.encoded_bits(), 8 + 1 + 4 + 16);
}

#[test]
fn typical_packet_fits_a_datagram() {
    // 50 entities moving one hex against an acknowledged baseline, and 10 events.
    let entities: Vec<EntityRecord> = (0..50)
        .map(|i| delta(1000 + i, 2, Some(Hex::new(1, 0)), None))
        .collect();
    let p = EntityPacket {
        seq: 4000,
        tick: 90_000,
        health_step: 10,
        events: events(10),
        entities,
    };
    // Bound of each record: id 2 bytes + has_baseline + uses_common + age 1 byte + 2 presence
    // bits + is_step + direction.
    assert_eq!(p.entities[0].encoded_bits(), 16 + 1 + 1 + 8 + 2 + 1 + 3);
    let len = p.encoded_len();
    assert_eq!(ServerMsg::EntityPacket(p).encode().len(), len);
    // Header 80 bits (type, seq, 3-byte tick, step, common age, two counts); events 354 bits
    // (two of each tag); records: the first 24 bits (id 1000 in 2 bytes), the 49 others 16
    // bits (id gap 0 in 1 byte, common age, step): 1242 bits.
    assert_eq!(len, 156);
    assert!(len <= MAX_DATAGRAM);
}
