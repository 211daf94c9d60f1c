//! `Mirror` and `SessionSync` edge cases: frame semantics, hostile or odd input, header bounds,
//! clean entities taking no bytes, profile reload.
#![allow(clippy::unwrap_used)]

use starlane_client::delta::DeltaReceiver;
use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{Mirror, PACKET_HEADER_BYTES, SessionSync, header_bound};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::{EntityPacket, Event, EventEntry, MAX_EVENTS};
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex, ResourceKind};
use std::time::{Duration, Instant};

fn state(id: u32, owner: u32, q: i32) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner,
        pos: Hex::new(q, -q),
        health: 77,
    }
}

fn frame(
    tick: u32,
    appeared: Vec<EntityState>,
    changed: Vec<EntityChange>,
    removed: Vec<u32>,
) -> EntityFrame {
    EntityFrame {
        tick,
        reset: false,
        appeared,
        changed,
        removed,
    }
}

#[test]
fn mirror_applies_frames_in_order_and_counts_unknown_changes() {
    let mut m = Mirror::new();
    m.apply(&frame(
        1,
        vec![state(1, 7, 0), state(2, 0, 3)],
        vec![],
        vec![],
    ));
    let change = |id, q| EntityChange {
        id,
        pos: Some(Hex::new(q, 0)),
        health: None,
    };
    m.apply(&frame(2, vec![], vec![change(1, 5), change(9, 1)], vec![2]));
    assert_eq!(m.tick(), 2);
    assert_eq!(m.len(), 1);
    assert_eq!(m.get(1).unwrap().pos, Hex::new(5, 0));
    assert_eq!(m.get(1).unwrap().health, 77);
    assert_eq!(m.unknown_changes(), 1);
    let seen: Vec<u32> = m.changes_since(1).unwrap().collect();
    assert_eq!(seen, vec![1, 2]);
    m.apply(&EntityFrame {
        tick: 3,
        reset: true,
        appeared: vec![state(4, 0, 1)],
        ..EntityFrame::default()
    });
    assert_eq!(m.len(), 1);
    assert!(m.get(1).is_none());
    assert!(m.changes_since(2).is_none(), "a reset forces a rescan");
    m.clear();
    assert!(m.is_empty());
}

#[test]
fn header_bound_covers_every_header() {
    // PACKET_HEADER_BYTES covers ticks below 2^28 (155 days at 20 Hz) with steps below 128.
    assert!(header_bound((1 << 28) - 1, 127) <= PACKET_HEADER_BYTES);
    for (tick, step) in [(0, 1), (u32::MAX, u16::MAX), (1 << 21, 200)] {
        let p = EntityPacket {
            seq: u16::MAX,
            tick,
            health_step: step,
            events: vec![
                EventEntry {
                    event_id: 1,
                    event: Event::CommandAck { seq: 1 },
                };
                MAX_EVENTS
            ],
            entities: Vec::new(),
        };
        let header = p.header_bits(MAX_EVENTS, 1024).div_ceil(8);
        assert!(header <= header_bound(tick, step));
        let encoded = ServerMsg::EntityPacket(p.clone()).encode().len();
        let events: usize = p.events.iter().map(|e| e.encoded_bits().div_ceil(8)).sum();
        assert!(encoded <= header_bound(tick, step) + events);
    }
}

/// A session with `n` visible entities of empire 7 (ids 1..=n, id 1 owned).
fn setup(n: u32, profile: &BandwidthProfile, now: Instant, tick: u32) -> (SessionSync, Mirror) {
    let mut mirror = Mirror::new();
    let states: Vec<EntityState> = (1..=n)
        .map(|id| state(id, if id == 1 { 7 } else { 9 }, id as i32))
        .collect();
    mirror.apply(&frame(tick, states, vec![], vec![]));
    let mut s = SessionSync::new(profile, 7, now);
    let view = ViewChange {
        tick,
        entered: (1..=n).collect(),
        ..ViewChange::default()
    };
    s.handle_view(now, &view, &mirror);
    (s, mirror)
}

#[test]
fn clean_entities_take_no_bytes_and_the_first_send_is_immediate() {
    let profile = BandwidthProfile::default();
    let t0 = Instant::now();
    let (mut s, mirror) = setup(50, &profile, t0, 5);
    assert_eq!(s.next_send(), t0);
    assert_eq!(s.visible(), 50);
    let out = s.poll_transmit(t0, &mirror);
    assert!(!out.is_empty());
    let interval = Duration::from_millis(50);
    assert_eq!(s.next_send(), t0 + interval);
    assert!(
        s.poll_transmit(t0 + interval / 2, &mirror).is_empty(),
        "not due yet"
    );
    let mut rx = DeltaReceiver::new();
    for d in &out {
        let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(d) else {
            panic!("not an EntityPacket");
        };
        rx.handle_packet(&p);
    }
    let (newest, mask) = rx.ack().unwrap();
    s.handle_ack(t0 + Duration::from_millis(20), newest, mask);
    assert_eq!(s.srtt(), Some(Duration::from_millis(20)));
    assert_eq!(rx.entities().count(), 50);
    // Nothing changed and everything is acknowledged: later ticks send nothing.
    for k in 1..40 {
        assert!(s.poll_transmit(t0 + interval * k, &mirror).is_empty());
    }
    assert_eq!(s.pending(), 0);
    assert_eq!(s.queued_priority(), 0.0);
    let ages = s.drain_staleness_ms();
    assert_eq!(ages.len(), 50);
    assert!(s.drain_staleness_ms().is_empty());
}

