//! Scenario: the hub's bounded edge->region queue. Commands may use three quarters of it and
//! are then refused (`SendError::Full`, handed back); joins may use all of it and are then
//! refused; a leave that finds it full is deferred (never dropped) and handed to the link
//! writer afterwards. Each refusal is counted by frame kind.

#![allow(clippy::unwrap_used)]

use starlane_edge::region_hub::{RegionHub, SendError};
use starlane_protocol::link::{EdgeToRegion, PlayerIdentity};
use starlane_protocol::{Command, Hex};
use tokio::sync::mpsc;

fn player(id: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: id,
        username: format!("p{id}"),
    }
}

fn command(session: u64, seq: u32) -> EdgeToRegion {
    EdgeToRegion::Command {
        session,
        seq,
        command: Command::Move {
            unit: 1,
            to: Hex::new(0, 1),
        },
    }
}

#[test]
fn bounded_queue_refuses_commands_then_joins_and_defers_leaves() {
    let hub = RegionHub::new();
    let (tx, mut rx) = mpsc::channel(16);
    let generation = hub.attach(tx);
    let _s1 = hub.join(1, player(1)).unwrap();

    // 15 slots free: commands stop when a quarter (4) is left.
    let mut sent = 0;
    let refused = loop {
        match hub.send(1, command(1, sent)) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(sent, 11);
    assert_eq!(refused, SendError::Full(command(1, 11)));
    assert_eq!(refused.into_frame(), command(1, 11));

    // Joins take the reserve, then are refused.
    let joined = (2..10)
        .filter(|s| hub.join(*s, player(*s as i64)).is_some())
        .count();
    assert_eq!(joined, 4);
    assert_eq!(hub.session_count(), 5);

    // A leave on the full queue is deferred, not lost.
    hub.leave(1);
    assert!(
        hub.take_deferred_leaves(generation + 1).is_empty(),
        "other link"
    );
    assert_eq!(
        hub.take_deferred_leaves(generation),
        vec![EdgeToRegion::Leave { session: 1 }]
    );
    assert!(hub.take_deferred_leaves(generation).is_empty());

    let full = &hub.metrics().queue_full;
    assert_eq!(full.with_label_values(&["command"]).get(), 1);
    assert_eq!(full.with_label_values(&["join"]).get(), 4);
    assert_eq!(full.with_label_values(&["leave"]).get(), 1);

    // The queue holds the frames in order: join 1, its 11 commands, the 4 joins.
    assert!(matches!(
        rx.try_recv().unwrap(),
        EdgeToRegion::Join { session: 1, .. }
    ));
    for seq in 0..11 {
        assert_eq!(rx.try_recv().unwrap(), command(1, seq));
    }
    for s in 2..6 {
        assert!(
            matches!(rx.try_recv().unwrap(), EdgeToRegion::Join { session, .. } if session == s)
        );
    }
    assert!(rx.try_recv().is_err());

    // Drained: commands of a registered session pass again; unknown sessions never do.
    hub.send(2, command(2, 0)).unwrap();
    assert!(matches!(
        hub.send(1, command(1, 99)),
        Err(SendError::Unavailable(_))
    ));
}
