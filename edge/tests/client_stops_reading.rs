//! A client that stops reading, through the whole edge: real QUIC and encrypted UDP on
//! loopback, the region stand-in on the real link. Three players watch the same unit move
//! every region tick. One of them, a raw quinn client with a 4 KiB stream window, stops reading
//! and keeps sending reliable pings: its pongs fill the QUIC window, the driver's write queue,
//! then the link's outgoing queue (`[transport_queues] outgoing`, here 32 messages), and the
//! next reliable message sheds the link. The client sees the connection closed with 249 (slow
//! consumer), the edge counts one shed in
//! `starlane_edge_link_queue_full_total{transport="quic",reason="reliable_shed"}` and tells
//! the region the player left.
//!
//! Memory: a session's messages after the welcome are datagrams of at most `MAX_PACKET_BYTES`
//! (1200) bytes and pongs of a few bytes, so the outgoing queue holds at most 32 x 1200 =
//! 38,400 bytes for the stalled client ([`CAP`]); its link stats say what it held at most
//! (`outgoing_bytes_peak`), checked against the cap. Beyond the queue, the QUIC driver holds its
//! fixed write queue (256 frames and one waiting) and quinn at most the client's stream window
//! (netcore/README.md, "Queues and limits"). What the client sent and the session has not read
//! yet is bounded apart: `[transport_queues] events`, 64 frames read ahead and quinn's receive
//! window.
//!
//! The other players (QUIC and encrypted UDP) keep receiving the unit's new positions before,
//! during and after the stall, and no queue of theirs fills.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_edge::Edge;
use starlane_edge::bandwidth::MAX_PACKET_BYTES;
use starlane_netcore::frame::encode_frame;
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::quic::{QuicTrust, client_config, connect_pinned};
use starlane_netcore::transport::{Link, LinkEvent, SLOW_CONSUMER};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{
    EntityFrame, Join, Joined, Leave, LinkServerMsg, RegionToEdge, SessionId, ToClient, ViewChange,
};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex, MapInfo, PROTOCOL_VERSION};
use std::sync::Arc;
use std::time::Duration;

/// `[transport_queues] outgoing` of the edge under test.
const OUTGOING: usize = 32;
/// Bytes the outgoing queue may hold for one client: its bound times the largest message.
const CAP: u64 = OUTGOING as u64 * MAX_PACKET_BYTES as u64;
/// The stalled client's stream receive window.
const WINDOW: u32 = 4096;
/// The unit every player sees.
const UNIT: u32 = 8;
const TICK: Duration = Duration::from_millis(50);

fn hello(edge: &starlane_edge::EdgeHandle, name: &str) -> Vec<u8> {
    let token = edge.dev_issuer().unwrap().issue(name).unwrap();
    ClientMsg::Hello {
        version: PROTOCOL_VERSION,
        token,
    }
    .encode()
}

/// Answer the edge's next join (player `name`) and show the session the unit.
async fn admit(peer: &mut RegionPeer, name: &str, empire: u32) -> SessionId {
    let RegionLinkEvent::Join {
        join: Join { session, player },
        ..
    } = peer_event(peer).await
    else {
        panic!("expected a join")
    };
    assert_eq!(player.username, name);
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: Vec::new(),
    };
    let joined = Joined {
        catalog: Default::default(),
        session,
        empire,
        tick_rate_hz: 20,
        map,
    };
    to_edge(peer, RegionToEdge::Joined(joined));
    let view = ViewChange {
        tick: 0,
        entered: vec![UNIT],
        ..ViewChange::default()
    };
    let msgs = vec![LinkServerMsg::View(view)];
    to_edge(peer, RegionToEdge::ToClient(ToClient { session, msgs }));
    session
}

/// One region tick: the unit moves.
fn tick(peer: &RegionPeer, tick: u32) {
    let change = EntityChange {
        id: UNIT,
        pos: Some(Hex::new((tick % 8) as i32, 1)),
        health: None,
    };
    let frame = EntityFrame {
        tick,
        changed: vec![change],
        ..EntityFrame::default()
    };
    to_edge(peer, RegionToEdge::Entities(frame));
}

