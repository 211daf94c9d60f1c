//! A hello carrying a 120 kB token (60 kB over WebSocket, whose messages carry at most 64 KiB),
//! on each client transport of a running edge, is refused
//! with `TokenTooLarge` promptly (the client no longer waits 10 s for a welcome that never
//! comes): the transport knows the first message's length long before it has all of it. A
//! token at `jwt.max_token_bytes` is verified and welcomed, one byte over is refused, and every
//! refusal is counted in `starlane_edge_rejections_total{reason="token_too_large"}`.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::*;
use starlane_edge::{Edge, EdgeHandle};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::quic::QuicTrust;
use starlane_netcore::transport::{CloseReason, Link, LinkEvent, TransportKind};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{Join, Joined, RegionToEdge};
use starlane_protocol::{MapInfo, PROTOCOL_VERSION, RejectReason};
use std::time::{Duration, Instant};

/// Generous bound for "promptly": far below the 10 s a client waits for its welcome.
const PROMPT: Duration = Duration::from_secs(2);

async fn connect(edge: &EdgeHandle, transport: TransportKind) -> Link {
    let hash: [u8; 32] = hex::decode(edge.cert_hash()).unwrap().try_into().unwrap();
    match transport {
        TransportKind::Udp => {
            starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
                .await
                .unwrap()
        }
        TransportKind::Quic => starlane_netcore::quic::connect(
            edge.quic_addr(),
            "localhost",
            QuicTrust::PinnedSha256(hash),
            T,
        )
        .await
        .unwrap(),
        TransportKind::WebTransport => {
            let url = format!("https://127.0.0.1:{}/", edge.webtransport_addr().port());
            starlane_netcore::webtransport::connect_native(&url, hash)
                .await
                .unwrap()
        }
        TransportKind::WebSocket => {
            let url = edge.websocket_url().unwrap();
            starlane_netcore::websocket::connect_native(url)
                .await
                .unwrap()
        }
    }
}

fn send_hello(link: &Link, token: String) {
    let hello = ClientMsg::Hello {
        version: PROTOCOL_VERSION,
        token,
    };
    assert!(link.sender.send_reliable(hello.encode()).is_queued());
}

/// The client's link ends refused with `TokenTooLarge` (the `Reject` message, if it arrives
/// before the close, says so too).
async fn expect_token_too_large(link: &mut Link) {
    loop {
        match tokio::time::timeout(T, link.events.recv()).await.unwrap() {
            Some(LinkEvent::Reliable(b)) => assert_eq!(
                ServerMsg::decode(&b).unwrap(),
                ServerMsg::Reject {
                    reason: RejectReason::TokenTooLarge
                }
            ),
            Some(LinkEvent::Closed(r)) => {
                assert_eq!(r, CloseReason::Peer(RejectReason::TokenTooLarge as u8));
                return;
            }
            Some(_) => {}
            None => panic!("the link ended without its close"),
        }
    }
}

async fn started_edge(dir: &std::path::Path) -> (EdgeHandle, quinn::Endpoint) {
    let (region, ck) = fake_region();
    let cert_file = dir.join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let cfg = loopback_edge_config(dir, region.local_addr().unwrap(), cert_file);
    assert_eq!(cfg.jwt.max_token_bytes, 8192, "the default limit");
    let edge = Edge::start(cfg, None).await.unwrap();
    (edge, region)
}

fn rejections(edge: &EdgeHandle) -> u64 {
    edge.metrics()
        .rejections
        .with_label_values(&["token_too_large"])
        .get()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_120_kb_token_is_refused_promptly_on_every_transport() {
    let dir = tempfile::tempdir().unwrap();
    let (edge, _region) = started_edge(dir.path()).await;
    for (i, transport) in [
        TransportKind::Udp,
        TransportKind::Quic,
        TransportKind::WebTransport,
        TransportKind::WebSocket,
    ]
    .into_iter()
    .enumerate()
    {
        // A WebSocket message carries at most 64 KiB (netcore/WEBSOCKET.md): its client
        // cannot even send 120 kB, so it sends 60 kB, still far over the limit.
        let huge = match transport {
            TransportKind::WebSocket => "h".repeat(60_000),
            _ => "h".repeat(120_000),
        };
        let mut link = connect(&edge, transport).await;
        let sent = Instant::now();
        send_hello(&link, huge);
        expect_token_too_large(&mut link).await;
        let took = sent.elapsed();
        assert!(took < PROMPT, "{transport:?}: refused after {took:?}");
        assert_eq!(rejections(&edge), i as u64 + 1, "{transport:?} counted");
    }
    edge.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_at_the_limit_is_welcomed_and_one_byte_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (edge, region) = started_edge(dir.path()).await;
    let mut peer = link_up(&edge, &region).await;
    let issuer = edge.dev_issuer().unwrap().clone();
    let max = starlane_edge::session::DEFAULT_MAX_TOKEN_BYTES;
    for transport in [
        TransportKind::Udp,
        TransportKind::Quic,
        TransportKind::WebTransport,
        TransportKind::WebSocket,
    ] {
        // At the limit (or at most two bytes under it: base64 skips some lengths).
        let token = padded_token(&issuer, 41, max);
        let mut link = connect(&edge, transport).await;
        send_hello(&link, token);
        // (The previous transport's session leaves meanwhile.)
        let (session, player) = loop {
            match peer_event(&mut peer).await {
                RegionLinkEvent::Join {
                    join: Join { session, player },
                    ..
                } => break (session, player),
                RegionLinkEvent::Leave(_) => continue,
                other => panic!("{transport:?}: expected a join, got {other:?}"),
            }
        };
        assert_eq!(player.user_id, 41);
        to_edge(
            &peer,
            RegionToEdge::Joined(Joined {
                catalog: Default::default(),
                session,
                empire: 4,
                tick_rate_hz: 20,
                map: MapInfo {
                    chunk_radius: 9,
                    chunks: vec![],
                    blocked: vec![],
                },
            }),
        );
        assert!(
            matches!(client_msg(&mut link).await, ServerMsg::Welcome { .. }),
            "{transport:?}"
        );
        drop(link);

        // One byte over: refused without being verified.
        let mut link = connect(&edge, transport).await;
        send_hello(&link, "o".repeat(max + 1));
        expect_token_too_large(&mut link).await;
    }
    assert_eq!(rejections(&edge), 4);
    edge.shutdown().await;
}
