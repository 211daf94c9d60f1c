//! The whole edge: a native client over encrypted UDP, a fake region server speaking the real
//! QUIC link on loopback, the HTTP endpoints.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::Edge;
use starlane_edge::config::EdgeConfig;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::region_link::{self, RegionLinkConfig};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::tls::pki::{Purpose, self_signed};
use starlane_netcore::transport::{Link, LinkEvent};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::Event;
use starlane_protocol::link::{
    EntityFrame, Join, Joined, LINK_VERSION, LinkServerMsg, RegionToEdge, ToClient, ViewChange,
};
use starlane_protocol::{EntityKind, EntityState, Hex, MapInfo, PROTOCOL_VERSION, RejectReason};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::common;

use common::*;

/// The client is rejected: the link closes with the reason's code, after the `Reject` message
/// if the transport delivered it first (the UDP driver may deliver the close before it).
async fn expect_closed(link: &mut Link, reason: RejectReason) {
    loop {
        match tokio::time::timeout(T, link.events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            LinkEvent::Reliable(b) => {
                assert_eq!(ServerMsg::decode(&b).unwrap(), ServerMsg::Reject { reason })
            }
            LinkEvent::Datagram(_) | LinkEvent::FirstMessageTooLarge(_) => {}
            LinkEvent::Closed(r) => {
                assert_eq!(
                    r,
                    starlane_netcore::transport::CloseReason::Peer(reason as u8)
                );
                return;
            }
        }
    }
}

fn edge_config(dir: &Path, region: SocketAddr, cert_file: PathBuf) -> EdgeConfig {
    let mut cfg = loopback_edge_config(dir, region, cert_file);
    cfg.region_link.session_grace_ms = 300;
    cfg
}

async fn wait_ready(addr: SocketAddr, want: u16) {
    for _ in 0..200 {
        if http_get(addr, "/readyz").await.0 == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("/readyz never returned {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_plays_through_the_edge() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    // The region wrote its certificate as PEM; the edge pins it.
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let edge = Edge::start(
        edge_config(dir.path(), region.local_addr().unwrap(), cert_file),
        None,
    )
    .await
    .unwrap();
    assert_eq!(edge.cert_hash().len(), 64);
    let hash_file = dir
        .path()
        .join("edge")
        .join(starlane_edge::certs::HASH_FILE);
    assert_eq!(
        std::fs::read_to_string(hash_file).unwrap().trim(),
        edge.cert_hash()
    );
    assert_eq!(http_get(edge.http_addr(), "/healthz").await.0, 200);

    let mut peer = accept_peer(&region).await;
    let RegionLinkEvent::Opened { version, edge_id } = peer_event(&mut peer).await else {
        panic!("expected hello")
    };
    assert_eq!(version, LINK_VERSION);
    assert!(edge_id.starts_with("edge-"));
    wait_ready(edge.http_addr(), 200).await;

    let mut client = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    let token = edge.dev_issuer().unwrap().issue("ada").unwrap();
    client.sender.send_reliable(
        ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token,
        }
        .encode(),
    );
    let RegionLinkEvent::Join {
        join: Join { session, player },
        ..
    } = peer_event(&mut peer).await
    else {
        panic!("expected join")
    };
    assert_eq!(player.username, "ada");
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: vec![Hex::new(1, 1)],
    };
    to_edge(
        &peer,
        RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session,
            empire: 2,
            tick_rate_hz: 20,
            map: map.clone(),
        }),
    );
    assert_eq!(
        client_msg(&mut client).await,
        ServerMsg::Welcome {
            user_id: player.user_id as u64,
            empire: 2,
            tick_rate_hz: 20
        }
    );
    assert_eq!(client_msg(&mut client).await, ServerMsg::Map(map));
    assert!(matches!(
        client_msg(&mut client).await,
        ServerMsg::Catalog(_)
    ));

    assert_command_forwarded(&client, &mut peer, session).await;
    // The region's entity frame fills the edge mirror; the session's view names the entity;
    // the client gets it, and the command result, in an entity packet datagram.
    let unit = EntityState {
        id: 8,
        kind: EntityKind::Frigate,
        owner: 2,
        pos: Hex::new(3, -1),
        health: 90,
    };
    let frame = EntityFrame {
        tick: 5,
        appeared: vec![unit.clone()],
        ..EntityFrame::default()
    };
    to_edge(&peer, RegionToEdge::Entities(frame));
    let view = ViewChange {
        tick: 5,
        entered: vec![8],
        ..ViewChange::default()
    };
    let msgs = vec![
        LinkServerMsg::CommandAck { seq: 1 },
        LinkServerMsg::View(view),
    ];
    to_edge(&peer, RegionToEdge::ToClient(ToClient { session, msgs }));
    let packet = entity_packet(&mut client).await;
    assert_eq!(packet.tick, 5);
    assert!(
        packet
            .events
            .iter()
            .any(|e| e.event == Event::CommandAck { seq: 1 }),
        "{packet:?}"
    );
    let record = packet.entities.iter().find(|r| r.id == 8).unwrap();
    assert_eq!(record.apply(None, packet.health_step), Some(unit));

    let (_, metrics) = http_get(edge.http_addr(), "/metrics").await;
    assert!(
        metrics.contains("starlane_edge_sessions_active{transport=\"udp\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("starlane_edge_region_link_up 1"),
        "{metrics}"
    );

    // The region goes away: readiness drops, the edge reconnects; the client's session is held
    // for region_link.session_grace_ms and, with no region taking it back, closed.
    peer.connection()
        .close(quinn::VarInt::from_u32(1), b"region restart");
    expect_closed(&mut client, RejectReason::RegionUnavailable).await;
    wait_ready(edge.http_addr(), 503).await;
    let mut peer = accept_peer(&region).await;
    assert!(matches!(
        peer_event(&mut peer).await,
        RegionLinkEvent::Opened { .. }
    ));
    wait_ready(edge.http_addr(), 200).await;
    edge.shutdown().await;
}

