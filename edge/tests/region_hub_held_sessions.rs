//! Scenario: sessions across a lost link, through the hub. Detaching the link holds its
//! sessions (each told `Lost`, none forgotten) and refuses their frames; attaching a new link
//! re-announces every held session with its original join, in session order, handed to the
//! link writer once; a session that ends before its re-announcement is written needs no
//! leave; an unbounded (test) link gets the joins at once.

#![allow(clippy::unwrap_used)]

use starlane_edge::region_hub::{RegionEvent, RegionHub, SendError};
use starlane_protocol::link::{EdgeToRegion, PlayerIdentity};
use tokio::sync::mpsc;

fn player(id: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: id,
        username: format!("p{id}"),
    }
}

#[test]
fn held_sessions_are_reannounced_on_the_next_link() {
    let hub = RegionHub::new();
    let (tx, _rx) = mpsc::channel(64);
    let first = hub.attach(tx);
    let mut events: Vec<_> = (1..=3)
        .map(|s| hub.join(s, player(s as i64 * 10)).unwrap())
        .collect();

    hub.detach(first);
    assert!(!hub.is_up());
    for rx in &mut events {
        assert_eq!(rx.try_recv().unwrap(), RegionEvent::Lost);
    }
    assert_eq!(hub.session_count(), 3, "held, not forgotten");
    assert_eq!(hub.metrics().sessions_held.get(), 3);
    let leave = EdgeToRegion::Leave { session: 1 };
    assert_eq!(
        hub.send(1, leave.clone()),
        Err(SendError::Unavailable(leave))
    );
    assert!(hub.join(4, player(40)).is_none(), "no link, no new session");

    let (tx, mut rx) = mpsc::channel(64);
    let second = hub.attach(tx);
    assert_eq!(hub.metrics().sessions_held.get(), 0);
    // Session 2 ends before the writer took the joins: it is simply not re-announced.
    hub.leave(2);
    assert!(rx.try_recv().is_err(), "no leave for a join never written");
    let joins = hub.take_rejoins(second);
    assert_eq!(
        joins,
        vec![
            EdgeToRegion::Join {
                session: 1,
                player: player(10)
            },
            EdgeToRegion::Join {
                session: 3,
                player: player(30)
            },
        ]
    );
    assert!(hub.take_rejoins(second).is_empty(), "once");
    assert_eq!(hub.metrics().reannounced.get(), 2);

    // After the joins, session 3's frames and its leave go through the queue.
    hub.leave(3);
    assert_eq!(rx.try_recv().unwrap(), EdgeToRegion::Leave { session: 3 });

    // A test link on an unbounded queue gets the re-announcements at once.
    hub.detach(second);
    let (tx, mut rx) = mpsc::unbounded_channel();
    hub.attach(tx);
    assert_eq!(
        rx.try_recv().unwrap(),
        EdgeToRegion::Join {
            session: 1,
            player: player(10)
        }
    );
}
