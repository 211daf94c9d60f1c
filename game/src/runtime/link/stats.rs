//! [`LinkStats`]: counters of every edge link of the region (monotonic).

use starlane_netcore::proto::link::{LinkClosed, LinkCounters};
use starlane_protocol::link::CloseCode;
use std::sync::atomic::{AtomicU64, Ordering};

/// Link counters of the region (monotonic).
#[derive(Debug, Default)]
pub struct LinkStats {
    /// Connections that completed the hello.
    pub links_opened: AtomicU64,
    /// Frames received and decoded.
    pub frames_in: AtomicU64,
    /// Frames queued for sending.
    pub frames_out: AtomicU64,
    /// Bytes received in frames (with the 4-byte length prefix).
    pub bytes_in: AtomicU64,
    /// Bytes queued for sending (with the 4-byte length prefix).
    pub bytes_out: AtomicU64,
    /// Links closed for a frame that did not decode.
    pub malformed: AtomicU64,
    /// Links closed for an oversized frame.
    pub oversized: AtomicU64,
    /// Links closed for a missing, late or repeated hello, a frame out of place, or no common
    /// version.
    pub bad_hello: AtomicU64,
    /// Links shed because the edge did not read its frames (closed `Slow`).
    pub slow: AtomicU64,
    /// Sessions an edge announced again after a lost link (`Rejoin`).
    pub rejoins: AtomicU64,
    /// Link events that found the tick's input queue full and waited (the link stopped
    /// reading meanwhile).
    pub tick_queue_waits: AtomicU64,
    /// Joins and leaves that found the database queue full and waited.
    pub db_queue_waits: AtomicU64,
    /// The most bytes one link's outgoing queue held after a tick queued its frames (a gauge
    /// of the high-water mark; bounded by `link_queue_bytes`).
    pub queued_bytes_peak: AtomicU64,
}

/// A copy of [`LinkStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStatsSnapshot {
    pub links_opened: u64,
    pub frames_in: u64,
    pub frames_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub malformed: u64,
    pub oversized: u64,
    pub bad_hello: u64,
    pub slow: u64,
    pub rejoins: u64,
    pub tick_queue_waits: u64,
    pub db_queue_waits: u64,
    pub queued_bytes_peak: u64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl LinkStats {
    /// Read all counters.
    pub fn snapshot(&self) -> LinkStatsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LinkStatsSnapshot {
            links_opened: g(&self.links_opened),
            frames_in: g(&self.frames_in),
            frames_out: g(&self.frames_out),
            bytes_in: g(&self.bytes_in),
            bytes_out: g(&self.bytes_out),
            malformed: g(&self.malformed),
            oversized: g(&self.oversized),
            bad_hello: g(&self.bad_hello),
            slow: g(&self.slow),
            rejoins: g(&self.rejoins),
            tick_queue_waits: g(&self.tick_queue_waits),
            db_queue_waits: g(&self.db_queue_waits),
            queued_bytes_peak: g(&self.queued_bytes_peak),
        }
    }

    /// Raise the queue high-water mark to `bytes` if it is higher.
    pub(crate) fn queued(&self, bytes: usize) {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        self.queued_bytes_peak.fetch_max(bytes, Ordering::Relaxed);
    }

    pub(crate) fn opened(&self) {
        bump(&self.links_opened);
    }

    pub(crate) fn joined(&self, rejoin: bool) {
        if rejoin {
            bump(&self.rejoins);
        }
    }

    /// Count a link that ended by the close code this side gave (peer and transport closes
    /// are not errors of the link).
    pub(crate) fn count_close(&self, closed: &LinkClosed) {
        if closed.by_peer {
            return;
        }
        let counter = match closed.code.and_then(CloseCode::from_u8) {
            Some(CloseCode::Malformed) => &self.malformed,
            Some(CloseCode::Oversized) => &self.oversized,
            Some(CloseCode::Protocol | CloseCode::Version | CloseCode::HelloTimeout) => {
                &self.bad_hello
            }
            Some(CloseCode::Slow) => &self.slow,
            _ => return,
        };
        bump(counter);
    }
}

/// The part of a link's counters already added to [`LinkStats`], on one side (the driver
/// adds what it read, the tick what it sent).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Reads {
    frames: u64,
    bytes: u64,
}

impl Reads {
    /// Add what `now` read since the last call.
    pub fn publish(&mut self, stats: &LinkStats, now: LinkCounters) {
        stats
            .frames_in
            .fetch_add(now.frames_in - self.frames, Ordering::Relaxed);
        stats
            .bytes_in
            .fetch_add(now.bytes_in - self.bytes, Ordering::Relaxed);
        self.frames = now.frames_in;
        self.bytes = now.bytes_in;
    }
}

/// [`Reads`] for what the tick sent.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Writes {
    frames: u64,
    bytes: u64,
}

impl Writes {
    /// Add what `now` sent since the last call.
    pub fn publish(&mut self, stats: &LinkStats, now: LinkCounters) {
        stats
            .frames_out
            .fetch_add(now.frames_out - self.frames, Ordering::Relaxed);
        stats
            .bytes_out
            .fetch_add(now.bytes_out - self.bytes, Ordering::Relaxed);
        self.frames = now.frames_out;
        self.bytes = now.bytes_out;
    }
}
