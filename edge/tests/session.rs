//! Session logic driven through a real `link_pair` and an in-process region stand-in speaking
//! the link through netcore's region state machine.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::session_harness::*;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::{CloseReason, LinkEvent, Outgoing};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::Event;
use starlane_protocol::link::{
    EntityFrame, Join, JoinRefused, Joined, Leave, LinkServerMsg, RegionToEdge, SessionCommand,
    ToClient, ViewChange,
};
use starlane_protocol::{Command, EntityKind, EntityState, Hex, PROTOCOL_VERSION, RejectReason};
use std::time::Duration;

#[tokio::test]
async fn bad_token_is_rejected_then_closed() {
    let h = harness(Duration::from_secs(10));
    let (mut d, task) = h.connect();
    d.events.try_deliver(hello("not-a-token")).unwrap();
    expect_reject(&mut d, RejectReason::MalformedToken).await;
    task.await.unwrap();
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_rejections_total",
            "malformed_token"
        ),
        1
    );
    assert_eq!(h.hub.session_count(), 0);
}

#[tokio::test]
async fn expired_token_gets_its_code() {
    let h = harness(Duration::from_secs(10));
    let (mut d, _task) = h.connect();
    let mut claims = starlane_edge::auth::Claims {
        user_id: 5,
        username: "old".into(),
        email: "old@x".into(),
        permissions: 0,
        user_type: "user".into(),
        auth_method: "password".into(),
        activated: 1,
        iss: "login-server".into(),
        iat: 0,
        exp: 1,
        nbf: None,
        jti: None,
    };
    d.events
        .try_deliver(hello(&h.issuer.sign(&claims).unwrap()))
        .unwrap();
    expect_reject(&mut d, RejectReason::Expired).await;
    claims.exp = i64::MAX / 2;
    claims.activated = -1;
    let (mut d, _task) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.sign(&claims).unwrap()))
        .unwrap();
    expect_reject(&mut d, RejectReason::Banned).await;
    // A token that is not valid for another hour gets its own reason at once.
    claims.activated = 1;
    claims.nbf = Some(starlane_edge::auth::unix_now() + 3600);
    let (mut d, _task) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.sign(&claims).unwrap()))
        .unwrap();
    expect_reject(&mut d, RejectReason::NotYetValid).await;
}

#[tokio::test]
async fn good_session_relays_both_ways() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, task) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.issue_for(77, "ada").unwrap()))
        .unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, player },
        ..
    } = h.region_event().await
    else {
        panic!("expected join")
    };
    assert_eq!((player.user_id, player.username.as_str()), (77, "ada"));

    h.region.send(RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 3,
        tick_rate_hz: 20,
        map: map(),
    }));
    assert_eq!(
        reliable(&mut d).await,
        ServerMsg::Welcome {
            user_id: 77,
            empire: 3,
            tick_rate_hz: 20
        }
    );
    assert_eq!(reliable(&mut d).await, ServerMsg::Map(map()));
    assert!(matches!(reliable(&mut d).await, ServerMsg::Catalog(_)));

    let unit = EntityState {
        id: 4,
        kind: EntityKind::Scout,
        owner: 3,
        pos: Hex::new(1, 0),
        health: 40,
    };
    h.region.send(RegionToEdge::Entities(EntityFrame {
        tick: 9,
        appeared: vec![unit.clone()],
        ..EntityFrame::default()
    }));
    h.region.send(RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![
            LinkServerMsg::View(ViewChange {
                tick: 9,
                entered: vec![4],
                ..ViewChange::default()
            }),
            LinkServerMsg::CommandAck { seq: 1 },
        ],
    }));
    let packet = datagram(&mut d).await;
    assert_eq!(packet.tick, 9);
    assert_eq!(
        packet.events.iter().map(|e| e.event).collect::<Vec<_>>(),
        vec![Event::CommandAck { seq: 1 }]
    );
    assert_eq!(packet.entities.len(), 1);
    assert_eq!(
        packet.entities[0].apply(None, packet.health_step),
        Some(unit)
    );
    // The client acknowledges it: nothing is sent again while nothing changes.
    d.events
        .try_deliver(LinkEvent::Datagram(
            ClientMsg::Ack {
                newest: packet.seq,
                mask: 0,
            }
            .encode(),
        ))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        d.outgoing.try_recv().is_err(),
        "an acknowledged, unchanged view sends nothing"
    );

    let command = Command::Move {
        unit: 4,
        to: Hex::new(1, -1),
    };
    d.events
        .try_deliver(LinkEvent::Reliable(
            ClientMsg::Command {
                seq: 2,
                command: command.clone(),
            }
            .encode(),
        ))
        .unwrap();
    assert_eq!(
        h.region_event().await,
        RegionLinkEvent::Command(SessionCommand {
            session,
            seq: 2,
            command
        })
    );

    // Garbage is dropped and counted by its decode reason; the session goes on.
    d.events
        .try_deliver(LinkEvent::Reliable(vec![0xff, 0x01]))
        .unwrap();
    d.events.try_deliver(LinkEvent::Datagram(vec![])).unwrap();
    d.events
        .try_deliver(LinkEvent::Datagram(ClientMsg::Ping { nonce: 42 }.encode()))
        .unwrap();
    assert_eq!(
        out(&mut d).await,
        Outgoing::Datagram(ServerMsg::Pong { nonce: 42 }.encode())
    );
    d.events
        .try_deliver(LinkEvent::Reliable(ClientMsg::Ping { nonce: 43 }.encode()))
        .unwrap();
    assert_eq!(reliable(&mut d).await, ServerMsg::Pong { nonce: 43 });
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_client_messages_dropped_total",
            "unknown_type"
        ),
        1
    );
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_client_messages_dropped_total",
            "truncated"
        ),
        1
    );
    assert_eq!(
        counter(&h.metrics, "starlane_edge_sessions_accepted_total", "udp"),
        1
    );
    // The session's opening phases were timed: one verification, one join to its welcome.
    assert_eq!(h.metrics.phases.jwt_verify.get_sample_count(), 1);
    assert_eq!(h.metrics.phases.region_join.get_sample_count(), 1);
    assert!(h.metrics.phases.jwt_verify.get_sample_sum() > 0.0);

    d.events
        .try_deliver(LinkEvent::Closed(CloseReason::Peer(0)))
        .unwrap();
    assert_eq!(
        h.region_event().await,
        RegionLinkEvent::Leave(Leave { session })
    );
    task.await.unwrap();
    assert_eq!(h.hub.session_count(), 0);
}

