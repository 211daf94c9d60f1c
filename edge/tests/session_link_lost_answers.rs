//! A command forwarded to the region whose answer is lost with the region link: the region
//! ends the lost link's sessions, so the answer will never come. The edge answers it itself,
//! `CommandRejected(RateLimited)` ("not accepted now, retry"), while the session is held, and
//! counts it (`region_link_lost`); the client is never left waiting for an answer.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::session_harness::*;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::{LinkEvent, Outgoing};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::Event;
use starlane_protocol::{Command, CommandError, Hex};
use std::time::Duration;

#[tokio::test]
async fn an_answer_lost_with_the_link_is_given_by_the_edge() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, session) = open_session(&mut h, 5).await;
    let command = Command::Move {
        unit: 4,
        to: Hex::new(1, -1),
    };
    let msg = ClientMsg::Command { seq: 12, command };
    d.events
        .try_deliver(LinkEvent::Reliable(msg.encode()))
        .unwrap();
    let RegionLinkEvent::Command(forwarded) = h.region_event().await else {
        panic!("expected the command at the region")
    };
    assert_eq!((forwarded.session, forwarded.seq), (session, 12));

    // The link drops before the region answers.
    h.region.drop_link();
    let mut answer = None;
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(out)) = tokio::time::timeout_at(until, d.outgoing.recv()).await {
        match out {
            Outgoing::Datagram(bytes) => {
                if let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&bytes)
                    && let Some(e) = p
                        .events
                        .iter()
                        .find(|e| matches!(e.event, Event::CommandRejected { seq: 12, .. }))
                {
                    answer = Some(e.event);
                    break;
                }
            }
            Outgoing::Close(code) => panic!("closed ({code}) before the command was answered"),
            Outgoing::Reliable(_) => {}
        }
    }
    assert_eq!(
        answer,
        Some(Event::CommandRejected {
            seq: 12,
            error: CommandError::RateLimited
        })
    );
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_client_messages_dropped_total",
            "region_link_lost"
        ),
        1
    );
}
