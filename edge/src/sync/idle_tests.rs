//! When a session's send tick has work ([`SessionSync::poll_timeout`]): at the send rate
//! while something waits, at the resend deadline while a sent state is unacknowledged, and
//! never while the client's view is idle, until a view change, an event or a mirror frame
//! that changed what it sees brings work back.

use super::{Mirror, SessionSync};
use crate::bandwidth::BandwidthProfile;
use starlane_protocol::client::ServerMsg;
use starlane_protocol::delta::Event;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityId, EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

const EMPIRE: u32 = 7;
const SHIP: EntityId = 1;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn ship(q: i32) -> EntityState {
    EntityState {
        id: SHIP,
        kind: EntityKind::Frigate,
        owner: 9,
        pos: Hex::new(q, 0),
        health: 10,
    }
}

/// Sends what is due at `now`, acknowledges every packet at once; how many were sent.
fn send_and_ack(sync: &mut SessionSync, mirror: &Mirror, now: Instant) -> usize {
    let sent = sync.poll_transmit(now, mirror);
    for datagram in &sent {
        let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(datagram) else {
            panic!("the sync sent something else than an entity packet");
        };
        sync.handle_ack(now + ms(10), p.seq, 0);
    }
    sent.len()
}

#[test]
fn an_idle_session_has_no_send_tick_until_work_arrives() {
    let profile = BandwidthProfile::default();
    let t0 = Instant::now();
    let mut sync = SessionSync::new(&profile, EMPIRE, t0);
    let mut mirror = Mirror::new();
    assert_eq!(sync.poll_timeout(), None, "a new session sees nothing yet");

    mirror.apply(&EntityFrame {
        tick: 1,
        reset: true,
        appeared: vec![ship(0)],
        ..EntityFrame::default()
    });
    let view = ViewChange {
        tick: 1,
        entered: vec![SHIP],
        ..ViewChange::default()
    };
    sync.handle_view(t0, &view, &mirror);
    assert_eq!(
        sync.poll_timeout(),
        Some(t0),
        "an entered entity is due at once"
    );

    assert_eq!(send_and_ack(&mut sync, &mirror, t0), 1);
    let resend = sync
        .poll_timeout()
        .expect("the sent state has a resend deadline");
    assert!(resend > t0, "the resend check waits a timeout ({resend:?})");
    assert!(
        sync.poll_transmit(resend, &mirror).is_empty(),
        "acked: nothing to resend"
    );
    assert_eq!(sync.poll_timeout(), None, "acknowledged and checked: idle");

    // A frame that changes only what the client does not see leaves the session idle.
    let t1 = resend + ms(1);
    mirror.apply(&EntityFrame {
        tick: 2,
        appeared: vec![EntityState { id: 2, ..ship(3) }],
        ..EntityFrame::default()
    });
    assert!(sync.poll_transmit_on_frame(t1, &mirror).is_empty());
    assert_eq!(sync.poll_timeout(), None, "an unseen entity is no work");

    // One that moves a seen entity right after a send tick makes the next tick due.
    mirror.apply(&EntityFrame {
        tick: 3,
        changed: vec![EntityChange {
            id: SHIP,
            pos: Some(Hex::new(1, 0)),
            health: None,
        }],
        ..EntityFrame::default()
    });
    assert!(sync.poll_transmit_on_frame(t1, &mirror).is_empty());
    assert_eq!(sync.poll_timeout(), Some(sync.next_send()));
    let t2 = sync.next_send();
    assert!(t2 > t1);
    assert_eq!(send_and_ack(&mut sync, &mirror, t2), 1);

    // An event wakes an idle session too.
    let idle = sync.poll_timeout().expect("resend check");
    sync.poll_transmit(idle, &mirror);
    assert_eq!(sync.poll_timeout(), None);
    sync.push_event(Event::Disappeared { id: 99 });
    assert_eq!(sync.poll_timeout(), Some(sync.next_send()));
}
