//! Reliable, ordered messages over unreliable packets: chunks with sequence numbers,
//! selective acknowledgements, and resends on a timer derived from the measured RTT.
//!
//! The sender cuts each message into chunks ([`CHUNK_DATA`] bytes at most), numbers them, and
//! keeps every unacknowledged chunk. A chunk is sent again when its timeout (RTO, doubled per
//! resend) passes, or at once when a chunk sent after it was acknowledged and it is three
//! sequence numbers behind or older than 9/8 of the RTT (QUIC's loss rule). The receiver
//! delivers chunks in order exactly once, joins them into messages, and owes an ACK after
//! every packet with a chunk.

use super::frame::Frame;
use crate::proto::rtt::RttEstimator;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// Largest data carried by one RELIABLE frame.
pub const CHUNK_DATA: usize = 1024;
/// Chunks a side keeps in flight (and a receiver buffers ahead of the next expected one).
pub const WINDOW: u32 = 256;

/// Error queueing a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("message of {0} bytes exceeds the message limit")]
    TooLarge(usize),
    #[error("send queue is full")]
    QueueFull,
    #[error("sequence numbers are exhausted")]
    Exhausted,
}

/// Error receiving a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    /// The peer broke the protocol: a message over the message limit.
    #[error("message exceeds the message limit")]
    TooLarge,
    /// The first message passed the first-message limit with this many bytes received: it
    /// is refused (its bytes dropped, and every chunk after it), the connection stays up so
    /// the application can answer.
    #[error("first message exceeds the first-message limit ({0} bytes received)")]
    FirstTooLarge(usize),
}

#[derive(Debug)]
struct Chunk {
    last: bool,
    data: Vec<u8>,
}

#[derive(Debug)]
struct InFlight {
    chunk: Chunk,
    last_sent: Instant,
    sends: u32,
    lost: bool,
}

/// The sending half.
#[derive(Debug)]
pub struct ReliableSender {
    queue: VecDeque<(u32, Chunk)>,
    in_flight: BTreeMap<u32, InFlight>,
    next_seq: u32,
    queued_bytes: usize,
    max_message: usize,
    max_queued_bytes: usize,
    largest_acked: Option<(u32, Instant)>,
    resent: u64,
}

impl ReliableSender {
    /// A sender refusing messages over `max_message` bytes and queues over `max_queued_bytes`.
    pub fn new(max_message: usize, max_queued_bytes: usize) -> Self {
        Self {
            queue: VecDeque::new(),
            in_flight: BTreeMap::new(),
            next_seq: 0,
            queued_bytes: 0,
            max_message,
            max_queued_bytes,
            largest_acked: None,
            resent: 0,
        }
    }

