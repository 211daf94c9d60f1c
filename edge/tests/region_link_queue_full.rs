//! Scenario: the region stops reading its link (QUIC flow control fills up), so the edge's
//! bounded edge->region queue fills. Every client command is then either forwarded to the
//! region, in order, or answered at once with `CommandRejected(RateLimited)` and counted in
//! `starlane_edge_region_link_queue_full_total{frame="command"}`: never both, never lost. The
//! session stays open, and once the region reads again commands flow and are acknowledged.

#![allow(clippy::unwrap_used)]

use crate::common;
use crate::link_pki;

use common::*;
use link_pki::region_endpoint;
use starlane_client::{Client, ClientEvent};
use starlane_edge::Edge;
use starlane_edge::config::EdgeConfig;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::tls::pki::{Purpose, self_signed};
use starlane_protocol::link::{Join, Joined, LinkServerMsg, RegionToEdge, ToClient};
use starlane_protocol::{CommandError, Hex, MapInfo};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

const COMMANDS: u32 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_queue_rejects_commands_and_keeps_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(&["starlane-region"], Purpose::Region).unwrap();
    // A tiny stream window: unread frames soon block the edge's writer.
    let mut transport = quinn::TransportConfig::default();
    transport.stream_receive_window(quinn::VarInt::from_u32(1024));
    transport.receive_window(quinn::VarInt::from_u32(4096));
    let region = region_endpoint(&cert, None, Some(transport));

    let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut cfg = EdgeConfig::default();
    cfg.data_dir = dir.path().join("edge");
    cfg.udp.bind = local;
    cfg.webtransport.bind = local;
    cfg.quic.bind = local;
    cfg.websocket.bind = local;
    cfg.http.bind = local;
    cfg.dev_issuer.enabled = true;
    cfg.region_link.addr = region.local_addr().unwrap();
    cfg.region_link.pins = vec![hex::encode(cert.pin())];
    cfg.region_link.queue_capacity = 16;
    let edge = Edge::start(cfg, None).await.unwrap();
    // The region stand-in takes no event while the test does not ask: one waiting event
    // stops its reads.
    let mut peer = link_up_with(&edge, &region, 1).await;

    let link = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    let token = edge.dev_issuer().unwrap().issue("ada").unwrap();
    let connecting = tokio::spawn(async move { Client::connect_link(link, &token).await });
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = peer_event(&mut peer).await
    else {
        panic!("expected join")
    };
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: Vec::new(),
    };
    let joined = RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 2,
        tick_rate_hz: 20,
        map,
    });
    to_edge(&peer, joined);
    let mut client = connecting.await.unwrap().unwrap();

    // The region reads nothing while the client floods commands.
    let sent: BTreeSet<u32> = (0..COMMANDS)
        .map(|i| client.send_move(1, Hex::new(i as i32 % 5, 1)))
        .collect();
    let full = edge
        .metrics()
        .region_link
        .queue_full
        .with_label_values(&["command"]);
    let mut rejected = BTreeSet::new();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        match tokio::time::timeout(Duration::from_millis(500), client.next_event()).await {
            Ok(Some(ClientEvent::CommandResult { seq, result })) => {
                assert_eq!(result, Err(CommandError::RateLimited));
                assert!(rejected.insert(seq), "command {seq} answered twice");
            }
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(_) => {}
            Err(_) if !rejected.is_empty() && rejected.len() as u64 == full.get() => break,
            Err(_) => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "rejections never settled"
        );
    }

    // The region reads again: exactly the commands not rejected arrive, in order.
    let mut forwarded = Vec::new();
    while forwarded.len() + rejected.len() < sent.len() {
        match peer_event(&mut peer).await {
            RegionLinkEvent::Command(c) if c.session == session => forwarded.push(c.seq),
            other => panic!("unexpected frame {other:?}"),
        }
    }
    assert!(forwarded.windows(2).all(|w| w[0] < w[1]), "in order");
    assert!(
        forwarded.iter().all(|s| !rejected.contains(s)),
        "never both"
    );
    let all: BTreeSet<u32> = forwarded.iter().chain(rejected.iter()).copied().collect();
    assert_eq!(all, sent, "never lost");
    assert!(
        forwarded.len() >= 12,
        "the queue and the stream carried some"
    );

    // The session is alive: a new command is forwarded and acknowledged.
    let seq = client.send_move(1, Hex::new(1, 1));
    let RegionLinkEvent::Command(got) = peer_event(&mut peer).await else {
        panic!("expected the command")
    };
    assert_eq!(got.seq, seq);
    let ack = RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::CommandAck { seq }],
    });
    to_edge(&peer, ack);
    loop {
        match tokio::time::timeout(T, client.next_event()).await.unwrap() {
            Some(ClientEvent::CommandResult { seq: s, result }) if s == seq => {
                assert_eq!(result, Ok(()));
                break;
            }
            Some(ClientEvent::Closed(why)) => panic!("session closed: {why}"),
            Some(_) => {}
            None => panic!("session ended"),
        }
    }
    edge.shutdown().await;
}
