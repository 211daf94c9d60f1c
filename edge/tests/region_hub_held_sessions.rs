//! Scenario: sessions across a lost link, through the hub (LINK.md §6.3). Losing the link holds
//! its sessions (each told `Lost`, none forgotten) and refuses their frames; the next link
//! re-announces every held session (`Rejoin`), in session order, before anything else; a
//! session that ends while no link is up is not re-announced and needs no leave.

#![allow(clippy::unwrap_used)]

use crate::common::loop_region::LoopRegion;
use starlane_edge::region_hub::{RegionEvent, RegionHub, SendError};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_protocol::link::{Join, Leave, PlayerIdentity, SessionCommand};
use starlane_protocol::{Command, Hex};
use std::sync::Arc;

fn player(id: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: id,
        username: format!("p{id}"),
        command_stream: 0,
    }
}

#[tokio::test]
async fn held_sessions_are_reannounced_on_the_next_link() {
    let hub = Arc::new(RegionHub::default());
    let mut region = LoopRegion::connect(&hub);
    let mut events: Vec<_> = (1..=3)
        .map(|s| hub.join(s, player(s as i64 * 10)).unwrap())
        .collect();
    assert_eq!(region.take_events().len(), 3);

    region.drop_link();
    assert!(!hub.is_up());
    for rx in &mut events {
        assert_eq!(rx.try_recv().unwrap(), RegionEvent::Lost);
    }
    assert_eq!(hub.session_count(), 3, "held, not forgotten");
    assert_eq!(hub.metrics().sessions_held.get(), 3);
    let command = SessionCommand {
        session: 1,
        seq: 1,
        command: Command::Move {
            unit: 1,
            to: Hex::new(0, 0),
        },
    };
    assert_eq!(hub.command(command), Err(SendError::Unavailable));
    assert_eq!(
        hub.join(4, player(40)).err(),
        Some(SendError::Unavailable),
        "no link, no new session"
    );
    // Session 2 ends while no link is up: it is simply not re-announced.
    hub.leave(2);

    let mut region = LoopRegion::connect(&hub);
    assert_eq!(hub.metrics().sessions_held.get(), 0);
    assert_eq!(
        region.take_events(),
        vec![
            RegionLinkEvent::Join {
                join: Join {
                    session: 1,
                    player: player(10)
                },
                rejoin: true
            },
            RegionLinkEvent::Join {
                join: Join {
                    session: 3,
                    player: player(30)
                },
                rejoin: true
            },
        ]
    );
    assert_eq!(hub.metrics().reannounced.get(), 2);

    // After the re-announcements, session 3's leave goes through the link.
    hub.leave(3);
    assert_eq!(
        region.next_event().await,
        RegionLinkEvent::Leave(Leave { session: 3 })
    );
}