#[test]
fn unacknowledged_records_are_resent_after_the_timeout_only() {
    let profile = BandwidthProfile::default();
    let t0 = Instant::now();
    let (mut s, mirror) = setup(10, &profile, t0, 1);
    let first = s.poll_transmit(t0, &mirror);
    assert_eq!(first.len(), 1);
    let interval = Duration::from_millis(50);
    // No ack: nothing until the 250 ms initial timeout, then everything again.
    let mut resent_at = None;
    for k in 1..20 {
        let now = t0 + interval * k;
        if !s.poll_transmit(now, &mirror).is_empty() {
            resent_at = Some(now - t0);
            break;
        }
    }
    assert_eq!(resent_at, Some(Duration::from_millis(250)));
    assert_eq!(s.stats().records, 20);
}

#[test]
fn odd_input_is_counted_not_fatal() {
    let profile = BandwidthProfile::default();
    let t0 = Instant::now();
    let (mut s, mirror) = setup(3, &profile, t0, 1);
    s.handle_ack(t0, 999, u32::MAX);
    s.handle_ack(t0, 0, 0);
    assert_eq!(s.stats().acks, 2);
    assert_eq!(s.stats().acks_ignored, 2);
    let view = ViewChange {
        tick: 2,
        entered: vec![42, 43],
        left: vec![77],
        vision: vec![],
    };
    s.handle_view(t0, &view, &mirror);
    assert_eq!(s.stats().missing_in_mirror, 2);
    assert_eq!(s.visible(), 3);
    assert_eq!(
        s.pending_events(),
        0,
        "leaving an id never seen queues nothing"
    );
    // A visible entity dropped from the mirror is skipped at send time.
    let mut mirror = mirror;
    mirror.apply(&frame(3, vec![], vec![], vec![2]));
    let out = s.poll_transmit(t0, &mirror);
    let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&out[0]) else {
        panic!("not an EntityPacket");
    };
    assert_eq!(p.entities.len(), 2);
    assert_eq!(s.stats().missing_in_mirror, 3);
    // Acks of sent packets with garbage masks are harmless.
    s.handle_ack(t0, p.seq, u32::MAX);
    assert_eq!(s.stats().acks_ignored, 2);
    let _ = ClientMsg::Ack { newest: 0, mask: 0 };
}

#[test]
fn unsent_resource_and_vision_events_are_superseded() {
    let profile = BandwidthProfile::default();
    let t0 = Instant::now();
    let (mut s, mirror) = setup(1, &profile, t0, 1);
    s.push_event(Event::Resource {
        kind: ResourceKind::Metal,
        amount: 1,
    });
    s.push_event(Event::Resource {
        kind: ResourceKind::Metal,
        amount: 2,
    });
    s.push_event(Event::CommandAck { seq: 4 });
    assert_eq!(s.pending_events(), 2);
    let out = s.poll_transmit(t0, &mirror);
    let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&out[0]) else {
        panic!("not an EntityPacket");
    };
    let events: Vec<Event> = p.events.iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        vec![
            Event::Resource {
                kind: ResourceKind::Metal,
                amount: 2
            },
            Event::CommandAck { seq: 4 }
        ]
    );
    // Metal 3 waits for Metal 2 (in flight) to be acknowledged.
    s.push_event(Event::Resource {
        kind: ResourceKind::Metal,
        amount: 3,
    });
    let later = t0 + Duration::from_millis(50);
    assert!(s.poll_transmit(later, &mirror).is_empty());
    s.handle_ack(later, p.seq, 0);
    assert_eq!(s.pending_events(), 1);
    let out = s.poll_transmit(later + Duration::from_millis(50), &mirror);
    let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&out[0]) else {
        panic!("not an EntityPacket");
    };
    assert_eq!(p.events.len(), 1);
    assert_eq!(s.stats().events_superseded, 1);
}

#[test]
fn huge_ticks_and_steps_stay_within_the_packet() {
    let profile = BandwidthProfile {
        max_packet_bytes: 200,
        quantization: starlane_edge::bandwidth::QuantizationConfig {
            health_step: 300,
            ..Default::default()
        },
        ..BandwidthProfile::default()
    };
    let t0 = Instant::now();
    let (mut s, mirror) = setup(500, &profile, t0, u32::MAX);
    for _ in 0..300 {
        s.push_event(Event::CommandAck { seq: u32::MAX });
    }
    let out = s.poll_transmit(t0, &mirror);
    assert!(out.len() > 5);
    assert!(out.iter().all(|d| d.len() <= 200));
    // Reload: a smaller packet applies from the next tick on, the view is kept.
    let small = BandwidthProfile {
        max_packet_bytes: 100,
        ..profile
    };
    s.set_profile(&small, t0);
    assert_eq!(s.visible(), 500);
    let out = s.poll_transmit(t0 + Duration::from_millis(50), &mirror);
    assert!(out.iter().all(|d| d.len() <= 100));
}
