//! Per-session bandwidth profiles: a token whose `user_type` is listed in
//! `[bandwidth.user_types]` gets that profile instead of its client class's, and its delta
//! sync is counted under that profile.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::Edge;
use starlane_edge::auth::Claims;
use starlane_edge::config::EdgeConfig;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{
    EntityFrame, Join, Joined, LinkServerMsg, RegionToEdge, ToClient, ViewChange,
};
use starlane_protocol::{EntityKind, EntityState, Hex, MapInfo, PROTOCOL_VERSION};
use std::net::SocketAddr;
use std::time::Duration;

use crate::common;

use common::*;

fn config(root: &std::path::Path, region: SocketAddr) -> EdgeConfig {
    let mut cfg = EdgeConfig::default();
    let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
    cfg.data_dir = root.join("edge");
    cfg.udp.bind = local;
    cfg.webtransport.bind = local;
    cfg.quic.bind = local;
    cfg.websocket.bind = local;
    cfg.http.bind = local;
    cfg.region_link.addr = region;
    cfg.region_link.region_cert_file = root.join("region_cert.pem");
    cfg.dev_issuer.enabled = true;
    cfg.bandwidth
        .user_types
        .insert("bot".into(), "constrained".into());
    cfg
}

fn token(edge: &starlane_edge::EdgeHandle, user_id: i64, user_type: &str) -> String {
    let issuer = edge.dev_issuer().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    issuer
        .sign(&Claims {
            user_id,
            username: format!("u{user_id}"),
            email: "u@dev.invalid".into(),
            permissions: 0,
            user_type: user_type.into(),
            auth_method: "dev".into(),
            activated: now,
            iss: issuer.issuer().to_string(),
            iat: now,
            exp: now + 600,
            nbf: None,
            jti: None,
        })
        .unwrap()
}

fn gauge(vec: &prometheus::IntGaugeVec, label: &str) -> i64 {
    vec.with_label_values(&[label]).get()
}

#[tokio::test]
async fn a_listed_user_type_gets_its_own_profile() {
    let root = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    std::fs::write(root.path().join("region_cert.pem"), &ck.cert_pem).unwrap();
    let edge = Edge::start(config(root.path(), region.local_addr().unwrap()), None)
        .await
        .unwrap();
    let m = edge.metrics().clone();
    let mut peer = link_up(&edge, &region).await;
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: vec![],
    };
    let unit = EntityState {
        id: 9,
        kind: EntityKind::Scout,
        owner: 1,
        pos: Hex::new(1, 1),
        health: 30,
    };
    let frame = EntityFrame {
        tick: 1,
        appeared: vec![unit],
        ..EntityFrame::default()
    };
    to_edge(&peer, RegionToEdge::Entities(frame));

    let mut clients = Vec::new();
    for (user_id, user_type) in [(1, "bot"), (2, "user")] {
        let mut client = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
            .await
            .unwrap();
        let hello = ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: token(&edge, user_id, user_type),
        };
        client.sender.send_reliable(hello.encode());
        let RegionLinkEvent::Join {
            join: Join { session, .. },
            ..
        } = peer_event(&mut peer).await
        else {
            panic!("expected join")
        };
        let joined = RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session,
            empire: 1,
            tick_rate_hz: 20,
            map: map.clone(),
        });
        to_edge(&peer, joined);
        assert!(matches!(
            client_msg(&mut client).await,
            ServerMsg::Welcome { .. }
        ));
        let view = ViewChange {
            tick: 1,
            entered: vec![9],
            ..ViewChange::default()
        };
        let msgs = vec![LinkServerMsg::View(view)];
        to_edge(&peer, RegionToEdge::ToClient(ToClient { session, msgs }));
        let packet = entity_packet(&mut client).await;
        assert_eq!(packet.entities.len(), 1);
        clients.push(client);
    }
    // The bot's token picked "constrained"; the user got the native class's default.
    assert_eq!(gauge(&m.profile_sessions, "constrained"), 1);
    assert_eq!(gauge(&m.profile_sessions, "broadband"), 1);
    // Each session's delta sync is counted under its own profile (flushed once a second).
    let sent = |p: &str| m.sync.packets.with_label_values(&[p]).get();
    for _ in 0..300 {
        if sent("constrained") > 0 && sent("broadband") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sent("constrained") > 0 && sent("broadband") > 0);

    // An unknown profile for a user type is a configuration error naming the field.
    let mut bad = config(root.path(), region.local_addr().unwrap());
    bad.bandwidth.user_types.insert("vip".into(), "gold".into());
    let err = bad.validate().unwrap_err().to_string();
    assert!(
        err.contains("bandwidth.user_types") && err.contains("gold"),
        "{err}"
    );
    drop(clients);
    edge.shutdown().await;
}