    /// Queue a message.
    pub fn push(&mut self, msg: &[u8]) -> Result<(), PushError> {
        if msg.len() > self.max_message {
            return Err(PushError::TooLarge(msg.len()));
        }
        if self.queued_bytes + msg.len() > self.max_queued_bytes {
            return Err(PushError::QueueFull);
        }
        let chunks = msg.len().div_ceil(CHUNK_DATA).max(1);
        let Some(end) = self.next_seq.checked_add(chunks as u32) else {
            return Err(PushError::Exhausted);
        };
        let mut parts = msg.chunks(CHUNK_DATA).peekable();
        if msg.is_empty() {
            self.queue.push_back((
                self.next_seq,
                Chunk {
                    last: true,
                    data: Vec::new(),
                },
            ));
        }
        let mut seq = self.next_seq;
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            self.queue.push_back((
                seq,
                Chunk {
                    last,
                    data: part.to_vec(),
                },
            ));
            seq += 1;
        }
        self.next_seq = end;
        self.queued_bytes += msg.len();
        Ok(())
    }

    /// Whether nothing is queued or in flight.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_empty()
    }

    /// Chunks sent again so far.
    pub fn resent(&self) -> u64 {
        self.resent
    }

    /// Bytes of messages queued or in flight.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Take an ACK: forget acknowledged chunks, sample the RTT, detect losses.
    pub fn on_ack(&mut self, now: Instant, next: u32, sack: u64, rtt: &mut RttEstimator) {
        let mut acked: Vec<u32> = self.in_flight.range(..next).map(|(s, _)| *s).collect();
        for i in 0..64u32 {
            if sack & (1 << i) != 0
                && let Some(seq) = next.checked_add(1 + i)
                && self.in_flight.contains_key(&seq)
            {
                acked.push(seq);
            }
        }
        let mut sample: Option<Duration> = None;
        for seq in acked {
            let Some(f) = self.in_flight.remove(&seq) else {
                continue;
            };
            self.queued_bytes = self.queued_bytes.saturating_sub(f.chunk.data.len());
            // Karn: only chunks sent once give an unambiguous sample.
            if f.sends == 1 {
                let s = now.saturating_duration_since(f.last_sent);
                sample = Some(sample.map_or(s, |m| m.min(s)));
            }
            if self.largest_acked.is_none_or(|(l, _)| seq > l) {
                self.largest_acked = Some((seq, f.last_sent));
            }
        }
        if let Some(s) = sample {
            rtt.on_sample(s);
        }
        self.detect_losses(now, rtt);
    }

    fn detect_losses(&mut self, now: Instant, rtt: &RttEstimator) {
        let Some((largest, largest_sent)) = self.largest_acked else {
            return;
        };
        let threshold = rtt.srtt().unwrap_or(rtt.rto()).max(rtt.latest()) * 9 / 8;
        for (seq, f) in self.in_flight.range_mut(..largest) {
            if f.last_sent <= largest_sent
                && (largest - seq >= 3 || now.saturating_duration_since(f.last_sent) >= threshold)
            {
                f.lost = true;
            }
        }
    }

    /// Write the frames due now into `out`, at most `space` bytes: resends first, then new
    /// chunks while fewer than [`WINDOW`] are in flight. Returns whether anything was written.
    pub fn write_frames(
        &mut self,
        now: Instant,
        rtt: &RttEstimator,
        space: usize,
        out: &mut Vec<u8>,
    ) -> bool {
        let start = out.len();
        let limit = start + space;
        for (seq, f) in self.in_flight.iter_mut() {
            let due = f.lost || now >= f.last_sent + rtt.backoff(f.sends);
            if !due {
                continue;
            }
            let frame = frame_of(*seq, &f.chunk);
            if out.len() + frame.len() > limit {
                break;
            }
            out.extend_from_slice(&frame);
            f.last_sent = now;
            f.sends += 1;
            f.lost = false;
            self.resent += 1;
        }
        while let Some((seq, chunk)) = self.queue.front() {
            let base = self.in_flight.keys().next().copied().unwrap_or(*seq);
            if seq.wrapping_sub(base) >= WINDOW {
                break;
            }
            let frame = frame_of(*seq, chunk);
            if out.len() + frame.len() > limit {
                break;
            }
            out.extend_from_slice(&frame);
            let Some((seq, chunk)) = self.queue.pop_front() else {
                break;
            };
            self.in_flight.insert(
                seq,
                InFlight {
                    chunk,
                    last_sent: now,
                    sends: 1,
                    lost: false,
                },
            );
        }
        out.len() > start
    }

    /// When the earliest in-flight chunk times out, if any is in flight.
    pub fn poll_timeout(&self, rtt: &RttEstimator) -> Option<Instant> {
        self.in_flight
            .values()
            .map(|f| f.last_sent + rtt.backoff(f.sends))
            .min()
    }

    /// Mark every chunk in flight lost, so the next packets resend them (the peer's address
    /// changed: they went to the old one).
    pub fn mark_all_lost(&mut self) {
        for f in self.in_flight.values_mut() {
            f.lost = true;
        }
    }

    /// Whether a chunk is marked lost and waits to be resent now.
    pub fn has_lost(&self) -> bool {
        self.in_flight.values().any(|f| f.lost)
    }

    /// Whether new chunks wait and the window has room.
    pub fn can_send_new(&self) -> bool {
        match (self.queue.front(), self.in_flight.keys().next()) {
            (Some(_), None) => true,
            (Some((seq, _)), Some(base)) => seq.wrapping_sub(*base) < WINDOW,
            (None, _) => false,
        }
    }
}

