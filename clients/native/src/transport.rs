//! Choosing the transport to the edge: encrypted UDP (the default), QUIC, WebTransport or
//! WebSocket (the browsers' fallback, netcore/WEBSOCKET.md).
//! Each presents the same link, so everything after the connect is the same.

use crate::client::{Client, ClientError};
use crate::http::ConnectInfo;
use starlane_netcore::transport::Link;
use std::net::SocketAddr;
use std::time::Duration;

/// How long the QUIC handshake may take.
const QUIC_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A client transport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Noise-keyed encrypted UDP (needs `udp_addr` and `udp_public_key`).
    #[default]
    Udp,
    /// QUIC with quinn (needs `quic_addr` and `cert_hash`).
    Quic,
    /// WebTransport, as browsers use (needs `webtransport_url` and `cert_hash`).
    WebTransport,
    /// WebSocket over TCP, the browsers' fallback (needs `websocket_url`, `ws://` only).
    WebSocket,
}

impl Transport {
    /// Every transport, in the order of [`Transport::as_str`]'s names.
    pub const ALL: [Transport; 4] = [
        Transport::Udp,
        Transport::Quic,
        Transport::WebTransport,
        Transport::WebSocket,
    ];

    /// The name used on the command line: `udp`, `quic`, `webtransport` or `websocket`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Quic => "quic",
            Self::WebTransport => "webtransport",
            Self::WebSocket => "websocket",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transport name that is not `udp`, `quic` or `webtransport`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown transport {0:?}: use udp, quic or webtransport")]
pub struct UnknownTransport(pub String);

impl std::str::FromStr for Transport {
    type Err = UnknownTransport;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownTransport(s.to_string()))
    }
}

/// The connect-info field a transport needs but the server did not advertise.
/// Open a link to the edge described by `info` over `transport` (no hello yet).
pub async fn open_link(info: &ConnectInfo, transport: Transport) -> Result<Link, ClientError> {
    let connect = |e: String| ClientError::Connect(e);
    match transport {
        Transport::Udp => starlane_netcore::udp::connect_with(
            info.udp_addr,
            info.udp_public_key,
            QUIC_CONNECT_TIMEOUT,
            crate::resume::LINK_IDLE_TIMEOUT,
        )
        .await
        .map_err(|e| connect(e.to_string())),
        Transport::Quic => {
            let addr = info
                .quic_addr
                .ok_or_else(|| missing(transport, "quic_addr"))?;
            let hash = info
                .cert_hash
                .ok_or_else(|| missing(transport, "cert_hash"))?;
            let liveness = crate::resume::QUIC_LIVENESS;
            starlane_netcore::quic::connect_pinned_with(addr, hash, QUIC_CONNECT_TIMEOUT, liveness)
                .await
                .map_err(|e| connect(e.to_string()))
        }
        Transport::WebTransport => {
            let url = info
                .webtransport_url
                .as_deref()
                .ok_or_else(|| missing(transport, "webtransport_url"))?;
            let hash = info
                .cert_hash
                .ok_or_else(|| missing(transport, "cert_hash"))?;
            let liveness = crate::resume::QUIC_LIVENESS;
            starlane_netcore::webtransport::connect_native_with(url, hash, liveness)
                .await
                .map_err(|e| connect(e.to_string()))
        }
        Transport::WebSocket => {
            let url = info
                .websocket_url
                .as_deref()
                .ok_or_else(|| missing(transport, "websocket_url"))?;
            let opening = starlane_netcore::websocket::connect_native(url);
            tokio::time::timeout(QUIC_CONNECT_TIMEOUT, opening)
                .await
                .map_err(|_| connect(format!("{url}: no answer within 5 s")))?
                .map_err(|e| connect(e.to_string()))
        }
    }
}

fn missing(transport: Transport, field: &str) -> ClientError {
    ClientError::Connect(format!(
        "cannot use {transport}: the server's connect info has no {field}"
    ))
}

impl Client {
    /// Connect to the edge over QUIC at `addr`, accepting only the certificate whose SHA-256
    /// is `cert_hash` (the edge's WebTransport certificate), then send the token and wait for
    /// the welcome.
    pub async fn connect_quic(
        addr: SocketAddr,
        cert_hash: [u8; 32],
        token: &str,
    ) -> Result<Self, ClientError> {
        let liveness = crate::resume::QUIC_LIVENESS;
        let timeout = QUIC_CONNECT_TIMEOUT;
        let link = starlane_netcore::quic::connect_pinned_with(addr, cert_hash, timeout, liveness)
            .await
            .map_err(|e| ClientError::Connect(e.to_string()))?;
        Self::connect_link(link, token).await
    }

    /// Connect to the edge described by `info` over `transport`, send the token and wait
    /// for the welcome.
    pub async fn connect_via(
        info: &ConnectInfo,
        transport: Transport,
        token: &str,
    ) -> Result<Self, ClientError> {
        let link = open_link(info, transport).await?;
        let mut client = Self::connect_link(link, token).await?;
        client.resume.transport = transport;
        client.resume.edge = Some(info.udp_addr.to_string());
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_ones_are_refused() {
        for t in Transport::ALL {
            assert_eq!(t.as_str().parse::<Transport>(), Ok(t));
        }
        assert_eq!("QUIC".parse::<Transport>(), Ok(Transport::Quic));
        assert_eq!(
            "tcp".parse::<Transport>(),
            Err(UnknownTransport("tcp".into()))
        );
        assert_eq!(Transport::default(), Transport::Udp);
    }

    #[tokio::test]
    async fn a_transport_the_server_does_not_advertise_is_refused_before_connecting() {
        let info = ConnectInfo::udp_only("127.0.0.1:9".parse().expect("addr"), [1; 32]);
        for t in [Transport::Quic, Transport::WebTransport] {
            match Client::connect_via(&info, t, "token").await {
                Err(ClientError::Connect(why)) => assert!(why.contains("connect info"), "{why}"),
                other => panic!("expected a connect error, got {other:?}"),
            }
        }
    }
}
