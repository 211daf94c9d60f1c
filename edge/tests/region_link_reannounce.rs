//! Scenario: the region link drops (a region restart) while a native client plays over
//! encrypted UDP. The edge holds the session (the client stays connected; its commands are
//! answered `RateLimited` meanwhile), reconnects, re-announces the session with its original
//! join (same session id, same verified player), and resynchronises it from the region's full
//! view: an entity the restarted region no longer shows disappears at the client, the others
//! stay, and later commands reach the region and are acknowledged.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::{Client, ClientEvent};
use starlane_edge::Edge;
use starlane_edge::config::EdgeConfig;
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_protocol::link::{
    EntityFrame, Join, Joined, LinkServerMsg, RegionToEdge, SessionCommand, SessionId, ToClient,
    ViewChange,
};
use starlane_protocol::{
    Command, CommandError, EmpireId, EntityId, EntityKind, EntityState, Hex, MapInfo, ResourceKind,
};
use std::net::SocketAddr;
use std::time::Duration;

fn edge_config(
    dir: &std::path::Path,
    region: SocketAddr,
    cert_file: std::path::PathBuf,
) -> EdgeConfig {
    let mut cfg = loopback_edge_config(dir, region, cert_file);
    cfg.region_link.session_grace_ms = 8_000;
    cfg
}

fn unit(id: EntityId, owner: EmpireId, pos: Hex) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner,
        pos,
        health: 100,
    }
}

/// Answer a (re-)join like a region: `Joined`, the link's full entity frame, the session's
/// full view and its resources.
async fn accept_session(peer: &RegionPeer, session: SessionId, tick: u32, units: &[EntityState]) {
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: Vec::new(),
    };
    let frames = [
        RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session,
            empire: 2,
            tick_rate_hz: 20,
            map,
        }),
        RegionToEdge::Entities(EntityFrame {
            tick,
            reset: true,
            appeared: units.to_vec(),
            ..EntityFrame::default()
        }),
        RegionToEdge::ToClient(ToClient {
            session,
            msgs: vec![
                LinkServerMsg::View(ViewChange {
                    tick,
                    entered: units.iter().map(|u| u.id).collect(),
                    ..ViewChange::default()
                }),
                LinkServerMsg::Resources(vec![(ResourceKind::Credits, 100)]),
            ],
        }),
    ];
    for f in frames {
        to_edge(peer, f);
    }
}

/// Drive the client until `done`; the session must not close.
async fn until(client: &mut Client, mut done: impl FnMut(&Client, &ClientEvent) -> bool) {
    loop {
        let ev = tokio::time::timeout(T, client.next_event())
            .await
            .expect("client event in time")
            .expect("session open");
        assert!(
            !matches!(ev, ClientEvent::Closed(_)),
            "session closed: {ev:?}"
        );
        if done(client, &ev) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_survives_a_region_restart_and_is_resynchronised() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let edge = Edge::start(
        edge_config(dir.path(), region.local_addr().unwrap(), cert_file),
        None,
    )
    .await
    .unwrap();
    let mut peer = link_up(&edge, &region).await;

    let link = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    let token = edge.dev_issuer().unwrap().issue("ada").unwrap();
    let connecting = tokio::spawn(async move { Client::connect_link(link, &token).await });
    let RegionLinkEvent::Join {
        join: Join { session, player },
        ..
    } = peer_event(&mut peer).await
    else {
        panic!("expected join")
    };
    let (own, enemy) = (unit(8, 2, Hex::new(1, 0)), unit(9, 5, Hex::new(3, 0)));
    accept_session(&peer, session, 10, &[own.clone(), enemy.clone()]).await;
    let mut client = connecting.await.unwrap().unwrap();
    until(&mut client, |c, _| c.world.entities.len() == 2).await;

    // The region goes away. The client stays connected; a command is refused for now.
    peer.connection()
        .close(quinn::VarInt::from_u32(5), b"region shutting down");
    for _ in 0..200 {
        if !edge.region_link_up() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!edge.region_link_up());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let refused = client.send_move(8, Hex::new(2, 0));
    until(&mut client, |_, ev| {
        *ev == ClientEvent::CommandResult {
            seq: refused,
            result: Err(CommandError::RateLimited),
        }
    })
    .await;
    assert_eq!(edge.metrics().region_link.sessions_held.get(), 1);

    // The restarted region: the edge says hello and re-announces the session as it was.
    let mut peer = link_up(&edge, &region).await;
    assert_eq!(
        peer_event(&mut peer).await,
        RegionLinkEvent::Join {
            join: Join {
                session,
                player: player.clone()
            },
            rejoin: true
        }
    );
    let moved = unit(8, 2, Hex::new(1, 1));
    accept_session(&peer, session, 3, std::slice::from_ref(&moved)).await;
    until(&mut client, |c, _| {
        c.world.entities.get(&8) == Some(&moved) && !c.world.entities.contains_key(&9)
    })
    .await;

    // Commands flow again and are acknowledged.
    let seq = client.send_move(8, Hex::new(2, 1));
    assert_eq!(
        peer_event(&mut peer).await,
        RegionLinkEvent::Command(SessionCommand {
            session,
            seq,
            command: Command::Move {
                unit: 8,
                to: Hex::new(2, 1)
            }
        })
    );
    let ack = RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::CommandAck { seq }],
    });
    to_edge(&peer, ack);
    until(&mut client, |_, ev| {
        *ev == ClientEvent::CommandResult {
            seq,
            result: Ok(()),
        }
    })
    .await;
    let m = &edge.metrics().region_link;
    assert_eq!(m.reannounced.get(), 1);
    assert_eq!(m.sessions_held.get(), 0);
    assert_eq!(
        edge.metrics()
            .sessions_active
            .with_label_values(&["udp"])
            .get(),
        1,
        "still one session, never closed"
    );
    edge.shutdown().await;
}
