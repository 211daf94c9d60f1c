//! How fast the QUIC-based drivers (QUIC, WebTransport) notice a peer that went silent.
//!
//! QUIC closes a connection that heard nothing for its idle timeout, and the timeout that
//! applies is the shorter of the two sides' `max_idle_timeout` (RFC 9000 §10.1): a browser,
//! whose own is long, is governed by the one the edge advertises. Keep-alives (PING frames,
//! which the peer acknowledges) keep a connection without application traffic open, so only a
//! dead peer or a dead path reaches the timeout. The defaults match the encrypted UDP client
//! (3 s, its edge's keepalives every 500 ms): a client notices an edge killed without a word
//! within 3 s and moves to another (protocol/SPEC.md §17.2).

use std::time::Duration;

/// The idle timeout and keep-alive interval of a QUIC-based connection.
///
/// A silent peer is noticed between `idle_timeout` and `idle_timeout + keep_alive` after the
/// last packet heard from it: QUIC restarts the idle timer at the first ack-eliciting packet
/// sent after a receive (RFC 9000 §10.1), which is at the latest the next keep-alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    /// A connection that heard nothing from its peer this long is closed with
    /// [`CloseReason::Timeout`](super::CloseReason::Timeout) (advertised as QUIC's
    /// `max_idle_timeout`; the shorter of both sides' applies).
    pub idle_timeout: Duration,
    /// A PING is sent after this long without sending anything; shorter than
    /// `idle_timeout`, so that a lost one or two do not close a live connection.
    pub keep_alive: Duration,
}

impl Liveness {
    /// 2.5 s idle timeout, keep-alives every 500 ms: a silent peer is noticed 2.5 to 3 s
    /// after it was last heard.
    pub const DEFAULT: Liveness = Liveness {
        idle_timeout: Duration::from_millis(2_500),
        keep_alive: Duration::from_millis(500),
    };

    /// `idle_timeout` with keep-alives every third of it.
    pub fn idle(idle_timeout: Duration) -> Liveness {
        Liveness {
            idle_timeout,
            keep_alive: idle_timeout / 3,
        }
    }
}

impl Default for Liveness {
    fn default() -> Self {
        Self::DEFAULT
    }
}
