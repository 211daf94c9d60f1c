//! A small native WebTransport client (tests, bots): connects, opens the one bidirectional
//! stream, and returns a [`Link`] driven by the same pump as the server.

use super::session::{WtCounters, pump};
use crate::transport::{Link, Liveness, QueueLimits, TransportKind, link_pair};
use std::sync::Arc;
use wtransport::tls::Sha256Digest;
use wtransport::{ClientConfig, Endpoint};

/// Error connecting the native WebTransport client.
#[derive(Debug, thiserror::Error)]
pub enum WtClientError {
    #[error("cannot create the client endpoint: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot connect: {0}")]
    Connect(#[from] wtransport::error::ConnectingError),
    #[error("cannot open the stream: {0}")]
    Stream(String),
    #[error("idle timeout {0:?} out of range")]
    IdleTimeout(std::time::Duration),
}

/// Connect to `url` (e.g. `https://127.0.0.1:4433/`), accepting only a server certificate
/// whose SHA-256 is `cert_hash`, as browsers do with `serverCertificateHashes`.
pub async fn connect_native(url: &str, cert_hash: [u8; 32]) -> Result<Link, WtClientError> {
    connect_native_with(url, cert_hash, Liveness::DEFAULT).await
}

/// [`connect_native`] with the given idle timeout and keep-alive interval (the shorter of
/// this idle timeout and the server's applies).
pub async fn connect_native_with(
    url: &str,
    cert_hash: [u8; 32],
    liveness: Liveness,
) -> Result<Link, WtClientError> {
    let config = ClientConfig::builder()
        .with_bind_default()
        .with_server_certificate_hashes([Sha256Digest::new(cert_hash)])
        .keep_alive_interval(Some(liveness.keep_alive))
        .max_idle_timeout(Some(liveness.idle_timeout))
        .map_err(|_| WtClientError::IdleTimeout(liveness.idle_timeout))?
        .build();
    let endpoint = Endpoint::client(config)?;
    let conn = endpoint.connect(url).await?;
    let opening = conn
        .open_bi()
        .await
        .map_err(|e| WtClientError::Stream(e.to_string()))?;
    // Awaiting the opening stream writes its WebTransport header, so the server sees it now.
    let (send, recv) = opening
        .await
        .map_err(|e| WtClientError::Stream(e.to_string()))?;
    let (link, side) = link_pair(
        conn.remote_address(),
        TransportKind::WebTransport,
        QueueLimits::DEFAULT,
    );
    tokio::spawn(async move {
        let _endpoint = endpoint;
        pump(
            conn,
            send,
            recv,
            side,
            Arc::new(WtCounters::default()),
            None,
        )
        .await;
    });
    Ok(link)
}
