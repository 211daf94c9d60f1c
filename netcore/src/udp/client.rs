//! The native encrypted UDP client: the same loop as the server, in the client role.

use super::driver::{Driver, LinkSink, Shared};
use crate::proto::endpoint::{Endpoint, EndpointConfig};
use crate::proto::handshake::{HandshakeError, HandshakeTiming};
use crate::transport::{Handover, Link, QueueLimits};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Error connecting to a server.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open the socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("handshake failed: {0}")]
    Handshake(#[from] HandshakeError),
    #[error("no answer from the server within the timeout")]
    TimedOut,
}

/// Largest reliable message a client connection sends or takes: 1 MiB, the bound of a stream
/// frame on QUIC and WebTransport. A server takes less (64 KiB by default, and its first
/// message bounded by `first_message_limit`) and refuses more; a client sends what it is given
/// so that the server, not the client's own driver, answers an oversized hello.
pub const CLIENT_MAX_MESSAGE: usize = 1 << 20;

struct ClientSink {
    tx: Option<oneshot::Sender<Result<Link, HandshakeError>>>,
}

impl LinkSink for ClientSink {
    fn link(&mut self, link: Link) -> Handover {
        if self.tx.take().is_some_and(|tx| tx.send(Ok(link)).is_ok()) {
            Handover::Accepted
        } else {
            Handover::Gone
        }
    }
    fn failed(&mut self, error: HandshakeError) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Err(error));
        }
    }
}

/// Connect to an encrypted UDP server whose static public key is `server_public_key`.
/// Fails if the handshake does not complete within `timeout`.
pub async fn connect(
    server: SocketAddr,
    server_public_key: [u8; 32],
    timeout: Duration,
) -> Result<Link, ConnectError> {
    connect_with(server, server_public_key, timeout, Duration::from_secs(10)).await
}

/// [`connect`] with an explicit idle timeout for the link.
pub async fn connect_with(
    server: SocketAddr,
    server_public_key: [u8; 32],
    timeout: Duration,
    idle_timeout: Duration,
) -> Result<Link, ConnectError> {
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let udp = UdpSocket::bind(local)?;
    let timing = HandshakeTiming {
        timeout,
        ..HandshakeTiming::default()
    };
    let mut cfg = EndpointConfig {
        handshake: timing,
        ..EndpointConfig::default()
    };
    cfg.conn.idle_timeout = idle_timeout;
    cfg.conn.max_message = CLIENT_MAX_MESSAGE;
    let endpoint = Endpoint::client(Instant::now(), server, server_public_key, cfg)?;
    let (tx, rx) = oneshot::channel();
    let shared = Arc::new(Shared::default());
    let driver = Driver::new(
        udp,
        endpoint,
        ClientSink { tx: Some(tx) },
        shared.clone(),
        true,
        QueueLimits::DEFAULT,
    )?;
    std::thread::Builder::new()
        .name("starlane-udp-client".into())
        .spawn(move || driver.run())?;
    // The handshake deadline fires inside the loop; this outer bound only guards against a
    // loop that died without answering.
    match tokio::time::timeout(timeout + Duration::from_secs(1), rx).await {
        Ok(Ok(Ok(link))) => Ok(link),
        Ok(Ok(Err(HandshakeError::TimedOut))) => Err(ConnectError::TimedOut),
        Ok(Ok(Err(e))) => Err(ConnectError::Handshake(e)),
        Ok(Err(_)) | Err(_) => {
            shared.stop();
            Err(ConnectError::TimedOut)
        }
    }
}