#[tokio::test]
async fn link_refuses_a_region_with_another_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (region, _ck) = fake_region();
    let other = self_signed(&["localhost"], Purpose::Region).unwrap();
    let cert_file = dir.path().join("pinned.der");
    std::fs::write(&cert_file, &other.cert_der).unwrap();
    let hub = Arc::new(RegionHub::default());
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let mut section = EdgeConfig::default().region_link;
    section.addr = region.local_addr().unwrap();
    section.region_cert_file = cert_file;
    section.connect_timeout_secs = 2;
    section.reconnect_min_ms = 50;
    section.reconnect_max_ms = 100;
    let cfg = RegionLinkConfig::from_section(&section, "edge-test");
    let metrics = EdgeMetrics::new();
    let task = tokio::spawn(region_link::run(cfg, hub.clone(), metrics.clone(), stop_rx));
    // The handshake reaches the region but fails there: the edge never trusts it.
    let incoming = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap();
    assert!(incoming.await.is_err());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!hub.is_up());
    let refused = metrics
        .region_link
        .refusals
        .with_label_values(&["not_pinned"])
        .get();
    assert!(refused >= 1, "the edge counts the refusal: {refused}");
    stop.send_replace(true);
    tokio::time::timeout(T, task).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_transport_is_pinned_by_the_published_hash_and_rejects_bad_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    let cert_file = dir.path().join("region_cert.der");
    std::fs::write(&cert_file, &ck.cert_der).unwrap();
    let edge = Edge::start(
        edge_config(dir.path(), region.local_addr().unwrap(), cert_file),
        None,
    )
    .await
    .unwrap();
    let hash: [u8; 32] = hex::decode(edge.cert_hash()).unwrap().try_into().unwrap();
    let url = format!("https://127.0.0.1:{}/", edge.webtransport_addr().port());
    let mut client = starlane_netcore::webtransport::connect_native(&url, hash)
        .await
        .unwrap();
    client.sender.send_reliable(
        ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: "x.y.z".into(),
        }
        .encode(),
    );
    expect_closed(&mut client, RejectReason::MalformedToken).await;
    let (_, metrics) = http_get(edge.http_addr(), "/metrics").await;
    assert!(
        metrics.contains("starlane_edge_rejections_total{reason=\"malformed_token\"} 1"),
        "{metrics}"
    );
    edge.shutdown().await;
}
