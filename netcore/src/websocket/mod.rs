//! WebSocket driver (tokio-tungstenite): the client protocol over TCP for browsers whose
//! network blocks UDP, and the native client's `--transport websocket`.
//!
//! The format is WEBSOCKET.md: every message is binary, `[channel][body]`, on channel 0 a
//! reliable message and on channel 1 a datagram ([`proto::ws`](crate::proto::ws), the IO-free
//! core). A server refuses a handshake without the subprotocol [`WS_SUBPROTOCOL`] with HTTP
//! 400. A slow socket never writes a datagram a newer one superseded: the sender keeps at most
//! [`WsLimits::datagrams`] unwritten ones (counted in [`WsCounters::superseded`] and in the
//! link's `datagrams_dropped_full`). The server pings every keep-alive interval (the pongs
//! give the link's round-trip time) and closes a link that heard nothing for the idle timeout.

mod client;
mod pump;
mod server;
mod writer;

pub use crate::proto::ws::{WS_SUBPROTOCOL, WsLimits};
pub use client::{WsClientError, connect_native};
pub use server::{WsBindError, WsServer, WsServerConfig};

use crate::proto::ws::WsFrameError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by every link of one server (or one client).
#[derive(Debug, Default)]
pub struct WsCounters {
    /// Connections that became links.
    pub sessions: AtomicU64,
    /// Connections whose TLS or WebSocket handshake failed or timed out (not HTTP, no
    /// upgrade), other than for the subprotocol.
    pub setup_failures: AtomicU64,
    /// Handshakes refused for not asking for [`WS_SUBPROTOCOL`].
    pub wrong_subprotocol: AtomicU64,
    /// Connections refused because the accept queue was full.
    pub accept_refused: AtomicU64,
    /// First reliable messages over the first-message limit.
    pub first_messages_too_large: AtomicU64,
    /// Unwritten datagrams dropped because a newer one came (WEBSOCKET.md, "Messages").
    pub superseded: AtomicU64,
    /// Outgoing messages dropped for being longer than their channel allows.
    pub too_large_out: AtomicU64,
    /// Received messages refused, by reason (WEBSOCKET.md, "Ignoring a message"); each
    /// closed its link with code 250.
    pub refused_text: AtomicU64,
    pub refused_empty: AtomicU64,
    pub refused_unknown_channel: AtomicU64,
    pub refused_too_large: AtomicU64,
}

impl WsCounters {
    /// Count a refused message by its reason.
    pub fn refused(&self, e: WsFrameError) {
        bump(match e {
            WsFrameError::Text => &self.refused_text,
            WsFrameError::Empty => &self.refused_empty,
            WsFrameError::UnknownChannel(_) => &self.refused_unknown_channel,
            WsFrameError::TooLarge { .. } => &self.refused_too_large,
        });
    }

    /// Received messages refused so far, by the reason's label.
    pub fn refusals(&self) -> [(&'static str, u64); 4] {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            ("text", get(&self.refused_text)),
            ("empty", get(&self.refused_empty)),
            ("unknown_channel", get(&self.refused_unknown_channel)),
            ("too_large", get(&self.refused_too_large)),
        ]
    }
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}