#[tokio::test]
async fn second_hello_is_a_protocol_violation() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, _task) = h.connect();
    let token = h.issuer.issue("bob").unwrap();
    d.events.try_deliver(hello(&token)).unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = h.region_event().await
    else {
        panic!("expected join")
    };
    d.events.try_deliver(hello(&token)).unwrap();
    expect_reject(&mut d, RejectReason::ProtocolViolation).await;
    assert_eq!(
        h.region_event().await,
        RegionLinkEvent::Leave(Leave { session })
    );
}

#[tokio::test]
async fn first_message_must_be_a_current_hello() {
    let h = harness(Duration::from_secs(10));
    let (mut d, _t) = h.connect();
    d.events
        .try_deliver(LinkEvent::Reliable(ClientMsg::Ping { nonce: 1 }.encode()))
        .unwrap();
    expect_reject(&mut d, RejectReason::ProtocolViolation).await;

    let (mut d, _t) = h.connect();
    d.events
        .try_deliver(LinkEvent::Reliable(vec![0xde, 0xad]))
        .unwrap();
    expect_reject(&mut d, RejectReason::ProtocolViolation).await;

    let (mut d, _t) = h.connect();
    let old = ClientMsg::Hello {
        version: PROTOCOL_VERSION + 1,
        token: String::new(),
    };
    d.events
        .try_deliver(LinkEvent::Reliable(old.encode()))
        .unwrap();
    expect_reject(&mut d, RejectReason::UnsupportedVersion).await;
}

#[tokio::test]
async fn silent_client_times_out() {
    let h = harness(Duration::from_millis(100));
    let (mut d, task) = h.connect();
    // A datagram does not count as a hello.
    d.events
        .try_deliver(LinkEvent::Datagram(ClientMsg::Ping { nonce: 1 }.encode()))
        .unwrap();
    expect_reject(&mut d, RejectReason::ProtocolViolation).await;
    task.await.unwrap();
    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_client_messages_dropped_total",
            "before_hello"
        ),
        1
    );
}

#[tokio::test]
async fn region_refusal_and_loss_reject_the_client() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, _t) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.issue("carol").unwrap()))
        .unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = h.region_event().await
    else {
        panic!("expected join")
    };
    h.region.send(RegionToEdge::JoinRefused(JoinRefused {
        session,
        reason: RejectReason::Banned,
    }));
    expect_reject(&mut d, RejectReason::Banned).await;

    let (mut d, _t) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.issue("dave").unwrap()))
        .unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = h.region_event().await
    else {
        panic!("expected join")
    };
    h.region.send(RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 1,
        tick_rate_hz: 20,
        map: map(),
    }));
    reliable(&mut d).await; // Welcome
    reliable(&mut d).await; // Map
    reliable(&mut d).await; // Catalog
    h.region.drop_link();
    expect_reject(&mut d, RejectReason::RegionUnavailable).await;

    // With no link at all, a valid player is refused at once.
    let (mut d, _t) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.issue("erin").unwrap()))
        .unwrap();
    expect_reject(&mut d, RejectReason::RegionUnavailable).await;
}

#[tokio::test]
async fn shutdown_rejects_open_sessions() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, task) = h.connect();
    d.events
        .try_deliver(hello(&h.issuer.issue("frank").unwrap()))
        .unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = h.region_event().await
    else {
        panic!("expected join")
    };
    h.shutdown.send_replace(true);
    expect_reject(&mut d, RejectReason::ShuttingDown).await;
    assert_eq!(
        h.region_event().await,
        RegionLinkEvent::Leave(Leave { session })
    );
    task.await.unwrap();
}
