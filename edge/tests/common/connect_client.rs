//! Asking an edge's connect endpoint (`POST /connect`) as a client does, and registry entries
//! written by hand (edges that are not running) for the endpoint to choose among.

#![allow(dead_code, clippy::unwrap_used)]

use super::T;
use starlane_cluster::{Cluster, EdgeInfo};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// `POST path` with `token` as bearer (none if empty): the status and the JSON body.
pub async fn post_connect(addr: SocketAddr, path: &str, token: &str) -> (u16, serde_json::Value) {
    let token = (!token.is_empty()).then_some(token);
    let (status, text) = super::http_post(addr, path, token, None).await;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or_default())
}

/// The `udp_addr` the endpoint answers `token` with (`None` for a 503), within `T`
/// once it is `want`.
pub async fn answered_until(addr: SocketAddr, token: &str, want: Option<&str>) {
    let deadline = Instant::now() + T;
    loop {
        let (status, body) = post_connect(addr, "/connect", token).await;
        let got = match status {
            200 => body["udp_addr"].as_str().map(str::to_string),
            503 => None,
            other => panic!("unexpected status {other}: {body}"),
        };
        if got.as_deref() == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "connect answered {got:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A registry entry for an edge `id` of `region` that is not running, holding `sessions` of 10.
pub fn fake_edge(id: &str, region: &str, sessions: u64, draining: bool) -> EdgeInfo {
    EdgeInfo {
        id: id.into(),
        region: region.into(),
        webtransport_url: format!("https://{id}.example:4433"),
        udp_addr: format!("{id}.example:4434"),
        quic_addr: format!("{id}.example:4435"),
        cert_sha256: "ab".repeat(32),
        udp_public_key: "cd".repeat(32),
        websocket_url: format!("wss://{id}.example:4436/"),
        sessions,
        capacity: 10,
        draining,
    }
}

/// Write `edge` in the registry for `ttl`.
pub async fn put(admin: &Cluster, edge: &EdgeInfo, ttl: Duration) {
    admin.put_edge(edge, ttl).await.unwrap();
}