/// Take what reached a steady player, acknowledge its packets; returns the newest tick of a
/// packet that carried the unit.
fn newest_tick(link: &mut Link) -> Option<u32> {
    let mut newest = None;
    while let Ok(ev) = link.events.try_recv() {
        match ev {
            LinkEvent::Datagram(b) => {
                let Ok(ServerMsg::EntityPacket(p)) = ServerMsg::decode(&b) else {
                    continue;
                };
                let ack = ClientMsg::Ack {
                    newest: p.seq,
                    mask: 0,
                };
                link.sender.send_datagram(ack.encode());
                if p.entities.iter().any(|r| r.id == UNIT) {
                    newest = newest.max(Some(p.tick));
                }
            }
            LinkEvent::Reliable(_) | LinkEvent::FirstMessageTooLarge(_) => {}
            LinkEvent::Closed(r) => panic!("a steady player was closed: {r:?}"),
        }
    }
    newest
}

/// A quinn client that drives the edge's QUIC protocol by hand, with a small stream window.
async fn stalled_client(edge: &starlane_edge::EdgeHandle, hash: [u8; 32]) -> quinn::Connection {
    let mut config = client_config(&QuicTrust::PinnedSha256(hash)).unwrap();
    let mut transport = quinn::TransportConfig::default();
    transport.stream_receive_window(quinn::VarInt::from_u32(WINDOW));
    config.transport_config(Arc::new(transport));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let connecting = endpoint
        .connect_with(config, edge.quic_addr(), "127.0.0.1")
        .unwrap();
    tokio::time::timeout(T, connecting).await.unwrap().unwrap()
}

