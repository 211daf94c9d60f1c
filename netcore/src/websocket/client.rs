//! A small native WebSocket client (tests, bots, `--transport websocket`): connects over TCP,
//! asks for [`WS_SUBPROTOCOL`], and returns a [`Link`] driven by the same pump as the server.

use super::pump::{PumpSettings, pump};
use super::server::ws_config;
use super::{WS_SUBPROTOCOL, WsCounters, WsLimits};
use crate::transport::{Link, Liveness, QueueLimits, TransportKind, link_pair};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};

/// Error connecting the native WebSocket client.
#[derive(Debug, thiserror::Error)]
pub enum WsClientError {
    #[error("not a ws:// url: {0}")]
    Url(String),
    #[error("the native client speaks ws:// only (wss:// is for browsers): {0}")]
    Tls(String),
    #[error("cannot connect: {0}")]
    Io(#[from] std::io::Error),
    #[error("websocket handshake failed: {0}")]
    Handshake(#[from] tokio_tungstenite::tungstenite::Error),
}

/// Connect to `url` (`ws://host:port/`).
pub async fn connect_native(url: &str) -> Result<Link, WsClientError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| WsClientError::Url(format!("{url}: {e}")))?;
    match request.uri().scheme_str() {
        Some("ws") => {}
        Some("wss") => return Err(WsClientError::Tls(url.into())),
        _ => return Err(WsClientError::Url(url.into())),
    }
    let host = request
        .uri()
        .host()
        .ok_or_else(|| WsClientError::Url(url.into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = request.uri().port_u16().unwrap_or(80);
    request.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(WS_SUBPROTOCOL),
    );
    let stream = TcpStream::connect((host.as_str(), port)).await?;
    stream.set_nodelay(true)?;
    let peer = stream.peer_addr()?;
    let (ws, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config())).await?;
    let (link, side) = link_pair(peer, TransportKind::WebSocket, QueueLimits::DEFAULT);
    let settings = PumpSettings {
        counters: Arc::new(WsCounters::default()),
        first_limit: None,
        liveness: Liveness::DEFAULT,
        limits: WsLimits::default(),
        stop: None,
    };
    tokio::spawn(pump(ws, side, settings));
    Ok(link)
}
