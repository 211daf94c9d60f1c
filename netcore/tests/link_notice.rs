//! Notices over the link (LINK.md §6.2, since link version 5): a `Notice` frame for a session
//! reaches the edge as that session's event, in order after its `Joined`. Version-4 edges,
//! which had no such frame, no longer link at all (version 6 is the oldest spoken:
//! `link_version_negotiation.rs`).

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::NoticeKind;
use starlane_protocol::link::*;

fn notice(session: SessionId) -> SessionNotice {
    SessionNotice::new(
        session,
        NoticeKind::WorldRestored,
        "restored; up to 5 s lost",
    )
}

fn ack(session: SessionId, seq: u32) -> RegionToEdge {
    RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::CommandAck { seq }],
    })
}

/// A pair whose edge speaks `edge_versions` (the region speaks this build's range), with
/// session 1 open.
fn net(edge_versions: std::ops::RangeInclusive<u16>) -> Net {
    let edge = EdgeLinkConfig {
        versions: edge_versions,
        ..EdgeLinkConfig::default()
    };
    let mut net = Net::with(edge, RegionLinkConfig::default()).up();
    net.open_sessions(&[1]);
    net.edge_events.clear();
    net
}

#[test]
fn an_edge_gets_the_notice_in_order() {
    let mut net = net(MIN_LINK_VERSION..=LINK_VERSION);
    assert_eq!(net.region.peer().map(|(v, _)| v), Some(LINK_VERSION));
    net.region.send(RegionToEdge::Notice(notice(1))).unwrap();
    net.region.send(ack(1, 7)).unwrap();
    // A notice for a session the edge does not know is dropped and counted.
    net.region.send(RegionToEdge::Notice(notice(99))).unwrap();
    net.run_until(|n| n.edge_events.len() >= 2 && n.edge.counters().unknown_session >= 1);
    net.run(STEP * 20);
    let EdgeLinkEvent::Notice(got) = &net.edge_events[0] else {
        panic!("{:?}", net.edge_events);
    };
    assert_eq!(got, &notice(1));
    assert_eq!(got.notice_kind(), Some(NoticeKind::WorldRestored));
    assert!(matches!(&net.edge_events[1], EdgeLinkEvent::ToClient(t) if t.session == 1));
    assert_eq!(net.edge_events.len(), 2, "{:?}", net.edge_events);
    assert!(net.edge.is_up());
}

#[test]
fn notice_text_is_cut_to_the_limit_at_a_character_boundary() {
    let long = "é".repeat(starlane_protocol::codec::MAX_NOTICE_LEN);
    let n = SessionNotice::new(1, NoticeKind::Broadcast, &long);
    assert!(n.text.len() <= starlane_protocol::codec::MAX_NOTICE_LEN);
    assert_eq!(n.text.len(), starlane_protocol::codec::MAX_NOTICE_LEN);
    let frame = RegionToEdge::Notice(n.clone()).encode();
    assert_eq!(
        RegionToEdge::decode(&frame[LENGTH_PREFIX..]),
        Ok(RegionToEdge::Notice(n))
    );
}
