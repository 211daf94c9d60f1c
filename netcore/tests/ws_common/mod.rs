//! A WebSocket server on loopback for the WebSocket scenarios, and a raw client that the
//! test drives message by message.

#![allow(dead_code)]

use starlane_netcore::proto::ws::WS_SUBPROTOCOL;
use starlane_netcore::transport::{Link, Liveness, QueueLimits};
use starlane_netcore::websocket::{WsLimits, WsServer, WsServerConfig};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc::Receiver;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A server on `[::]:0` with the default limits and `first_message_limit`.
pub fn server(first_message_limit: Option<usize>) -> (WsServer, Receiver<Link>, String) {
    let (server, accepted) = WsServer::bind(WsServerConfig {
        bind: "[::]:0".parse().expect("literal"),
        queues: QueueLimits::DEFAULT,
        first_message_limit,
        liveness: Liveness::DEFAULT,
        limits: WsLimits::default(),
        tls: None,
    })
    .expect("bind");
    let url = format!("ws://127.0.0.1:{}/", server.local_addr().port());
    (server, accepted, url)
}

/// A raw WebSocket client of `url` that asks for `subprotocol` (none: asks for nothing),
/// receiving into a socket buffer of `recv_buffer` bytes (none: the system's).
pub async fn raw_client(
    url: &str,
    subprotocol: Option<&str>,
    recv_buffer: Option<u32>,
) -> Result<WebSocketStream<TcpStream>, tokio_tungstenite::tungstenite::Error> {
    let mut request = url.into_client_request()?;
    if let Some(p) = subprotocol {
        let value = HeaderValue::from_str(p).expect("a header value");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", value);
    }
    let host = request.uri().host().expect("a host").to_string();
    let port = request.uri().port_u16().expect("a port");
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await?
        .next()
        .expect("an address");
    let socket = TcpSocket::new_v4()?;
    if let Some(bytes) = recv_buffer {
        socket.set_recv_buffer_size(bytes)?;
    }
    let stream = socket.connect(addr).await?;
    let (ws, _) = tokio_tungstenite::client_async(request, stream).await?;
    Ok(ws)
}

/// [`raw_client`] asking for the right subprotocol.
pub async fn client(url: &str) -> WebSocketStream<TcpStream> {
    raw_client(url, Some(WS_SUBPROTOCOL), None)
        .await
        .expect("handshake")
}
