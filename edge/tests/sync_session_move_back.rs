//! An entity that moves back to its acknowledged state while a newer state is in flight is sent
//! again: the client may already hold the in-flight state, so the acknowledged baseline alone
//! does not prove it holds the current one.

#![allow(clippy::unwrap_used)]

use starlane_edge::bandwidth::BandwidthProfile;
use starlane_edge::sync::{Mirror, SessionSync};
use starlane_protocol::client::ServerMsg;
use starlane_protocol::delta::EntityPacket;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

fn packets(datagrams: Vec<Vec<u8>>) -> Vec<EntityPacket> {
    datagrams
        .iter()
        .map(|d| match ServerMsg::decode(d).unwrap() {
            ServerMsg::EntityPacket(p) => p,
            other => panic!("expected an entity packet, got {other:?}"),
        })
        .collect()
}

fn at(q: i32) -> EntityFrame {
    EntityFrame {
        changed: vec![EntityChange {
            id: 1,
            pos: Some(Hex::new(q, 0)),
            health: None,
        }],
        ..EntityFrame::default()
    }
}

#[test]
fn moving_back_while_a_newer_state_is_in_flight_is_sent() {
    let ms = Duration::from_millis;
    let t0 = Instant::now();
    let mut mirror = Mirror::new();
    mirror.apply(&EntityFrame {
        appeared: vec![EntityState {
            id: 1,
            kind: EntityKind::Scout,
            owner: 2,
            pos: Hex::new(0, 0),
            health: 10,
        }],
        ..EntityFrame::default()
    });
    let mut sync = SessionSync::new(&BandwidthProfile::default(), 1, t0);
    let view = ViewChange {
        entered: vec![1],
        ..ViewChange::default()
    };
    sync.handle_view(t0, &view, &mirror);
    // Position 0 is sent and acknowledged: the baseline.
    let first = packets(sync.poll_transmit(t0, &mirror));
    sync.handle_ack(t0 + ms(5), first[0].seq, 0);
    // Position 1 is sent; its packet is still in flight when the entity moves back to 0.
    mirror.apply(&at(1));
    let t1 = sync.next_send();
    let second = packets(sync.poll_transmit(t1, &mirror));
    assert_eq!(second[0].entities.len(), 1);
    mirror.apply(&at(0));
    let t2 = sync.next_send();
    let third = packets(sync.poll_transmit(t2, &mirror));
    assert_eq!(
        third.iter().map(|p| p.entities.len()).sum::<usize>(),
        1,
        "the move back must be sent: the client may hold position 1"
    );
    // Once that packet is acknowledged, nothing more is sent while nothing changes.
    sync.handle_ack(t2 + ms(5), third[0].seq, 0b1);
    for i in 1..=20u32 {
        let t = t2 + ms(50) * i;
        assert!(sync.poll_transmit(t, &mirror).is_empty(), "tick {i}");
    }
}
