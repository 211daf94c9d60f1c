#![allow(clippy::unwrap_used)]
//! `DeltaReceiver`: applying delta packets, dedup, acks and ordering (SPEC.md §16.3).

use starlane_client::delta::{DeltaReceiver, PacketKind};
use starlane_protocol::delta::{
    EntityPacket, EntityRecord, Event, EventEntry, RecordBase, ack_covers,
};
use starlane_protocol::{EntityKind, EntityState, Hex, Visibility};

fn state(id: u32, q: i32, health: u16) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner: 7,
        pos: Hex::new(q, 0),
        health,
    }
}

fn full(s: &EntityState) -> EntityRecord {
    EntityRecord::full(s, 1)
}

fn delta(id: u32, age: u16, dq: i32) -> EntityRecord {
    EntityRecord {
        id,
        base: RecordBase::Delta { age },
        pos: Some(Hex::new(dq, 0)),
        health: None,
    }
}

fn packet(seq: u16, events: Vec<EventEntry>, entities: Vec<EntityRecord>) -> EntityPacket {
    EntityPacket {
        seq,
        tick: u32::from(seq),
        health_step: 1,
        events,
        entities,
    }
}

fn ev(event_id: u32, event: Event) -> EventEntry {
    EventEntry { event_id, event }
}

#[test]
fn in_order_deltas_accumulate() {
    let mut rx = DeltaReceiver::new();
    assert_eq!(rx.ack(), None);
    let a = rx.handle_packet(&packet(10, vec![], vec![full(&state(1, 5, 100))]));
    assert_eq!(a.kind, PacketKind::Newest);
    assert_eq!(a.records_applied, 1);
    rx.handle_packet(&packet(11, vec![], vec![delta(1, 1, 2)]));
    rx.handle_packet(&packet(12, vec![], vec![delta(1, 1, -1)]));
    // Baseline two packets back.
    let a = rx.handle_packet(&packet(13, vec![], vec![delta(1, 2, 10)]));
    assert_eq!(a.missing_baseline, 0);
    assert_eq!(rx.entity(1), Some(&state(1, 17, 100)));
    assert_eq!(rx.entities().count(), 1);
    assert_eq!(rx.ack(), Some((13, 0b111)));
}

#[test]
fn out_of_order_and_duplicate_packets() {
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(1, vec![], vec![full(&state(1, 0, 50))]));
    // 3 arrives before 2; both deltas against packet 1.
    let a = rx.handle_packet(&packet(3, vec![], vec![delta(1, 2, 3)]));
    assert_eq!(a.kind, PacketKind::Newest);
    assert_eq!(rx.ack(), Some((3, 0b10)));
    let a = rx.handle_packet(&packet(2, vec![], vec![delta(1, 1, 1)]));
    assert_eq!(a.kind, PacketKind::Late);
    assert_eq!(a.records_stale, 1);
    assert_eq!(rx.ack(), Some((3, 0b11)));
    assert_eq!(rx.entity(1).unwrap().pos, Hex::new(3, 0));
    // The late packet's state is still a valid baseline.
    rx.handle_packet(&packet(4, vec![], vec![delta(1, 2, 10)]));
    assert_eq!(rx.entity(1).unwrap().pos, Hex::new(11, 0));

    // Duplicates (newest and older) are ignored entirely, events included.
    for seq in [4, 2] {
        let dup = packet(
            seq,
            vec![ev(99, Event::CommandAck { seq: 1 })],
            vec![full(&state(1, 40, 1))],
        );
        let a = rx.handle_packet(&dup);
        assert_eq!(a.kind, PacketKind::Duplicate);
        assert!(a.events.is_empty());
        assert_eq!(a.records_applied, 0);
    }
    assert_eq!(rx.entity(1).unwrap().pos, Hex::new(11, 0));
    assert_eq!(rx.stats().duplicates, 2);
    assert_eq!(rx.ack(), Some((4, 0b111)));
}

#[test]
fn missing_baseline_is_counted_and_skipped() {
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(1, vec![], vec![full(&state(1, 0, 50))]));
    let a = rx.handle_packet(&packet(
        3,
        vec![],
        vec![
            delta(1, 1, 5),   // packet 2 never arrived
            delta(2, 2, 5),   // packet 1 has no state for entity 2
            delta(1, 2, 1),   // fine
            delta(1, 200, 1), // outside the window
        ],
    ));
    assert_eq!(a.missing_baseline, 3);
    assert_eq!(a.records_applied, 1);
    assert_eq!(rx.entity(1).unwrap().pos, Hex::new(1, 0));
    assert_eq!(rx.entity(2), None);
    assert_eq!(rx.stats().missing_baseline, 3);
    // A baseline that has scrolled out of the 64-packet window is gone.
    rx.handle_packet(&packet(70, vec![], vec![]));
    let a = rx.handle_packet(&packet(71, vec![], vec![delta(1, 68, 1)]));
    assert_eq!(a.missing_baseline, 1);
}

#[test]
fn events_apply_once_across_resends() {
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(1, vec![], vec![full(&state(1, 0, 50))]));
    let vision = Event::Vision {
        hex: Hex::new(1, 2),
        state: Visibility::Fog,
    };
    let gone = Event::Disappeared { id: 1 };
    let a = rx.handle_packet(&packet(2, vec![ev(1, vision), ev(2, gone)], vec![]));
    assert_eq!(a.events, vec![vision, gone]);
    assert_eq!(rx.entity(1), None);
    // Resent with a new one; a record brings the entity back in the same packet.
    let ack = Event::CommandAck { seq: 9 };
    let a = rx.handle_packet(&packet(
        3,
        vec![ev(1, vision), ev(2, gone), ev(3, ack)],
        vec![full(&state(1, 4, 9))],
    ));
    assert_eq!(a.events, vec![ack]);
    assert_eq!(rx.entity(1).unwrap().pos, Hex::new(4, 0));
    assert_eq!(rx.stats().duplicate_events, 2);
    // Late packet resending an event: still applied once.
    let a = rx.handle_packet(&packet(0, vec![ev(3, ack)], vec![]));
    assert_eq!(a.kind, PacketKind::Late);
    assert!(a.events.is_empty());
}

