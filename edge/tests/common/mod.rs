//! Shared set-up of the edge's end-to-end tests: a region server stand-in speaking the real
//! QUIC link on loopback, and reading what reaches a client.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_netcore::tls::pki::{PemPair, Purpose, self_signed};
use starlane_netcore::transport::{Link, LinkEvent};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::SessionId;
use starlane_protocol::link::{EdgeToRegion, RegionToEdge, decode_frame, encode_frame};
use starlane_protocol::{Command, Hex};
use std::time::Duration;

pub const T: Duration = Duration::from_secs(10);

/// A region server stand-in: a quinn endpoint with a self-signed certificate for
/// `localhost` and the link ALPN.
pub fn fake_region() -> (quinn::Endpoint, PemPair) {
    let cert = self_signed(&["localhost"], Purpose::Region).unwrap();
    (crate::link_pki::region_endpoint(&cert, None, None), cert)
}

pub async fn accept_link(
    ep: &quinn::Endpoint,
) -> (quinn::Connection, quinn::SendStream, quinn::RecvStream) {
    let conn = tokio::time::timeout(T, ep.accept())
        .await
        .unwrap()
        .unwrap()
        .await
        .unwrap();
    let (send, recv) = tokio::time::timeout(T, conn.accept_bi())
        .await
        .unwrap()
        .unwrap();
    (conn, send, recv)
}

pub async fn read_frame(recv: &mut quinn::RecvStream) -> EdgeToRegion {
    let mut len = [0u8; 4];
    tokio::time::timeout(T, recv.read_exact(&mut len))
        .await
        .unwrap()
        .unwrap();
    let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
    recv.read_exact(&mut body).await.unwrap();
    decode_frame(&body).unwrap()
}

pub async fn write_frame(send: &mut quinn::SendStream, msg: &RegionToEdge) {
    send.write_all(&encode_frame(msg)).await.unwrap();
}

pub async fn client_msg(link: &mut Link) -> ServerMsg {
    loop {
        match tokio::time::timeout(T, link.events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            LinkEvent::Reliable(b) => return ServerMsg::decode(&b).unwrap(),
            LinkEvent::Datagram(_) => continue,
            LinkEvent::Closed(r) => panic!("link closed: {r:?}"),
        }
    }
}

/// The next `EntityPacket` datagram from the edge (reliable messages are skipped).
pub async fn entity_packet(link: &mut Link) -> starlane_protocol::delta::EntityPacket {
    loop {
        match tokio::time::timeout(T, link.events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            LinkEvent::Datagram(b) => {
                if let ServerMsg::EntityPacket(p) = ServerMsg::decode(&b).unwrap() {
                    return p;
                }
            }
            LinkEvent::Reliable(_) => continue,
            LinkEvent::Closed(r) => panic!("link closed: {r:?}"),
        }
    }
}

/// A move command sent by the client reaches the region tagged with the client's session.
pub async fn assert_command_forwarded(
    client: &Link,
    from_edge: &mut quinn::RecvStream,
    session: SessionId,
) {
    let command = Command::Move {
        unit: 1,
        to: Hex::new(2, -1),
    };
    client.sender.send_reliable(
        ClientMsg::Command {
            seq: 1,
            command: command.clone(),
        }
        .encode(),
    );
    assert_eq!(
        read_frame(from_edge).await,
        EdgeToRegion::Command {
            session,
            seq: 1,
            command
        }
    );
}

/// Accepts the edge's region link on the fake `region`, reads its hello and waits until the edge
/// reports the link up (it joins players only then). Returns the link's streams.
pub async fn link_up(
    edge: &starlane_edge::EdgeHandle,
    region: &quinn::Endpoint,
) -> (quinn::Connection, quinn::SendStream, quinn::RecvStream) {
    let (conn, to_edge, mut from_edge) = accept_link(region).await;
    assert!(matches!(
        read_frame(&mut from_edge).await,
        EdgeToRegion::Hello { .. }
    ));
    for _ in 0..400 {
        if edge.region_link_up() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        edge.region_link_up(),
        "the edge never reported its region link up"
    );
    (conn, to_edge, from_edge)
}

/// An edge on ephemeral loopback ports with the development issuer, its data under
/// `root/edge`, linked to `region` (pinned by `cert_file`) with fast reconnects.
pub fn loopback_edge_config(
    root: &std::path::Path,
    region: std::net::SocketAddr,
    cert_file: std::path::PathBuf,
) -> starlane_edge::config::EdgeConfig {
    let mut cfg = starlane_edge::config::EdgeConfig::default();
    let local: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    cfg.data_dir = root.join("edge");
    cfg.udp.bind = local;
    cfg.webtransport.bind = local;
    cfg.quic.bind = local;
    cfg.http.bind = local;
    cfg.region_link.addr = region;
    cfg.region_link.region_cert_file = cert_file;
    cfg.region_link.reconnect_min_ms = 50;
    cfg.region_link.reconnect_max_ms = 200;
    cfg.dev_issuer.enabled = true;
    cfg
}
