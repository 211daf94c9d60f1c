//! The WebSocket server: a dual-stack TCP listener, the handshake with its subprotocol check,
//! and one pump per accepted link.

use super::pump::{PumpSettings, pump};
use super::{WS_SUBPROTOCOL, WsCounters, WsLimits, bump};
use crate::proto::ws::{MAX_RELIABLE_BODY, ws_close_code};
use crate::transport::{
    ACCEPT_QUEUE_FULL, Handover, Link, Liveness, QueueLimits, TransportKind, hand_over, link_pair,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

/// Unsent bytes the kernel may hold per connection (`TCP_NOTSENT_LOWAT`): what the socket
/// holds is written already, out of reach of superseding, so the socket takes no more until
/// its unsent bytes fall below this. Bytes in flight are TCP's own (its window), so the send
/// buffer itself keeps its size and a long fat path its throughput.
const UNSENT_LOWAT: u32 = 8 * 1024;
/// How long a new connection may take to complete its WebSocket handshake.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of a [`WsServer`].
#[derive(Debug, Clone)]
pub struct WsServerConfig {
    /// Address to bind; `[::]:port` binds dual-stack.
    pub bind: SocketAddr,
    /// Bounds of the accept queue and of each link's queues.
    pub queues: QueueLimits,
    /// Largest first reliable message a client may send (the edge's hello limit).
    pub first_message_limit: Option<usize>,
    /// Pings every `keep_alive`; a link that heard nothing for `idle_timeout` is closed.
    pub liveness: Liveness,
    /// Unwritten messages kept per link.
    pub limits: WsLimits,
    /// Serve `wss://` with this TLS configuration (ALPN `http/1.1`); `None`: plain `ws://`,
    /// for loopback only (the hello carries the player's token).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Error starting a [`WsServer`].
#[derive(Debug, thiserror::Error)]
pub enum WsBindError {
    #[error("cannot bind the WebSocket listener: {0}")]
    Io(#[from] std::io::Error),
}

/// A running WebSocket server. Dropping it stops accepting; [`shutdown`](Self::shutdown)
/// also closes every link with code 0.
#[derive(Debug)]
pub struct WsServer {
    local_addr: SocketAddr,
    accept_task: tokio::task::JoinHandle<()>,
    counters: Arc<WsCounters>,
    stop: watch::Sender<bool>,
}

impl WsServer {
    /// Bind and start accepting connections. Must be called inside a tokio runtime.
    pub fn bind(cfg: WsServerConfig) -> Result<(WsServer, mpsc::Receiver<Link>), WsBindError> {
        let listener = listen(cfg.bind)?;
        let local_addr = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(cfg.queues.accept.max(1));
        let counters = Arc::new(WsCounters::default());
        let (stop, stopped) = watch::channel(false);
        let accept = Accept {
            links: tx,
            cfg,
            counters: counters.clone(),
            stopped,
        };
        let accept_task = tokio::spawn(accept.run(listener));
        let server = WsServer {
            local_addr,
            accept_task,
            counters,
            stop,
        };
        Ok((server, rx))
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Server-wide counters.
    pub fn counters(&self) -> &Arc<WsCounters> {
        &self.counters
    }

    /// Stop accepting and close every link with code 0.
    pub fn shutdown(&self) {
        self.accept_task.abort();
        self.stop.send_replace(true);
    }
}

impl Drop for WsServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

/// A TCP listener on `bind`, dual-stack when it is an IPv6 address.
fn listen(bind: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(bind), Type::STREAM, Some(Protocol::TCP))?;
    if bind.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&bind.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

/// The handshake and message limits of every link.
pub(crate) fn ws_config() -> WebSocketConfig {
    // One more byte than the largest body: the channel byte.
    WebSocketConfig::default()
        .max_message_size(Some(MAX_RELIABLE_BODY + 1))
        .max_frame_size(Some(MAX_RELIABLE_BODY + 1))
}

struct Accept {
    links: mpsc::Sender<Link>,
    cfg: WsServerConfig,
    counters: Arc<WsCounters>,
    stopped: watch::Receiver<bool>,
}

impl Accept {
    async fn run(self, listener: TcpListener) {
        let this = Arc::new(self);
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                // Out of file descriptors and the like: try again shortly.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            tokio::spawn(this.clone().serve(stream, peer));
        }
    }

    async fn serve(self: Arc<Self>, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ = socket2::SockRef::from(&stream).set_tcp_notsent_lowat(UNSENT_LOWAT);
        let Some(tls) = self.cfg.tls.clone() else {
            return self.serve_stream(stream, peer).await;
        };
        let accept = tokio_rustls::TlsAcceptor::from(tls).accept(stream);
        match tokio::time::timeout(SETUP_TIMEOUT, accept).await {
            Ok(Ok(stream)) => self.serve_stream(stream, peer).await,
            Ok(Err(e)) => {
                tracing::debug!("websocket tls handshake from {peer} failed: {e}");
                bump(&self.counters.setup_failures);
            }
            Err(_) => bump(&self.counters.setup_failures),
        }
    }

    /// The WebSocket handshake on `stream` (TCP, or TLS over it), then the link.
    async fn serve_stream<S>(self: Arc<Self>, stream: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let counters = self.counters.clone();
        // Whether this handshake was refused for its subprotocol (counted apart).
        let wrong = Arc::new(AtomicBool::new(false));
        let flag = wrong.clone();
        // The handshake library's callback type fixes the error type (an HTTP response).
        #[allow(clippy::result_large_err)]
        let check = move |req: &Request, resp: Response| {
            let checked = check_subprotocol(req, resp);
            if checked.is_err() {
                flag.store(true, Ordering::Relaxed);
                bump(&counters.wrong_subprotocol);
            }
            checked
        };
        let handshake =
            tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config()));
        let mut ws = match tokio::time::timeout(SETUP_TIMEOUT, handshake).await {
            Ok(Ok(ws)) => ws,
            Ok(Err(e)) => {
                tracing::debug!("websocket handshake from {peer} failed: {e}");
                if !wrong.load(Ordering::Relaxed) {
                    bump(&self.counters.setup_failures);
                }
                return;
            }
            Err(_) => {
                bump(&self.counters.setup_failures);
                return;
            }
        };
        let (link, side) = link_pair(peer, TransportKind::WebSocket, self.cfg.queues);
        match hand_over(&self.links, link) {
            Handover::Accepted => {}
            Handover::Full => {
                bump(&self.counters.accept_refused);
                close_at_once(&mut ws, ACCEPT_QUEUE_FULL).await;
                return;
            }
            Handover::Gone => {
                close_at_once(&mut ws, 0).await;
                return;
            }
        }
        bump(&self.counters.sessions);
        let settings = PumpSettings {
            counters: self.counters.clone(),
            first_limit: self.cfg.first_message_limit,
            liveness: self.cfg.liveness,
            limits: self.cfg.limits,
            stop: Some(self.stopped.clone()),
        };
        pump(ws, side, settings).await;
    }
}

/// Accept the handshake only if the client asks for [`WS_SUBPROTOCOL`] (WEBSOCKET.md,
/// "Opening"), and say so in the answer. The error type is the handshake library's.
#[allow(clippy::result_large_err)]
fn check_subprotocol(req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
    let offered = req
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == WS_SUBPROTOCOL);
    if !offered {
        let mut refusal = ErrorResponse::new(Some(format!(
            "the websocket subprotocol must be {WS_SUBPROTOCOL}"
        )));
        *refusal.status_mut() = StatusCode::BAD_REQUEST;
        return Err(refusal);
    }
    resp.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(WS_SUBPROTOCOL),
    );
    Ok(resp)
}

async fn close_at_once<S>(ws: &mut WebSocketStream<S>, code: u8)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code: ws_close_code(code).into(),
        reason: "".into(),
    };
    let _ = ws.close(Some(frame)).await;
}
