//! The QUIC server: validates each source address with a stateless retry, accepts the
//! connection, waits for the client's stream and hands the edge one [`Link`] per client.

use super::pump::{PROTOCOL_VIOLATION, bump, close_with, pump};
use super::tls::{QuicIdentity, QuicTlsError, server_crypto};
use super::{QuicCounters, transport_config};
use crate::transport::{
    ACCEPT_QUEUE_FULL, Handover, Link, Liveness, QueueLimits, TransportKind, hand_over, link_pair,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a new connection may take to finish its handshake and open its stream.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of a [`QuicServer`].
#[derive(Debug)]
pub struct QuicServerConfig {
    /// Address to bind; `[::]:port` binds dual-stack where the system allows IPv4-mapped
    /// addresses on IPv6 sockets (Linux by default).
    pub bind: SocketAddr,
    /// TLS certificate and key (the edge uses its WebTransport certificate).
    pub identity: QuicIdentity,
    /// Idle timeout advertised to clients (a client whose own is longer is governed by it)
    /// and keep-alive interval: how fast both ends notice the other is gone.
    pub liveness: Liveness,
    /// Bounds of the accept queue and of each link's queues.
    pub queues: QueueLimits,
    /// Largest first reliable message a client may send (the edge's hello limit): a first
    /// frame declaring more is refused from its length prefix with
    /// [`LinkEvent::FirstMessageTooLarge`](crate::transport::LinkEvent::FirstMessageTooLarge).
    /// `None`: only [`MAX_FRAME`](crate::frame::MAX_FRAME) applies.
    pub first_message_limit: Option<usize>,
}

/// Error starting a [`QuicServer`].
#[derive(Debug, thiserror::Error)]
pub enum QuicBindError {
    #[error("cannot bind the quic endpoint: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Tls(#[from] QuicTlsError),
}

/// A running QUIC server. Dropping it stops accepting; [`shutdown`](Self::shutdown) also
/// closes every connection.
pub struct QuicServer {
    local_addr: SocketAddr,
    endpoint: quinn::Endpoint,
    /// The configuration bound with; a new identity replaces only its crypto, so retry tokens
    /// issued before a rotation stay valid.
    base: quinn::ServerConfig,
    accept_task: tokio::task::JoinHandle<()>,
    counters: Arc<QuicCounters>,
}

impl std::fmt::Debug for QuicServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuicServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

fn server_config(
    identity: &QuicIdentity,
    liveness: Liveness,
) -> Result<quinn::ServerConfig, QuicTlsError> {
    let mut cfg = quinn::ServerConfig::with_crypto(server_crypto(identity)?);
    // Clients open exactly one bidirectional stream; the server opens none.
    cfg.transport_config(transport_config(liveness, 1));
    Ok(cfg)
}

impl QuicServer {
    /// Bind and start accepting connections. Must be called inside a tokio runtime.
    pub fn bind(
        cfg: QuicServerConfig,
    ) -> Result<(QuicServer, mpsc::Receiver<Link>), QuicBindError> {
        let base = server_config(&cfg.identity, cfg.liveness)?;
        let endpoint = quinn::Endpoint::server(base.clone(), cfg.bind)?;
        let local_addr = endpoint.local_addr()?;
        let (tx, rx) = mpsc::channel(cfg.queues.accept.max(1));
        let counters = Arc::new(QuicCounters::default());
        let limits = Limits {
            queues: cfg.queues,
            first_message: cfg.first_message_limit,
        };
        let accept = accept_loop(endpoint.clone(), tx, limits, counters.clone());
        let accept_task = tokio::spawn(accept);
        Ok((
            QuicServer {
                local_addr,
                endpoint,
                base,
                accept_task,
                counters,
            },
            rx,
        ))
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Server-wide counters (connections, dropped datagrams, bad frames).
    pub fn counters(&self) -> &QuicCounters {
        &self.counters
    }

    /// Present `identity` to new connections (certificate rotation); open connections keep
    /// theirs.
    pub fn set_identity(&self, identity: &QuicIdentity) -> Result<(), QuicTlsError> {
        let mut cfg = self.base.clone();
        cfg.crypto = server_crypto(identity)?;
        self.endpoint.set_server_config(Some(cfg));
        Ok(())
    }

    /// Stop accepting and close every connection with code 0.
    pub fn shutdown(&self) {
        self.accept_task.abort();
        self.endpoint.close(0u32.into(), b"shutdown");
    }
}

impl Drop for QuicServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

/// What every connection of a server is bounded by.
#[derive(Debug, Clone, Copy)]
struct Limits {
    queues: QueueLimits,
    first_message: Option<usize>,
}

async fn accept_loop(
    endpoint: quinn::Endpoint,
    links: mpsc::Sender<Link>,
    limits: Limits,
    counters: Arc<QuicCounters>,
) {
    while let Some(incoming) = endpoint.accept().await {
        // Stateless retry: a source must echo a token sent to its address before any
        // connection state is kept for it (a spoofed source never sees the token).
        if !incoming.remote_address_validated() {
            match incoming.retry() {
                Ok(()) => bump(&counters.retries),
                Err(e) => e.into_incoming().ignore(),
            }
            continue;
        }
        tokio::spawn(serve(incoming, links.clone(), limits, counters.clone()));
    }
}

/// Why a connection did not become a link.
#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error("setup timed out")]
    TimedOut,
    #[error("connection failed: {0}")]
    Connection(#[from] quinn::ConnectionError),
}

/// Accept one connection and its stream, then run it as a link until it closes.
async fn serve(
    incoming: quinn::Incoming,
    links: mpsc::Sender<Link>,
    limits: Limits,
    counters: Arc<QuicCounters>,
) {
    let connecting = match incoming.accept() {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("quic connection refused: {e}");
            bump(&counters.setup_failures);
            return;
        }
    };
    let setup = async {
        let conn = connecting.await?;
        // Until the stream arrives a closed connection must still be closed here.
        let stream = tokio::time::timeout(SETUP_TIMEOUT, conn.accept_bi()).await;
        match stream {
            Ok(Ok((send, recv))) => Ok((conn, send, recv)),
            Ok(Err(e)) => Err(SetupError::Connection(e)),
            Err(_) => {
                close_with(&conn, PROTOCOL_VIOLATION, b"no stream");
                Err(SetupError::TimedOut)
            }
        }
    };
    let (conn, send, recv) = match tokio::time::timeout(SETUP_TIMEOUT * 2, setup).await {
        Ok(Ok(parts)) => parts,
        Ok(Err(e)) => {
            tracing::debug!("quic connection setup failed: {e}");
            bump(&counters.setup_failures);
            return;
        }
        Err(_) => {
            tracing::debug!("quic connection setup failed: {}", SetupError::TimedOut);
            bump(&counters.setup_failures);
            return;
        }
    };
    let (link, side) = link_pair(conn.remote_address(), TransportKind::Quic, limits.queues);
    match hand_over(&links, link) {
        Handover::Accepted => {}
        Handover::Full => {
            bump(&counters.accept_refused);
            close_with(&conn, ACCEPT_QUEUE_FULL, b"accept queue full");
            return;
        }
        Handover::Gone => {
            close_with(&conn, 0, b"");
            return;
        }
    }
    bump(&counters.connections);
    pump(conn, send, recv, side, counters, limits.first_message).await;
}
