//! The public vocabulary of a connection: settings, states, events, errors, close codes.

use super::reliable::PushError;
use crate::proto::rtt::RttConfig;
use crate::proto::session::SealError;
use std::time::Duration;

/// Close codes the transport itself uses (application codes stay below 240). The link queues'
/// codes, 248 (accept queue full) and 249 (slow consumer), are `transport::ACCEPT_QUEUE_FULL`
/// and `transport::SLOW_CONSUMER` (feature `runtime`).
pub mod codes {
    /// Closed normally (also: the application dropped its link).
    pub const NORMAL: u8 = 0;
    /// The peer sent authenticated data that breaks the protocol.
    pub const PROTOCOL_VIOLATION: u8 = 250;
    /// The peer's reliable messages overflowed this side's queue.
    pub const OVERLOADED: u8 = 251;
    /// Packet counters or message sequence numbers ran out.
    pub const EXHAUSTED: u8 = 252;
    /// The server is shutting down.
    pub const SHUTDOWN: u8 = 253;
}

/// Settings of a connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnConfig {
    /// Close after this long without an authenticated packet.
    pub idle_timeout: Duration,
    /// Send a PING after this long without one (keepalive, RTT, loss).
    pub keepalive_interval: Duration,
    /// Largest reliable message.
    pub max_message: usize,
    /// Largest first reliable message from the peer, if lower than `max_message` (a server
    /// bounds the client's hello with it). Once more bytes of the first message than this
    /// have arrived it is refused: [`ConnEvent::FirstMessageTooLarge`], its bytes and every
    /// later chunk are dropped (still acknowledged), and the connection stays open for the
    /// application's answer and close. `None` (the default): no bound but `max_message`.
    pub max_first_message: Option<usize>,
    /// Most bytes of reliable messages queued or in flight.
    pub max_queued_bytes: usize,
    /// Packet counters available to data: the first counter data may not use. Reaching it
    /// closes the connection with [`codes::EXHAUSTED`], its two disconnects taking this
    /// counter and the next. The default, [`MAX_DATA_COUNTER_LIMIT`] (`2^64 - 3`), keeps
    /// counter `2^64 - 1` unused; larger values are treated as the default. Smaller values
    /// only make exhaustion reachable in tests.
    pub data_counter_limit: u64,
    /// Bounds of the round-trip estimator behind resend timeouts.
    pub rtt: RttConfig,
}

/// The largest (and default) [`ConnConfig::data_counter_limit`]: counters `2^64 - 3` and
/// `2^64 - 2` carry the exhaustion disconnects; the session never uses `2^64 - 1`.
pub const MAX_DATA_COUNTER_LIMIT: u64 = u64::MAX - 2;

impl Default for ConnConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(10),
            keepalive_interval: Duration::from_millis(500),
            max_message: 64 * 1024,
            max_first_message: None,
            max_queued_bytes: 4 * 1024 * 1024,
            data_counter_limit: MAX_DATA_COUNTER_LIMIT,
            rtt: RttConfig::TRANSPORT,
        }
    }
}

/// Where a connection is (see `netcore/STATES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// Sending and receiving.
    Open,
    /// Closing: waiting for queued reliable messages to be acknowledged; no new sends.
    Closing,
    /// Ended; keys wiped.
    Closed,
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCause {
    /// This side closed it with a code.
    Local(u8),
    /// The peer sent an authenticated disconnect with a code.
    Peer(u8),
    /// Nothing authenticated arrived for the idle timeout.
    IdleTimeout,
}

/// Something the owner of a connection must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnEvent {
    /// A reliable message, exactly once and in order.
    Message(Vec<u8>),
    /// An unreliable datagram.
    Datagram(Vec<u8>),
    /// The peer's first reliable message passed [`ConnConfig::max_first_message`]: this many
    /// of its bytes had arrived. Nothing more from the peer is delivered reliably.
    FirstMessageTooLarge(usize),
    /// The connection ended; its keys are wiped and nothing more follows.
    Closed(CloseCause),
}

/// Error sending on a connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("the connection is closed")]
    Closed,
    #[error("datagram of {0} bytes exceeds the datagram limit")]
    DatagramTooLarge(usize),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Seal(#[from] SealError),
}
