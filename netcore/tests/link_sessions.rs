//! Sessions over the link (LINK.md §6): a join reaches the region and its answer the edge; a
//! command and a leave follow in order; a refused join is forgotten; frames naming sessions
//! the edge does not know are dropped and counted, never handed on.

#![allow(clippy::unwrap_used)]

use crate::link_common::*;
use starlane_netcore::proto::link::*;
use starlane_protocol::link::*;
use starlane_protocol::{Command, Hex, MapInfo, RejectReason};

fn joined(session: SessionId) -> RegionToEdge {
    RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 4,
        tick_rate_hz: 20,
        map: MapInfo {
            chunk_radius: 2,
            chunks: vec![Hex::new(0, 0)],
            blocked: Vec::new(),
        },
    })
}

#[test]
fn join_command_leave_in_order_and_answers_routed() {
    let mut net = Net::new().up();
    net.edge.join(1, player(10)).unwrap();
    let cmd = SessionCommand {
        session: 1,
        seq: 3,
        command: Command::Move {
            unit: 9,
            to: Hex::new(1, 1),
        },
    };
    net.edge.command(cmd.clone()).unwrap();
    assert_eq!(net.edge.join(1, player(10)), Err(EdgeSendError::Duplicate));
    net.run_until(|n| n.region_events.len() >= 3);
    assert_eq!(
        net.region_events[1..],
        [
            RegionLinkEvent::Join {
                join: Join {
                    session: 1,
                    player: player(10)
                },
                rejoin: false
            },
            RegionLinkEvent::Command(cmd),
        ]
    );
    net.region.send(joined(1)).unwrap();
    net.region
        .send(RegionToEdge::ToClient(ToClient {
            session: 1,
            msgs: vec![LinkServerMsg::CommandAck { seq: 3 }],
        }))
        .unwrap();
    net.run_until(|n| n.edge_events.len() >= 3);
    assert!(matches!(net.edge_events[1], EdgeLinkEvent::Joined(ref j) if j.session == 1));
    assert!(matches!(net.edge_events[2], EdgeLinkEvent::ToClient(ref t) if t.session == 1));
    net.edge.leave(1);
    net.run_until(|n| n.region_events.len() >= 4);
    assert_eq!(
        net.region_events[3],
        RegionLinkEvent::Leave(Leave { session: 1 })
    );
    assert_eq!(net.edge.session_count(), 0);
}

#[test]
fn refused_joins_are_forgotten_and_unknown_sessions_dropped() {
    let mut net = Net::new().up();
    net.edge.join(1, player(10)).unwrap();
    net.run_until(|n| n.region_events.len() >= 2);
    for msg in [
        RegionToEdge::JoinRefused(JoinRefused {
            session: 1,
            reason: RejectReason::RegionUnavailable,
        }),
        // The session is gone now: these name an unknown session.
        joined(1),
        RegionToEdge::ToClient(ToClient {
            session: 99,
            msgs: Vec::new(),
        }),
    ] {
        net.region.send(msg).unwrap();
    }
    net.run(std::time::Duration::from_millis(100));
    let refused: Vec<_> = net.edge_events[1..].to_vec();
    assert_eq!(
        refused,
        [EdgeLinkEvent::JoinRefused(JoinRefused {
            session: 1,
            reason: RejectReason::RegionUnavailable
        })]
    );
    assert!(!net.edge.has_session(1));
    assert_eq!(net.edge.counters().unknown_session, 2);
    // A command of a forgotten session is not sent.
    let cmd = SessionCommand {
        session: 1,
        seq: 1,
        command: Command::Move {
            unit: 1,
            to: Hex::new(0, 0),
        },
    };
    assert_eq!(net.edge.command(cmd), Err(EdgeSendError::Unavailable));
}

#[test]
fn nothing_is_accepted_before_the_link_is_up() {
    let mut net = Net::new();
    assert_eq!(net.edge.join(1, player(1)), Err(EdgeSendError::Unavailable));
    assert_eq!(net.edge.flow(), Flow::Closed);
    assert_eq!(net.region.send(joined(1)), Err(RegionSendError::NotOpen));
    net.run_until(|n| n.edge.is_up());
    assert!(net.edge.join(1, player(1)).is_ok());
}
