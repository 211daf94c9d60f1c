//! The native QUIC client: connects, opens the one bidirectional stream, and returns a
//! [`Link`] driven by the same pump as the server.

use super::pump::pump;
use super::tls::{QuicTlsError, QuicTrust, client_crypto};
use super::{QuicCounters, transport_config};
use crate::transport::{Link, Liveness, QueueLimits, TransportKind, link_pair};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long a closed client keeps its endpoint to finish the close handshake.
const LINGER: Duration = Duration::from_secs(1);

/// Error connecting the native QUIC client.
#[derive(Debug, thiserror::Error)]
pub enum QuicClientError {
    #[error("cannot create the client endpoint: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Tls(#[from] QuicTlsError),
    #[error("cannot start connecting: {0}")]
    Start(#[from] quinn::ConnectError),
    #[error("cannot connect: {0}")]
    Connect(#[from] quinn::ConnectionError),
    #[error("no handshake within {0:?}")]
    Timeout(Duration),
}

/// The quinn client configuration [`connect`] uses: ALPN [`ALPN`](super::ALPN), `trust`,
/// [`Liveness::DEFAULT`] (idle timeout [`DEFAULT_IDLE_TIMEOUT`](super::DEFAULT_IDLE_TIMEOUT)),
/// no streams accepted from the server. For clients that drive a quinn connection themselves
/// (tools, tests).
pub fn client_config(trust: &QuicTrust) -> Result<quinn::ClientConfig, QuicTlsError> {
    client_config_with(trust, Liveness::DEFAULT)
}

/// [`client_config`] with the given idle timeout and keep-alive interval.
pub fn client_config_with(
    trust: &QuicTrust,
    liveness: Liveness,
) -> Result<quinn::ClientConfig, QuicTlsError> {
    let mut config = quinn::ClientConfig::new(client_crypto(trust)?);
    config.transport_config(transport_config(liveness, 0));
    Ok(config)
}

/// Connect to `addr`, trusting the server by `trust` (with [`QuicTrust::Roots`] the
/// certificate must be valid for `server_name`), within `timeout`.
///
/// The stream is opened at once, but the server only sees it (and hands its side of the
/// link to the edge) when the first reliable message arrives, so a client sends one first
/// (the edge's clients send their hello).
pub async fn connect(
    addr: SocketAddr,
    server_name: &str,
    trust: QuicTrust,
    timeout: Duration,
) -> Result<Link, QuicClientError> {
    connect_with(addr, server_name, trust, timeout, QueueLimits::DEFAULT).await
}

/// [`connect`] with the link's queues bounded by `queues` (the default:
/// [`QueueLimits::DEFAULT`]).
pub async fn connect_with(
    addr: SocketAddr,
    server_name: &str,
    trust: QuicTrust,
    timeout: Duration,
    queues: QueueLimits,
) -> Result<Link, QuicClientError> {
    dial(addr, server_name, trust, timeout, queues, Liveness::DEFAULT).await
}

/// [`connect_with`] with the given idle timeout and keep-alive interval.
async fn dial(
    addr: SocketAddr,
    server_name: &str,
    trust: QuicTrust,
    timeout: Duration,
    queues: QueueLimits,
    liveness: Liveness,
) -> Result<Link, QuicClientError> {
    let local: SocketAddr = match addr {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let config = client_config_with(&trust, liveness)?;
    let endpoint = quinn::Endpoint::client(local)?;
    let connecting = endpoint.connect_with(config, addr, server_name)?;
    let conn = tokio::time::timeout(timeout, connecting)
        .await
        .map_err(|_| QuicClientError::Timeout(timeout))??;
    let (send, recv) = conn.open_bi().await?;
    let (link, side) = link_pair(conn.remote_address(), TransportKind::Quic, queues);
    tokio::spawn(async move {
        let counters = Arc::new(QuicCounters::default());
        pump(conn, send, recv, side, counters, None).await;
        // Keep the endpoint until the close reached the server.
        let _ = tokio::time::timeout(LINGER, endpoint.wait_idle()).await;
    });
    Ok(link)
}

/// Connect to `addr`, accepting only the server certificate whose SHA-256 is `cert_hash`
/// (the edge's `cert_hash` from connect-info).
pub async fn connect_pinned(
    addr: SocketAddr,
    cert_hash: [u8; 32],
    timeout: Duration,
) -> Result<Link, QuicClientError> {
    connect_pinned_with(addr, cert_hash, timeout, Liveness::DEFAULT).await
}

/// [`connect_pinned`] with the given idle timeout and keep-alive interval (the shorter of
/// this idle timeout and the server's applies).
pub async fn connect_pinned_with(
    addr: SocketAddr,
    cert_hash: [u8; 32],
    timeout: Duration,
    liveness: Liveness,
) -> Result<Link, QuicClientError> {
    // With a pinned certificate the name only fills the handshake; an IP sends no SNI.
    let name = addr.ip().to_string();
    let trust = QuicTrust::PinnedSha256(cert_hash);
    dial(addr, &name, trust, timeout, QueueLimits::DEFAULT, liveness).await
}