fn frame_of(seq: u32, chunk: &Chunk) -> Vec<u8> {
    let mut v = Vec::with_capacity(super::frame::RELIABLE_HEADER_LEN + chunk.data.len());
    Frame::Reliable {
        seq,
        last: chunk.last,
        data: &chunk.data,
    }
    .encode(&mut v);
    v
}

/// The receiving half.
#[derive(Debug)]
pub struct ReliableReceiver {
    next: u32,
    buffered: BTreeMap<u32, Chunk>,
    partial: Vec<u8>,
    ready: VecDeque<Vec<u8>>,
    ack_owed: bool,
    max_message: usize,
    /// Bound of the first message, if lower than `max_message`.
    first_limit: Option<usize>,
    /// Whether the first message was completed.
    first_done: bool,
    /// The first message was refused: chunks are acknowledged and dropped.
    refused: bool,
}

impl ReliableReceiver {
    /// A receiver refusing messages over `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Self {
            next: 0,
            buffered: BTreeMap::new(),
            partial: Vec::new(),
            ready: VecDeque::new(),
            ack_owed: false,
            max_message,
            first_limit: None,
            first_done: false,
            refused: false,
        }
    }

    /// Refuse a first message longer than `limit` bytes as soon as more than `limit` of its
    /// bytes have arrived ([`ReceiveError::FirstTooLarge`]), instead of buffering it up to
    /// the message limit.
    pub fn with_first_limit(mut self, limit: Option<usize>) -> Self {
        self.first_limit = limit;
        self
    }

    /// The bound of the message being assembled.
    fn limit(&self) -> usize {
        match self.first_limit {
            Some(first) if !self.first_done => first.min(self.max_message),
            _ => self.max_message,
        }
    }

    /// Take one chunk. Duplicates and chunks beyond the window are ignored (but still
    /// acknowledged, so a sender whose ACK was lost stops resending). Once the first message
    /// was refused, chunks are still acknowledged and put in order, but their data is dropped
    /// and no message is delivered.
    pub fn on_chunk(&mut self, seq: u32, last: bool, data: &[u8]) -> Result<(), ReceiveError> {
        self.ack_owed = true;
        let ahead = seq.wrapping_sub(self.next);
        if ahead >= WINDOW || self.buffered.contains_key(&seq) {
            return Ok(());
        }
        let data = if self.refused {
            Vec::new()
        } else {
            data.to_vec()
        };
        self.buffered.insert(seq, Chunk { last, data });
        while let Some(chunk) = self.buffered.remove(&self.next) {
            self.next = self.next.wrapping_add(1);
            if self.refused {
                continue;
            }
            let len = self.partial.len() + chunk.data.len();
            if len > self.limit() {
                if self.first_done || self.first_limit.is_none() {
                    return Err(ReceiveError::TooLarge);
                }
                // Refused for good: nothing buffered is kept.
                self.refused = true;
                self.partial = Vec::new();
                for c in self.buffered.values_mut() {
                    c.data = Vec::new();
                }
                return Err(ReceiveError::FirstTooLarge(len));
            }
            self.partial.extend_from_slice(&chunk.data);
            if chunk.last {
                self.first_done = true;
                self.ready.push_back(std::mem::take(&mut self.partial));
            }
        }
        Ok(())
    }

    /// The next complete message, in order.
    pub fn poll_message(&mut self) -> Option<Vec<u8>> {
        self.ready.pop_front()
    }

    /// The ACK frame owed, if any (clears the debt).
    pub fn take_ack(&mut self) -> Option<Frame<'static>> {
        if !std::mem::take(&mut self.ack_owed) {
            return None;
        }
        let mut sack = 0u64;
        for seq in self.buffered.keys() {
            let i = seq.wrapping_sub(self.next).wrapping_sub(1);
            if i < 64 {
                sack |= 1 << i;
            }
        }
        Some(Frame::Ack {
            next: self.next,
            sack,
        })
    }

    /// Whether an ACK is owed.
    pub fn ack_owed(&self) -> bool {
        self.ack_owed
    }
}
