//! The edge-region link's state machines, sans-IO (LINK.md §5-§8): [`EdgeLink`] for the edge
//! (it outlives connections: it holds sessions while no link is up and announces them again
//! on the next) and [`RegionLink`] for the region (one per edge connection).
//!
//! Both take the bytes their driver read from the link's stream (`handle_bytes`), the time
//! (`handle_timeout`) and the transport's fate (`handle_connected`, `handle_transport_closed`),
//! and give back bytes to write (`poll_transmit`), events (`poll_event`) and their next
//! deadline (`poll_timeout`). The wire format is `starlane_protocol::link`. Every queue they keep
//! is bounded ([`QueueLimits`]); what each side does when one fills is its flow state
//! ([`Flow`], LINK.md §8).

mod edge;
mod outbound;
mod reader;
mod region;

pub use edge::{EdgeLink, EdgeLinkConfig, EdgeLinkEvent, EdgeLinkState, EdgeSendError};
pub use outbound::QueueLimits;
pub use region::{RegionLink, RegionLinkConfig, RegionLinkEvent, RegionSendError};

use starlane_protocol::link::CloseCode;

/// How a side of a link treats new frames, from how full its outgoing queue is (LINK.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Under three quarters of the queue's limits: everything is sent.
    Open,
    /// At three quarters or more: the region holds back entity frames and views (the edge
    /// catches up later); the edge refuses commands.
    Congested,
    /// No link is up (edge) or the link is closed.
    Closed,
}

/// How and why a link ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClosed {
    /// The close code, if one was given (a lost connection has none).
    pub code: Option<u8>,
    /// Detail for logs.
    pub reason: String,
    /// Whether the peer (or its transport) ended it, rather than this side.
    pub by_peer: bool,
}

impl LinkClosed {
    /// The metric label: the close code's, `transport` when the connection was lost without
    /// one, `unknown` for a code this version does not know.
    pub fn label(&self) -> &'static str {
        match self.code {
            None => "transport",
            Some(c) => CloseCode::from_u8(c).map_or("unknown", CloseCode::label),
        }
    }
}

/// Counters of one side of the link (monotonic).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounters {
    /// Frames read and decoded.
    pub frames_in: u64,
    /// Bytes of those frames, with their length prefix.
    pub bytes_in: u64,
    /// Frames queued for sending.
    pub frames_out: u64,
    /// Bytes of those frames, with their length prefix.
    pub bytes_out: u64,
    /// Frames naming a session this side does not know (dropped).
    pub unknown_session: u64,
    /// Frames this side would not queue because the queue was full (commands and joins at
    /// the edge; frames that shed the link at the region).
    pub refused: u64,
    /// Edge: leaves that found the queue full and were sent once it drained.
    pub leaves_deferred: u64,
    /// Edge: sessions announced again on a new link.
    pub reannounced: u64,
    /// Region: entity or client frames split because one frame would exceed the limit.
    pub split: u64,
    /// The most frames queued for the driver at once, over the life of the state machine
    /// (high-water mark of `queued()`).
    pub queued_frames_peak: u64,
    /// The most bytes queued for the driver at once (high-water mark of `queued()`): at most
    /// the queue's `max_bytes` plus one frame (the edge's re-announced joins excepted, which
    /// are queued whatever the limits).
    pub queued_bytes_peak: u64,
}
