//! A session fed its changes by the hub sends exactly what a session reading the mirror's
//! log sends: the feed may hold ids it does not track (the hub's watch sets are supersets)
//! and repeats, and "everything" rescans what it tracks, as the log's fallback does.

use super::{Mirror, SessionSync};
use crate::bandwidth::BandwidthProfile;
use starlane_protocol::link::{EntityFrame, ViewChange};
use starlane_protocol::{EntityChange, EntityId, EntityKind, EntityState, Hex};
use std::time::{Duration, Instant};

const EMPIRE: u32 = 7;
/// Entities on the edge; the session sees the first `SEEN`.
const ALL: u32 = 60;
const SEEN: u32 = 25;

fn state(id: EntityId) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::ALL[id as usize % EntityKind::ALL.len()],
        owner: if id.is_multiple_of(8) { EMPIRE } else { 9 },
        pos: Hex::new(id as i32 % 11, id as i32 % 7),
        health: 50,
    }
}

/// Tick `t`'s frame: a changing third of the edge's entities moves, some lose health.
fn frame(t: u32) -> EntityFrame {
    EntityFrame {
        tick: t,
        changed: (1..=ALL)
            .filter(|id| (id + t).is_multiple_of(3))
            .map(|id| EntityChange {
                id,
                pos: Some(Hex::new((id + t) as i32 % 13, id as i32 % 7)),
                health: (id % 4 == 0).then_some(50 - (t % 40) as u16),
            })
            .collect(),
        ..EntityFrame::default()
    }
}

#[test]
fn a_fed_session_sends_what_a_log_reading_session_sends() {
    let profile = BandwidthProfile::default();
    let mut now = Instant::now();
    let mut mirror = Mirror::new();
    mirror.apply(&EntityFrame {
        tick: 1,
        reset: true,
        appeared: (1..=ALL).map(state).collect(),
        ..EntityFrame::default()
    });
    let view = ViewChange {
        tick: 1,
        entered: (1..=SEEN).collect(),
        ..ViewChange::default()
    };
    let mut log = SessionSync::new(&profile, EMPIRE, now);
    let mut fed = SessionSync::new(&profile, EMPIRE, now);
    log.handle_view(now, &view, &mirror);
    fed.handle_view(now, &view, &mirror);
    let mut sent = 0;
    for t in 2..80u32 {
        let f = frame(t);
        mirror.apply(&f);
        // The hub's superset: every id of the frame, some twice; now and then "everything".
        let mut ids: Vec<EntityId> = f.changed.iter().map(|c| c.id).collect();
        ids.extend(ids.clone().iter().take(3));
        fed.feed_changes(&ids, t % 17 == 0);
        now += Duration::from_millis(50);
        let a = log.poll_transmit(now, &mirror);
        let b = fed.poll_transmit(now, &mirror);
        assert_eq!(a, b, "tick {t}");
        sent += a.len();
        for d in &a {
            if let Ok(starlane_protocol::client::ServerMsg::EntityPacket(p)) =
                starlane_protocol::client::ServerMsg::decode(d)
            {
                log.handle_ack(now, p.seq, 0);
                fed.handle_ack(now, p.seq, 0);
            }
        }
    }
    assert!(sent > 70, "both sent every tick: {sent} datagrams");
}
