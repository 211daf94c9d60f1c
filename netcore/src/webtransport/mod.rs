//! WebTransport driver (wtransport): browsers and the native test client.
//!
//! The client opens one bidirectional stream; reliable messages travel on it both ways as
//! frames `u32 little-endian length + bytes` (at most [`MAX_FRAME`]); each WebTransport
//! datagram holds exactly one unreliable message.

mod cert;
mod client;
mod session;

pub use crate::frame::{FrameError, MAX_FRAME, encode_frame};
pub use cert::{CertError, self_signed_identity};
pub use client::{WtClientError, connect_native, connect_native_with};
pub use session::WtCounters;

use crate::transport::{Link, Liveness, QueueLimits};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;
use wtransport::config::Ipv6DualStackConfig;
use wtransport::{Endpoint, Identity, ServerConfig, VarInt};

/// Settings of a [`WtServer`].
#[derive(Debug)]
pub struct WtServerConfig {
    /// Address to bind; `[::]:port` binds dual-stack.
    pub bind: SocketAddr,
    /// TLS certificate and key (see [`self_signed_identity`] for browsers pinning a hash).
    pub identity: Identity,
    /// Bounds of the accept queue and of each link's queues.
    pub queues: QueueLimits,
    /// Largest first reliable message a client may send (the edge's hello limit): a first
    /// frame declaring more is refused from its length prefix with
    /// [`LinkEvent::FirstMessageTooLarge`](crate::transport::LinkEvent::FirstMessageTooLarge).
    /// `None`: only [`MAX_FRAME`] applies.
    pub first_message_limit: Option<usize>,
    /// Idle timeout advertised to browsers (theirs is longer, so this one governs them) and
    /// keep-alive interval: how fast a browser notices the edge is gone.
    pub liveness: Liveness,
}

/// Error starting a [`WtServer`].
#[derive(Debug, thiserror::Error)]
pub enum WtBindError {
    #[error("cannot bind the WebTransport endpoint: {0}")]
    Io(#[from] std::io::Error),
}

/// A running WebTransport server. Dropping it stops accepting; [`shutdown`](Self::shutdown)
/// also closes every session.
pub struct WtServer {
    local_addr: SocketAddr,
    endpoint: Arc<Endpoint<wtransport::endpoint::endpoint_side::Server>>,
    accept_task: tokio::task::JoinHandle<()>,
    counters: Arc<WtCounters>,
}

impl std::fmt::Debug for WtServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WtServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl WtServer {
    /// Bind and start accepting sessions. Must be called inside a tokio runtime.
    pub fn bind(cfg: WtServerConfig) -> Result<(WtServer, mpsc::Receiver<Link>), WtBindError> {
        let builder = ServerConfig::builder();
        let builder = match cfg.bind {
            SocketAddr::V6(v6) => builder.with_bind_address_v6(v6, Ipv6DualStackConfig::Allow),
            SocketAddr::V4(_) => builder.with_bind_address(cfg.bind),
        };
        let config = builder
            .with_identity(cfg.identity)
            .keep_alive_interval(Some(cfg.liveness.keep_alive))
            .max_idle_timeout(Some(cfg.liveness.idle_timeout))
            .map_err(|_| std::io::Error::other("idle timeout out of range"))?
            .build();
        let endpoint = Arc::new(Endpoint::server(config)?);
        let local_addr = endpoint.local_addr()?;
        let (tx, rx) = mpsc::channel(cfg.queues.accept.max(1));
        let counters = Arc::new(WtCounters::default());
        let limits = (cfg.queues, cfg.first_message_limit);
        let accept = accept_loop(endpoint.clone(), tx, limits, counters.clone());
        let accept_task = tokio::spawn(accept);
        Ok((
            WtServer {
                local_addr,
                endpoint,
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

    /// Server-wide counters (sessions, dropped datagrams, bad frames).
    pub fn counters(&self) -> &WtCounters {
        &self.counters
    }

    /// Stop accepting and close every session with code 0.
    pub fn shutdown(&self) {
        self.accept_task.abort();
        self.endpoint.close(VarInt::from_u32(0), b"shutdown");
    }
}

impl Drop for WtServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

async fn accept_loop(
    endpoint: Arc<Endpoint<wtransport::endpoint::endpoint_side::Server>>,
    links: mpsc::Sender<Link>,
    limits: (QueueLimits, Option<usize>),
    counters: Arc<WtCounters>,
) {
    loop {
        let incoming = endpoint.accept().await;
        let serve = session::serve(incoming, links.clone(), limits, counters.clone());
        tokio::spawn(serve);
    }
}