async fn read_frame(recv: &mut quinn::RecvStream) -> ServerMsg {
    let mut len = [0u8; 4];
    recv.read_exact(&mut len).await.unwrap();
    let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
    recv.read_exact(&mut body).await.unwrap();
    ServerMsg::decode(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_shed_under_its_cap_and_the_others_play_on() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let mut cfg = loopback_edge_config(dir.path(), region.local_addr().unwrap(), cert_file);
    cfg.transport_queues.outgoing = OUTGOING;
    let edge = Edge::start(cfg, None).await.unwrap();
    let mut peer = link_up(&edge, &region).await;
    let hash: [u8; 32] = hex::decode(edge.cert_hash()).unwrap().try_into().unwrap();
    let unit = EntityState {
        id: UNIT,
        kind: EntityKind::Frigate,
        owner: 9,
        pos: Hex::new(0, 1),
        health: 100,
    };
    let frame = EntityFrame {
        tick: 0,
        appeared: vec![unit],
        ..EntityFrame::default()
    };
    to_edge(&peer, RegionToEdge::Entities(frame));

    // Two steady players, over QUIC and encrypted UDP.
    let mut steady_quic = connect_pinned(edge.quic_addr(), hash, T).await.unwrap();
    assert!(
        steady_quic
            .sender
            .send_reliable(hello(&edge, "quic"))
            .is_queued()
    );
    admit(&mut peer, "quic", 1).await;
    let mut steady_udp = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    assert!(
        steady_udp
            .sender
            .send_reliable(hello(&edge, "udp"))
            .is_queued()
    );
    admit(&mut peer, "udp", 2).await;
    for link in [&mut steady_quic, &mut steady_udp] {
        assert!(matches!(client_msg(link).await, ServerMsg::Welcome { .. }));
    }

    // The third reads its welcome and map, then never reads again.
    let conn = stalled_client(&edge, hash).await;
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    send.write_all(&encode_frame(&hello(&edge, "stalled")))
        .await
        .unwrap();
    let stalled = admit(&mut peer, "stalled", 3).await;
    assert!(matches!(
        read_frame(&mut recv).await,
        ServerMsg::Welcome { .. }
    ));
    assert!(matches!(read_frame(&mut recv).await, ServerMsg::Map(_)));
    assert!(matches!(read_frame(&mut recv).await, ServerMsg::Catalog(_)));
    let sessions = &edge.metrics().sessions;
    let id = sessions
        .list()
        .iter()
        .find(|s| s.username.as_deref() == Some("stalled"))
        .map(|s| s.id)
        .unwrap();
    let stats = sessions.stats(id).unwrap();

    // Ticks before the stall reach everyone.
    let mut interval = tokio::time::interval(TICK);
    let mut t = 0;
    let mut seen = [0u32; 2];
    let deadline = tokio::time::Instant::now() + T;
    while seen.iter().any(|&s| s < 3) {
        interval.tick().await;
        t += 1;
        tick(&peer, t);
        for (i, link) in [&mut steady_quic, &mut steady_udp].into_iter().enumerate() {
            seen[i] = seen[i].max(newest_tick(link).unwrap_or(0));
        }
        assert!(tokio::time::Instant::now() < deadline, "no ticks: {seen:?}");
    }

    // The stalled client floods pings and reads nothing; the region keeps ticking.
    let flood = tokio::spawn(async move {
        let ping = encode_frame(&ClientMsg::Ping { nonce: 7 }.encode());
        for sent in 0..1_000_000u32 {
            if send.write_all(&ping).await.is_err() {
                return sent;
            }
        }
        panic!("the stalled client was never shed");
    });
    let shed_tick = loop {
        interval.tick().await;
        t += 1;
        tick(&peer, t);
        for (i, link) in [&mut steady_quic, &mut steady_udp].into_iter().enumerate() {
            seen[i] = seen[i].max(newest_tick(link).unwrap_or(0));
        }
        let s = stats.snapshot();
        assert!(
            s.outgoing_bytes_peak <= CAP,
            "{} > {CAP}",
            s.outgoing_bytes_peak
        );
        if conn.close_reason().is_some() {
            break t;
        }
        assert!(
            tokio::time::Instant::now() < deadline + T,
            "no shed in time"
        );
    };
    let pings = tokio::time::timeout(T, flood).await.unwrap().unwrap();
    match conn.close_reason() {
        Some(quinn::ConnectionError::ApplicationClosed(c)) => {
            assert_eq!(c.error_code, quinn::VarInt::from(SLOW_CONSUMER));
        }
        other => panic!("closed otherwise: {other:?}"),
    }
    let s = stats.snapshot();
    assert_eq!(s.shed_outgoing_full, 1, "shed once");
    // The queue was full at the configured bound when the link was shed, and held at most
    // the cap in bytes.
    assert_eq!(s.outgoing_messages_peak, OUTGOING as u64);
    assert!(
        s.outgoing_bytes_peak >= OUTGOING as u64 && s.outgoing_bytes_peak <= CAP,
        "{} bytes held, cap {CAP}",
        s.outgoing_bytes_peak
    );
    let full = |transport: &str, reason: &str| {
        edge.metrics()
            .link
            .queue_full
            .with_label_values(&[transport, reason])
            .get()
    };
    assert_eq!(full("quic", "reliable_shed"), 1);
    for reason in ["reliable_shed", "datagram_dropped", "events_shed"] {
        assert_eq!(full("udp", reason), 0, "{reason}");
    }
    // The region is told the player left.
    loop {
        match peer_event(&mut peer).await {
            RegionLinkEvent::Leave(Leave { session }) if session == stalled => break,
            RegionLinkEvent::Leave(l) => panic!("another player left: {l:?}"),
            _ => {}
        }
    }

    // The others play on: ticks after the shed reach them.
    let after = shed_tick + 3;
    while seen.iter().any(|&s| s < after) {
        interval.tick().await;
        t += 1;
        tick(&peer, t);
        for (i, link) in [&mut steady_quic, &mut steady_udp].into_iter().enumerate() {
            seen[i] = seen[i].max(newest_tick(link).unwrap_or(0));
        }
        assert!(
            t < shed_tick + 100,
            "the others stopped receiving: {seen:?} at {t}"
        );
    }
    for name in ["quic", "udp"] {
        let listed = sessions.list();
        let info = listed.iter().find(|s| s.username.as_deref() == Some(name));
        let other = sessions.stats(info.unwrap().id).unwrap().snapshot();
        assert_eq!(other.shed_outgoing_full, 0, "{name}");
        assert_eq!(other.datagrams_dropped_full, 0, "{name}");
        assert!(
            other.outgoing_messages_peak < OUTGOING as u64,
            "{name}: {other:?}"
        );
    }
    println!(
        "shed after {pings} pings at tick {shed_tick}; held at most {} of {CAP} bytes",
        s.outgoing_bytes_peak
    );
    edge.shutdown().await;
}
