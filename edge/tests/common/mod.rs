//! Shared set-up of the edge's end-to-end tests: a region server stand-in speaking the real
//! QUIC link on loopback through netcore's region state machine ([`RegionPeer`]), an
//! in-process one for hub-level tests ([`loop_region::LoopRegion`]), and reading what reaches a
//! client.

#![allow(dead_code, clippy::unwrap_used)]

pub mod cluster_edge;
pub mod connect_client;
pub mod key_server;
pub mod loop_region;
pub mod session_harness;

use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::{RegionLinkConfig, RegionLinkEvent};
use starlane_netcore::tls::pki::{PemPair, Purpose, self_signed};
use starlane_netcore::transport::{Link, LinkEvent};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{RegionToEdge, SessionCommand, SessionId};
use starlane_protocol::{Command, Hex};
use std::time::Duration;

pub const T: Duration = Duration::from_secs(10);

/// A region server stand-in: a quinn endpoint with a self-signed certificate for
/// `localhost` and the link ALPN.
pub fn fake_region() -> (quinn::Endpoint, PemPair) {
    let cert = self_signed(&["localhost"], Purpose::Region).unwrap();
    (crate::link_pki::region_endpoint(&cert, None, None), cert)
}

/// Accept the edge's next connection on the fake `region` and serve it with a region state
/// machine.
pub async fn accept_peer(ep: &quinn::Endpoint) -> RegionPeer {
    accept_peer_with(ep, 1024).await
}

/// [`accept_peer`] with at most `events` events waiting: a test that does not take them makes
/// the region stop reading the edge (QUIC's flow control then pushes back on it).
pub async fn accept_peer_with(ep: &quinn::Endpoint, events: usize) -> RegionPeer {
    let conn = tokio::time::timeout(T, ep.accept())
        .await
        .unwrap()
        .unwrap()
        .await
        .unwrap();
    tokio::time::timeout(
        T,
        RegionPeer::accept(conn, RegionLinkConfig::default(), events),
    )
    .await
    .unwrap()
    .unwrap()
}

/// The region stand-in's next event from the edge.
pub async fn peer_event(peer: &mut RegionPeer) -> RegionLinkEvent {
    tokio::time::timeout(T, peer.next_event())
        .await
        .unwrap()
        .unwrap()
}

/// Send `msg` from the region stand-in to the edge.
pub fn to_edge(peer: &RegionPeer, msg: RegionToEdge) {
    peer.send(msg).unwrap();
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
            LinkEvent::FirstMessageTooLarge(n) => panic!("a client's link refused {n} bytes"),
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
            LinkEvent::FirstMessageTooLarge(n) => panic!("a client's link refused {n} bytes"),
        }
    }
}

/// A move command sent by the client reaches the region tagged with the client's session.
pub async fn assert_command_forwarded(client: &Link, peer: &mut RegionPeer, session: SessionId) {
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
        peer_event(peer).await,
        RegionLinkEvent::Command(SessionCommand {
            session,
            seq: 1,
            command
        })
    );
}

/// Accepts the edge's region link on the fake `region`, sees its hello accepted and waits until
/// the edge reports the link up (it joins players only then).
pub async fn link_up(edge: &starlane_edge::EdgeHandle, region: &quinn::Endpoint) -> RegionPeer {
    link_up_with(edge, region, 1024).await
}

/// [`link_up`] with at most `events` region events waiting (see [`accept_peer_with`]).
pub async fn link_up_with(
    edge: &starlane_edge::EdgeHandle,
    region: &quinn::Endpoint,
    events: usize,
) -> RegionPeer {
    let mut peer = accept_peer_with(region, events).await;
    assert!(matches!(
        peer_event(&mut peer).await,
        RegionLinkEvent::Opened { .. }
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
    peer
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
    cfg.websocket.bind = local;
    cfg.http.bind = local;
    cfg.region_link.addr = region;
    cfg.region_link.region_cert_file = cert_file;
    cfg.region_link.reconnect_min_ms = 50;
    cfg.region_link.reconnect_max_ms = 200;
    cfg.dev_issuer.enabled = true;
    cfg
}

/// A valid token from `issuer` for `user_id`, its `email` claim padded so the token is as long
/// as it can be without passing `at_most` bytes (base64 makes some lengths unreachable: it is
/// at most 2 bytes shorter).
pub fn padded_token(
    issuer: &starlane_edge::dev_issuer::DevIssuer,
    user_id: i64,
    at_most: usize,
) -> String {
    let now = starlane_edge::auth::unix_now();
    let sign = |pad: usize| {
        issuer
            .sign(&starlane_edge::auth::Claims {
                user_id,
                username: "padded".into(),
                email: format!("{}@dev.invalid", "p".repeat(pad)),
                permissions: 0,
                user_type: "user".into(),
                auth_method: "dev".into(),
                activated: now,
                iss: issuer.issuer().to_string(),
                iat: now,
                exp: now + 600,
                nbf: None,
                jti: None,
            })
            .unwrap()
    };
    // Three claim bytes take four token bytes: step down from an estimate that is too long.
    let base = sign(0).len();
    let mut pad = (at_most.saturating_sub(base) * 3 / 4) + 3;
    loop {
        let token = sign(pad);
        if token.len() <= at_most {
            assert!(token.len() + 2 >= at_most, "{} for {at_most}", token.len());
            return token;
        }
        pad -= 1;
    }
}

/// `GET path` on the edge's HTTP endpoint: the status code and the whole response.
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    http_request(addr, &format!("GET {path} HTTP/1.1\r\nHost: edge\r\n\r\n")).await
}

/// `POST path` with an optional bearer token and an optional JSON body: the status code and
/// the whole response.
pub async fn http_post(
    addr: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> (u16, String) {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let body = json.unwrap_or_default();
    let kind = if json.is_some() {
        "Content-Type: application/json\r\n"
    } else {
        ""
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: edge\r\n{auth}{kind}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    http_request(addr, &head).await
}

/// Send `request` (its head ends with the blank line; `Connection: close` is added) and read
/// the response to its end: the status code and the whole response.
async fn http_request(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = request.replacen("\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1);
    s.write_all(request.as_bytes()).await.unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).await.unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}
