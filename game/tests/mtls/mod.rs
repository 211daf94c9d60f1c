//! Shared set-up of the link mutual-TLS scenarios: a real region on loopback with a chosen
//! `[link]` trust, and an edge stand-in that connects over real QUIC with a chosen client
//! certificate and tries to open a session.
#![allow(dead_code, clippy::unwrap_used)]

use starlane_game::config::HttpConfig;
use starlane_game::{Region, RegionConfig, RegionHandle};
use starlane_netcore::link::EdgeClient;
use starlane_netcore::proto::link::{EdgeLinkConfig, EdgeLinkEvent};
use starlane_netcore::tls::pki::{DevCa, PemPair, Purpose};
use starlane_netcore::tls::{ServerTrust, quic_client_crypto};
use starlane_protocol::link::{LINK_ALPN, PlayerIdentity};
use std::path::Path;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(10);

/// A region config in `dir` on a free loopback port.
pub fn region_config(dir: &Path) -> RegionConfig {
    RegionConfig {
        data_dir: dir.join("region"),
        link_bind: "127.0.0.1:0".parse().unwrap(),
        http: HttpConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
        },
        ..RegionConfig::default()
    }
}

/// A region whose link certificate `ca` issued and which trusts edges by `ca_file` and `pins`.
pub async fn region_with_ca_cert(
    dir: &Path,
    ca: &DevCa,
    ca_file: Option<&Path>,
    pins: Vec<String>,
) -> RegionHandle {
    let region = ca.issue(&["starlane-region"], Purpose::Region).unwrap();
    let (cert, key) = region.write_in(dir, "region").unwrap();
    let mut cfg = region_config(dir);
    cfg.link_cert = cert;
    cfg.link_key = key;
    cfg.link.ca_file = ca_file.map(Path::to_path_buf).unwrap_or_default();
    cfg.link.pins = pins;
    cfg.validate().unwrap();
    Region::start(cfg).await.unwrap()
}

/// How an edge stand-in's attempt to open a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The region answered the join.
    Joined,
    /// The connection failed before any answer (the region refused the handshake).
    Refused,
}

/// Connect to `region` trusting `ca` for its certificate and presenting `client` (if any),
/// then send `Hello` and a join for `user_id`, and report how it ended.
pub async fn try_session(
    region: &RegionHandle,
    ca: &DevCa,
    client: Option<&PemPair>,
    user_id: i64,
) -> Outcome {
    let trust = ServerTrust::Roots(ca.roots().unwrap());
    let identity = client.map(|pair| pair.identity().unwrap());
    let quic = quic_client_crypto(&trust, identity.as_ref(), LINK_ALPN).unwrap();
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(quinn::ClientConfig::new(quic));
    let attempt = async {
        // With TLS 1.3 the client's handshake may complete before the region has judged the
        // client certificate: a refusal shows as the connection closing right after.
        let config = EdgeLinkConfig {
            edge_id: "mtls-test".into(),
            ..EdgeLinkConfig::default()
        };
        let mut edge =
            EdgeClient::connect(&endpoint, region.link_addr(), "starlane-region", config, 64)
                .await
                .ok()?;
        let player = PlayerIdentity {
            user_id,
            username: format!("user{user_id}"),
            command_stream: 0,
        };
        loop {
            match edge.next_event().await? {
                EdgeLinkEvent::Up { .. } => edge.join(1, player.clone()).ok()?,
                EdgeLinkEvent::Joined(_) => return Some(edge),
                EdgeLinkEvent::Down(_) => return None,
                _ => {}
            }
        }
    };
    let outcome = match tokio::time::timeout(WAIT, attempt).await {
        Ok(Some(edge)) => {
            edge.close().await;
            Outcome::Joined
        }
        Ok(None) => Outcome::Refused,
        Err(_) => panic!("the session attempt neither joined nor failed within {WAIT:?}"),
    };
    endpoint.wait_idle().await;
    outcome
}
