//! Scenario: the hub's bounded edge->region queue (LINK.md §8.1), with a region that stops
//! reading. Commands may use three quarters of it and are then refused (`SendError::Full`);
//! joins may use all of it and are then refused; a leave that finds it full is deferred
//! (never dropped) and sent once there is room. Each refusal is counted by frame kind, and when
//! the region reads again every queued frame arrives in order.

#![allow(clippy::unwrap_used)]

use crate::common::loop_region::LoopRegion;
use starlane_edge::region_hub::{DEFAULT_SESSION_EVENTS, RegionHub, SendError};
use starlane_netcore::proto::link::{EdgeLinkConfig, QueueLimits, RegionLinkEvent};
use starlane_protocol::link::{Leave, PlayerIdentity, SessionCommand};
use starlane_protocol::{Command, Hex};
use std::sync::Arc;

fn player(id: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: id,
        username: format!("p{id}"),
        command_stream: 0,
    }
}

fn command(session: u64, seq: u32) -> SessionCommand {
    SessionCommand {
        session,
        seq,
        command: Command::Move {
            unit: 1,
            to: Hex::new(0, 1),
        },
    }
}

#[tokio::test]
async fn bounded_queue_refuses_commands_then_joins_and_defers_leaves() {
    let config = EdgeLinkConfig {
        limits: QueueLimits {
            max_frames: 16,
            max_bytes: 1 << 20,
        },
        ..EdgeLinkConfig::default()
    };
    let hub = Arc::new(RegionHub::new(config, DEFAULT_SESSION_EVENTS));
    let mut region = LoopRegion::connect(&hub);
    region.reading = false;
    let _s1 = hub.join(1, player(1)).unwrap();

    // 15 frames of room left: commands stop at three quarters (12 queued).
    let mut sent = 0;
    let refused = loop {
        match hub.command(command(1, sent)) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(sent, 11);
    assert_eq!(refused, SendError::Full);

    // Joins take the last quarter, then are refused.
    let joined = (2..10)
        .filter(|s| hub.join(*s, player(*s as i64)).is_ok())
        .count();
    assert_eq!(joined, 4);
    assert_eq!(hub.session_count(), 5);

    // A leave on the full queue is deferred, not lost.
    hub.leave(1);
    let full = &hub.metrics().queue_full;
    assert_eq!(full.with_label_values(&["command"]).get(), 1);
    assert_eq!(full.with_label_values(&["join"]).get(), 4);
    assert_eq!(full.with_label_values(&["leave"]).get(), 1);

    // The region reads again: join 1, its 11 commands, the 4 joins, then the leave.
    region.reading = true;
    let events = region.take_events();
    assert_eq!(events.len(), 17, "{events:?}");
    assert!(
        matches!(&events[0], RegionLinkEvent::Join { join, rejoin: false } if join.session == 1)
    );
    for (seq, e) in events[1..12].iter().enumerate() {
        assert_eq!(e, &RegionLinkEvent::Command(command(1, seq as u32)));
    }
    for (e, s) in events[12..16].iter().zip(2..6) {
        assert!(matches!(e, RegionLinkEvent::Join { join, .. } if join.session == s));
    }
    assert_eq!(events[16], RegionLinkEvent::Leave(Leave { session: 1 }));

    // Drained: commands of a registered session pass again; unknown sessions never do.
    hub.command(command(2, 0)).unwrap();
    assert_eq!(hub.command(command(1, 99)), Err(SendError::Unavailable));
}
