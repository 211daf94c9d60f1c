//! QUIC driver (quinn 0.11, rustls with the ring provider) for native clients.
//!
//! ALPN [`ALPN`]. The client opens one bidirectional stream; reliable messages travel on it
//! both ways as frames `u32 little-endian length + bytes` ([`crate::frame`], at most
//! [`MAX_FRAME`](crate::frame::MAX_FRAME); a larger frame closes the connection with
//! [`PROTOCOL_VIOLATION`]). Each QUIC datagram holds exactly one unreliable message; one too
//! large for the path is dropped and counted. `Outgoing::Close(code)` finishes the stream,
//! waits (up to 1 s) for it to be acknowledged, then closes the connection with application
//! code `code`, which the peer sees as `CloseReason::Peer(code)`.
//!
//! Link stats are quinn's: UDP datagrams and bytes each way, packets the path declared lost,
//! the smoothed RTT, and its variation smoothed over samples every 250 ms
//! ([`RttEstimator`](crate::proto::rtt::RttEstimator)).

mod client;
mod pump;
mod server;
mod stats;
mod tls;

pub use client::{
    QuicClientError, client_config, client_config_with, connect, connect_pinned,
    connect_pinned_with, connect_with,
};
pub use pump::PROTOCOL_VIOLATION;
pub use server::{QuicBindError, QuicServer, QuicServerConfig};
pub use tls::{QuicIdentity, QuicTlsError, QuicTrust};

use crate::transport::Liveness;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// ALPN of client QUIC connections.
pub const ALPN: &[u8] = b"starlane-quic/1";

/// Idle timeout of client connections (the shorter of both sides' applies): a client notices
/// a server that died without a word this long after it last heard from it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Liveness::DEFAULT.idle_timeout;

/// Bytes of outgoing datagrams quinn buffers per connection before dropping the oldest.
const DATAGRAM_SEND_BUFFER: usize = 256 * 1024;
/// Bytes of received datagrams buffered per connection before new ones are dropped.
const DATAGRAM_RECEIVE_BUFFER: usize = 256 * 1024;

/// Counters shared by every connection of one server (or one client).
#[derive(Debug, Default)]
pub struct QuicCounters {
    /// Connection attempts answered with a stateless retry (address validation) before any
    /// state was kept; each legitimate client causes one.
    pub retries: AtomicU64,
    /// Connections that became links.
    pub connections: AtomicU64,
    /// Connections that failed before becoming links (handshake, no stream in time).
    pub setup_failures: AtomicU64,
    /// Outgoing datagrams dropped for being larger than the path allows.
    pub datagrams_too_large: AtomicU64,
    /// Outgoing datagrams dropped because the peer does not accept datagrams.
    pub datagrams_unsupported: AtomicU64,
    /// Outgoing reliable messages dropped for exceeding [`MAX_FRAME`](crate::frame::MAX_FRAME).
    pub frames_too_large_out: AtomicU64,
    /// Connections closed because the peer sent a frame over the limit.
    pub frames_too_large_in: AtomicU64,
    /// First frames refused for declaring more than the server's `first_message_limit`
    /// (handed to the application as `LinkEvent::FirstMessageTooLarge`).
    pub first_messages_too_large: AtomicU64,
    /// Connections refused because the accept queue was full.
    pub accept_refused: AtomicU64,
}

/// Transport settings of both sides: idle timeout and keep-alives ([`Liveness`]), the
/// number of bidirectional streams the peer may open, no unidirectional streams, bounded
/// datagram buffers.
fn transport_config(liveness: Liveness, peer_bidi_streams: u32) -> Arc<quinn::TransportConfig> {
    let mut t = quinn::TransportConfig::default();
    t.max_idle_timeout(quinn::IdleTimeout::try_from(liveness.idle_timeout).ok());
    t.keep_alive_interval(Some(liveness.keep_alive));
    t.max_concurrent_bidi_streams(peer_bidi_streams.into());
    t.max_concurrent_uni_streams(0u32.into());
    t.datagram_send_buffer_size(DATAGRAM_SEND_BUFFER);
    t.datagram_receive_buffer_size(Some(DATAGRAM_RECEIVE_BUFFER));
    Arc::new(t)
}
