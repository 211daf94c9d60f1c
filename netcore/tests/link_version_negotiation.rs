//! Version negotiation (LINK.md §5.1): an edge and a region with a common version agree on the
//! highest one and the edge learns the region's identity; without one, the region closes the
//! link with `Version` and says which versions it speaks.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::{CloseCode, RegionToEdge, Welcome};

#[test]
fn common_version_brings_the_link_up_with_the_regions_identity() {
    let region = RegionLinkConfig {
        region_id: "eu-west".into(),
        instance: 77,
        versions: 1..=3,
        ..RegionLinkConfig::default()
    };
    let edge = EdgeLinkConfig {
        edge_id: "edge-a".into(),
        versions: 3..=9,
        ..EdgeLinkConfig::default()
    };
    let net = Net::with(edge, region).up();
    assert_eq!(
        net.edge_events,
        [EdgeLinkEvent::Up {
            version: 3,
            region_id: "eu-west".into(),
            instance: 77
        }]
    );
    assert_eq!(
        net.region_events,
        [RegionLinkEvent::Opened {
            edge_id: "edge-a".into(),
            version: 3
        }]
    );
    assert_eq!(net.region.peer(), Some((3, "edge-a")));
    assert_eq!(net.edge.flow(), Flow::Open);
    assert_eq!(net.region.flow(), Flow::Open);
}

#[test]
fn no_common_version_closes_with_version() {
    let region = RegionLinkConfig {
        versions: 3..=3,
        ..RegionLinkConfig::default()
    };
    let edge = EdgeLinkConfig {
        versions: 4..=5,
        ..EdgeLinkConfig::default()
    };
    let mut net = Net::with(edge, region);
    net.run_until(|n| {
        n.edge_events
            .iter()
            .any(|e| matches!(e, EdgeLinkEvent::Down(_)))
    });
    let Some(EdgeLinkEvent::Down(closed)) = net.edge_events.last() else {
        panic!("{:?}", net.edge_events);
    };
    assert_eq!(closed.code, Some(CloseCode::Version.code()));
    assert!(closed.by_peer);
    assert!(closed.reason.contains("3..=3"), "{}", closed.reason);
    assert_eq!(net.region.close_code(), Some(CloseCode::Version.code()));
    assert!(!net.edge.is_up());
    assert_eq!(net.edge.close_code(), Some(CloseCode::Version.code()));
}

#[test]
fn an_edge_refuses_a_welcome_outside_its_range() {
    // A region answering with a version the edge did not offer breaks the rule.
    let now = std::time::Instant::now();
    let mut edge = EdgeLink::new(EdgeLinkConfig {
        versions: 4..=4,
        ..EdgeLinkConfig::default()
    });
    edge.handle_connected(now);
    let welcome = RegionToEdge::Welcome(Welcome {
        version: 3,
        instance: 1,
        region_id: "r".into(),
    });
    edge.handle_bytes(now, &welcome.encode());
    assert!(!edge.is_up());
    assert_eq!(edge.close_code(), Some(CloseCode::Version.code()));
}

#[test]
fn an_edge_of_version_9_no_longer_links() {
    // Version 10 changed the encoding of `Command` frames and command errors (both sets grew,
    // the friend and mail commands) and of `ToClient` (`SocialMsg` grew): a version-9 edge
    // would misread them, so it is refused, as version 9 did for version 8.
    let edge = EdgeLinkConfig {
        versions: 4..=9,
        ..EdgeLinkConfig::default()
    };
    let mut net = Net::with(edge, RegionLinkConfig::default());
    net.run_until(|n| {
        n.edge_events
            .iter()
            .any(|e| matches!(e, EdgeLinkEvent::Down(_)))
    });
    let Some(EdgeLinkEvent::Down(closed)) = net.edge_events.last() else {
        panic!("{:?}", net.edge_events);
    };
    assert_eq!(closed.code, Some(CloseCode::Version.code()));
    assert!(closed.reason.contains("10..=10"), "{}", closed.reason);
    assert!(!net.edge.is_up());
}
