//! Held sessions (LINK.md §6.2): when the connection is lost every session is held; on the
//! next link, right after `Welcome`, each is announced again with `Rejoin`, before any other
//! frame; a session that left while no link was up is not.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use starlane_protocol::{Command, Hex};

#[test]
fn held_sessions_are_reannounced_first_on_the_next_link() {
    let mut net = Net::new().up();
    for s in 1..=3 {
        net.edge.join(s, player(s as i64)).unwrap();
    }
    net.run_until(|n| n.region_events.len() >= 4);
    net.drop_connection();
    assert!(matches!(net.edge_events.last(), Some(EdgeLinkEvent::Down(c)) if c.code.is_none()));
    assert_eq!(net.edge.held_count(), 3);
    assert_eq!(net.edge.join(4, player(4)), Err(EdgeSendError::Unavailable));
    net.edge.leave(2);
    assert_eq!(net.edge.session_count(), 2);

    net.reconnect(RegionLinkConfig::default());
    net.run_until(|n| n.edge.is_up());
    // A command queued right after the link came up goes after the re-announcements.
    net.edge
        .command(SessionCommand {
            session: 3,
            seq: 1,
            command: Command::Move {
                unit: 1,
                to: Hex::new(0, 1),
            },
        })
        .unwrap();
    net.run_until(|n| n.region_events.len() >= 4);
    let kinds: Vec<_> = net
        .region_events
        .iter()
        .map(|e| match e {
            RegionLinkEvent::Opened { .. } => "opened".to_string(),
            RegionLinkEvent::Join { join, rejoin: true } => format!("rejoin {}", join.session),
            RegionLinkEvent::Command(c) => format!("command {}", c.session),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["opened", "rejoin 1", "rejoin 3", "command 3"]);
    assert_eq!(net.edge.held_count(), 0);
    assert_eq!(net.edge.counters().reannounced, 2);
}
