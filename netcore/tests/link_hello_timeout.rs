//! Hello deadlines (LINK.md §7 step 5): a region closes a connection that sends no `Hello`
//! within `hello_timeout` with `HelloTimeout`; an edge whose region never answers closes its
//! connection the same way after `welcome_timeout` and holds its sessions.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::CloseCode;
use std::time::Duration;

#[test]
fn a_silent_edge_is_closed_after_the_hello_timeout() {
    let mut net = Net::new();
    // The edge's driver never writes: its Hello stays queued.
    net.connected = false;
    net.run(Duration::from_millis(9_990));
    assert!(!net.region.is_closed());
    net.run(Duration::from_millis(20));
    assert_eq!(
        net.region.close_code(),
        Some(CloseCode::HelloTimeout.code())
    );
    assert!(matches!(
        net.region_events.last(),
        Some(RegionLinkEvent::Closed(c)) if !c.by_peer && c.label() == "hello_timeout"
    ));
}

#[test]
fn an_unanswered_hello_is_given_up_after_the_welcome_timeout() {
    let mut net = Net::new();
    net.to_region.reading = false;
    net.run(Duration::from_millis(10_010));
    assert_eq!(net.edge.close_code(), Some(CloseCode::HelloTimeout.code()));
    assert_eq!(*net.edge.state(), EdgeLinkState::Down);
    assert!(matches!(
        net.edge_events.last(),
        Some(EdgeLinkEvent::Down(c)) if c.code == Some(CloseCode::HelloTimeout.code())
    ));
}