#[test]
fn ack_mask_wraps_at_65535() {
    let mut rx = DeltaReceiver::new();
    for seq in [65533u16, 65535, 0, 2] {
        rx.handle_packet(&packet(seq, vec![], vec![]));
    }
    let (newest, mask) = rx.ack().unwrap();
    assert_eq!(newest, 2);
    // 2-1-i: i=1 -> 0, i=2 -> 65535, i=4 -> 65533.
    assert_eq!(mask, 0b10110);
    for seq in [65533u16, 65535, 0, 2] {
        assert!(ack_covers(newest, mask, seq));
    }
    for seq in [65534u16, 1, 3, 65532] {
        assert!(!ack_covers(newest, mask, seq));
    }
    // A late 65534 fills its bit; a jump of 28 drops what is more than 32 back.
    rx.handle_packet(&packet(65534, vec![], vec![]));
    assert_eq!(rx.ack(), Some((2, 0b11110)));
    rx.handle_packet(&packet(30, vec![], vec![]));
    let (newest, mask) = rx.ack().unwrap();
    assert_eq!(newest, 30);
    assert!(ack_covers(newest, mask, 2) && ack_covers(newest, mask, 0));
    assert!(!ack_covers(newest, mask, 65533));
    assert!(ack_covers(newest, mask, 65534)); // exactly 32 back: the oldest bit
    assert_eq!(mask.count_ones(), 4); // 2, 0, 65535, 65534; 65533 is 33 back
}

#[test]
fn late_older_packet_never_overwrites_newer_state() {
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(100, vec![], vec![full(&state(1, 1, 10))]));
    rx.handle_packet(&packet(
        102,
        vec![],
        vec![full(&state(1, 2, 20)), full(&state(3, 0, 1))],
    ));
    // Late 101 carries entity 1 (newer state held) and entity 2 (new): only 2 applies.
    let a = rx.handle_packet(&packet(
        101,
        vec![],
        vec![full(&state(1, 99, 99)), full(&state(2, 5, 5))],
    ));
    assert_eq!((a.records_applied, a.records_stale), (1, 1));
    assert_eq!(rx.entity(1), Some(&state(1, 2, 20)));
    assert_eq!(rx.entity(2), Some(&state(2, 5, 5)));
    // A removal in 103 is not undone by a late 101-era record.
    rx.handle_packet(&packet(
        103,
        vec![ev(1, Event::Disappeared { id: 3 })],
        vec![],
    ));
    rx.handle_packet(&packet(99, vec![], vec![full(&state(3, 7, 7))]));
    assert_eq!(rx.entity(3), None);
    // Older than the newest by 32768: ignored entirely.
    let too_old = 103u16.wrapping_sub(32768);
    let a = rx.handle_packet(&packet(too_old, vec![], vec![full(&state(9, 0, 1))]));
    assert_eq!(a.kind, PacketKind::TooOld);
    assert_eq!(rx.entity(9), None);
    assert_eq!(rx.ack().unwrap().0, 103);
}

#[test]
fn late_packet_with_a_missing_baseline_is_not_acknowledged() {
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(0, vec![], vec![full(&state(1, 0, 100))]));
    // Packet 1 is late; 100 newer packets arrive first, so packet 0's states are gone.
    for seq in 2..=101 {
        rx.handle_packet(&packet(seq, vec![], vec![]));
    }
    let late = rx.handle_packet(&packet(
        1,
        vec![ev(1, Event::CommandAck { seq: 4 })],
        vec![delta(1, 1, 1)],
    ));
    assert_eq!(late.kind, PacketKind::Late);
    assert_eq!(late.missing_baseline, 1);
    assert_eq!(late.events, vec![Event::CommandAck { seq: 4 }]);
    // Now a late packet close enough to be reported in the ack mask (49 and 50 held back).
    let mut rx = DeltaReceiver::new();
    rx.handle_packet(&packet(0, vec![], vec![full(&state(1, 0, 100))]));
    for seq in (1..=70).filter(|s| *s != 49 && *s != 50) {
        rx.handle_packet(&packet(seq, vec![], vec![]));
    }
    // Packet 50 names packet 0 as baseline (age 50), which the receiver no longer holds.
    rx.handle_packet(&packet(71, vec![], vec![]));
    let (newest_before, mask_before) = rx.ack().unwrap();
    let late = rx.handle_packet(&packet(50, vec![], vec![delta(1, 50, 1)]));
    assert_eq!(late.kind, PacketKind::Late);
    assert_eq!(late.missing_baseline, 1);
    let (newest, mask) = rx.ack().unwrap();
    assert_eq!((newest, mask), (newest_before, mask_before));
    assert!(
        !ack_covers(newest, mask, 50),
        "the packet must stay unacknowledged"
    );
    // A late packet whose records all apply is acknowledged.
    let ok = rx.handle_packet(&packet(49, vec![], vec![]));
    assert_eq!(ok.kind, PacketKind::Late);
    let (newest, mask) = rx.ack().unwrap();
    assert!(ack_covers(newest, mask, 49));
}
