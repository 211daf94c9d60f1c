//! [`RegionLink`]: the region's side of one edge connection (LINK.md §5-§8).

use super::outbound::{Outbound, QueueLimits};
use super::reader::{close_code_of, read_frames};
use super::{Flow, LinkClosed, LinkCounters};
use starlane_protocol::link::{
    Close, CloseCode, EdgeToRegion, EntityFrame, FrameDecoder, Join, LINK_VERSION, Leave,
    MAX_LINK_FRAME, MIN_LINK_VERSION, RegionToEdge, SessionCommand, ToClient, Welcome, negotiate,
};
use std::collections::VecDeque;
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

/// Settings of the region's side of a link.
#[derive(Debug, Clone)]
pub struct RegionLinkConfig {
    /// The region's name, sent in `Welcome`.
    pub region_id: String,
    /// Random per region start, sent in `Welcome`.
    pub instance: u64,
    /// Link versions the region speaks.
    pub versions: RangeInclusive<u16>,
    /// How long an edge has to send `Hello`.
    pub hello_timeout: Duration,
    /// Largest frame accepted from the edge (at most `MAX_LINK_FRAME`).
    pub max_frame: usize,
    /// Bound of the frames waiting for the driver: at three quarters the link is congested,
    /// beyond it the link is shed (closed `Slow`).
    pub limits: QueueLimits,
}

impl Default for RegionLinkConfig {
    fn default() -> Self {
        Self {
            region_id: "region".into(),
            instance: 0,
            versions: MIN_LINK_VERSION..=LINK_VERSION,
            hello_timeout: Duration::from_secs(10),
            max_frame: MAX_LINK_FRAME,
            limits: QueueLimits {
                max_frames: 65_536,
                max_bytes: 16 << 20,
            },
        }
    }
}

/// What happened on the link, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionLinkEvent {
    /// The edge's `Hello` was accepted (`Welcome` is queued).
    Opened { edge_id: String, version: u16 },
    /// Open a session (`rejoin`: the edge announces again a session it held).
    Join { join: Join, rejoin: bool },
    /// A command of a session's player.
    Command(SessionCommand),
    /// A session ended at the edge.
    Leave(Leave),
    /// The link ended; no event follows. The driver writes what [`RegionLink::poll_transmit`]
    /// still gives (the `Close` frame) and closes the connection with
    /// [`RegionLink::close_code`].
    Closed(LinkClosed),
}

/// Why [`RegionLink::send`] did not queue a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegionSendError {
    /// The edge has not sent `Hello` yet.
    #[error("the link is not open yet")]
    NotOpen,
    /// The link is closed.
    #[error("the link is closed")]
    Closed,
    /// The frame overflowed the queue: the link was shed (closed `Slow`).
    #[error("the edge does not read its frames: link shed")]
    Shed,
    /// The frame alone exceeds the frame limit and cannot be split.
    #[error("frame exceeds the frame limit")]
    TooLarge,
    /// The link's version predates the frame's type (a `Notice` on a version-4 link): not
    /// sent, the link is unaffected.
    #[error("the link's version {version} has no frames of this type (since {since})")]
    Unsupported { version: u16, since: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    AwaitHello { deadline: Instant },
    Open { version: u16, edge_id: String },
    Closed,
}

/// The region's side of one edge connection.
#[derive(Debug)]
pub struct RegionLink {
    config: RegionLinkConfig,
    state: State,
    decoder: FrameDecoder,
    out: Outbound,
    events: VecDeque<RegionLinkEvent>,
    closed: Option<LinkClosed>,
    counters: LinkCounters,
}

impl RegionLink {
    /// A link whose connection was just accepted at `now`.
    pub fn new(now: Instant, config: RegionLinkConfig) -> Self {
        let deadline = now + config.hello_timeout;
        Self {
            decoder: FrameDecoder::new(config.max_frame),
            config,
            state: State::AwaitHello { deadline },
            out: Outbound::default(),
            events: VecDeque::new(),
            closed: None,
            counters: LinkCounters::default(),
        }
    }

    /// Take bytes read from the link's stream.
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        if self.state == State::Closed {
            return;
        }
        let (msgs, error) = read_frames(
            &mut self.decoder,
            &mut self.counters,
            bytes,
            EdgeToRegion::decode,
        );
        for msg in msgs {
            self.on_frame(now, msg);
            if self.state == State::Closed {
                return;
            }
        }
        if let Some(e) = error {
            self.close(close_code_of(&e), &e.to_string());
        }
    }

    fn on_frame(&mut self, _now: Instant, msg: EdgeToRegion) {
        let open = matches!(self.state, State::Open { .. });
        match msg {
            EdgeToRegion::Close(close) => self.peer_closed(close),
            EdgeToRegion::Hello(hello) if !open => {
                let offered = hello.min_version..=hello.max_version;
                match negotiate(offered, self.config.versions.clone()) {
                    Some(version) => {
                        let welcome = Welcome {
                            version,
                            instance: self.config.instance,
                            region_id: self.config.region_id.clone(),
                        };
                        self.push(&RegionToEdge::Welcome(welcome));
                        self.state = State::Open {
                            version,
                            edge_id: hello.edge_id.clone(),
                        };
                        self.events.push_back(RegionLinkEvent::Opened {
                            edge_id: hello.edge_id,
                            version,
                        });
                    }
                    None => {
                        let reason = format!(
                            "region speaks link versions {}..={}",
                            self.config.versions.start(),
                            self.config.versions.end()
                        );
                        self.close(CloseCode::Version, &reason);
                    }
                }
            }
            EdgeToRegion::Hello(_) => self.close(CloseCode::Protocol, "repeated hello"),
            _ if !open => self.close(CloseCode::Protocol, "expected hello"),
            EdgeToRegion::Join(join) => self.events.push_back(RegionLinkEvent::Join {
                join,
                rejoin: false,
            }),
            EdgeToRegion::Rejoin(join) => self
                .events
                .push_back(RegionLinkEvent::Join { join, rejoin: true }),
            EdgeToRegion::Command(c) => self.events.push_back(RegionLinkEvent::Command(c)),
            EdgeToRegion::Leave(l) => self.events.push_back(RegionLinkEvent::Leave(l)),
        }
    }

    fn peer_closed(&mut self, close: Close) {
        self.finish(LinkClosed {
            code: Some(close.code),
            reason: close.reason,
            by_peer: true,
        });
    }

    /// The connection ended under the link (`code`: the peer's application close code, if it
    /// closed with one).
    pub fn handle_transport_closed(&mut self, code: Option<u8>, reason: &str) {
        if self.state != State::Closed {
            self.finish(LinkClosed {
                code,
                reason: reason.to_owned(),
                by_peer: true,
            });
        }
    }

    /// Close the link if the edge has not sent `Hello` by its deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let State::AwaitHello { deadline } = self.state
            && now >= deadline
        {
            self.close(CloseCode::HelloTimeout, "no hello");
        }
    }

    /// When [`RegionLink::handle_timeout`] should be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::AwaitHello { deadline } => Some(deadline),
            _ => None,
        }
    }

    /// The next bytes to write to the stream.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_chunk()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RegionLinkEvent> {
        self.events.pop_front()
    }

    /// Queue a frame for the edge. An `Entities` or `ToClient` frame over the frame limit is
    /// split in two (recursively); a frame that overflows the queue sheds the link.
    pub fn send(&mut self, msg: RegionToEdge) -> Result<(), RegionSendError> {
        match self.state {
            State::Closed => return Err(RegionSendError::Closed),
            State::AwaitHello { .. } => return Err(RegionSendError::NotOpen),
            State::Open { version, .. } if msg.since() > version => {
                let since = msg.since();
                return Err(RegionSendError::Unsupported { version, since });
            }
            State::Open { .. } => {}
        }
        let len = self.push(&msg);
        if len > self.config.max_frame {
            self.out.unpush(len);
            self.counters.frames_out -= 1;
            self.counters.bytes_out -= len as u64;
            return self.send_split(msg);
        }
        let l = &self.config.limits;
        if self.out.frames() > l.max_frames || self.out.bytes() > l.max_bytes {
            self.counters.refused += 1;
            self.out.clear();
            self.close(CloseCode::Slow, "edge did not read its frames");
            return Err(RegionSendError::Shed);
        }
        Ok(())
    }

    fn send_split(&mut self, msg: RegionToEdge) -> Result<(), RegionSendError> {
        let (a, b) = match msg {
            RegionToEdge::Entities(f) => split_entities(f).ok_or(RegionSendError::TooLarge)?,
            RegionToEdge::ToClient(t) if t.msgs.len() > 1 => {
                let mut first = t.msgs;
                let second = first.split_off(first.len() / 2);
                let session = t.session;
                (
                    RegionToEdge::ToClient(ToClient {
                        session,
                        msgs: first,
                    }),
                    RegionToEdge::ToClient(ToClient {
                        session,
                        msgs: second,
                    }),
                )
            }
            _ => return Err(RegionSendError::TooLarge),
        };
        self.counters.split += 1;
        self.send(a)?;
        self.send(b)
    }

    /// Append `msg` as one frame; returns its length.
    fn push(&mut self, msg: &RegionToEdge) -> usize {
        let len = self.out.push(|buf| msg.encode_into(buf));
        self.counters.frames_out += 1;
        self.counters.bytes_out += len as u64;
        len
    }

    /// How new frames are treated (see [`Flow`]).
    pub fn flow(&self) -> Flow {
        self.flow_for(0, 0)
    }

    /// How a batch of `frames` frames of `bytes` bytes in all would be treated: congested
    /// from three quarters of either bound, as [`RegionLink::flow`], and also when the batch
    /// would not fit beside what is queued. A sender that produces such batches (the
    /// region's tick: one frame per session) holds its skippable frames back instead of
    /// overflowing the queue, which would shed the link. A batch counts for at most three
    /// quarters of either bound, so a link whose queue drains is always served again.
    pub fn flow_for(&self, frames: usize, bytes: usize) -> Flow {
        let l = &self.config.limits;
        let (queued_frames, queued_bytes) = (self.out.frames(), self.out.bytes());
        let frames = frames.min(l.max_frames - l.max_frames / 4);
        let bytes = bytes.min(l.max_bytes - l.max_bytes / 4);
        let fits = queued_frames.saturating_add(frames) <= l.max_frames
            && queued_bytes.saturating_add(bytes) <= l.max_bytes;
        if self.state == State::Closed {
            Flow::Closed
        } else if fits && l.below_three_quarters(queued_frames, queued_bytes) {
            Flow::Open
        } else {
            Flow::Congested
        }
    }

    /// Close the link: a `Close` frame is queued after what is already queued.
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        if self.state == State::Closed {
            return;
        }
        let close = Close::new(code, reason);
        if matches!(self.state, State::Open { .. }) || code != CloseCode::Normal {
            self.push(&RegionToEdge::Close(close.clone()));
        }
        self.finish(LinkClosed {
            code: Some(close.code),
            reason: close.reason,
            by_peer: false,
        });
    }

    fn finish(&mut self, closed: LinkClosed) {
        self.state = State::Closed;
        self.decoder.poison();
        self.closed = Some(closed.clone());
        self.events.push_back(RegionLinkEvent::Closed(closed));
    }

    /// How the link ended, once it has.
    pub fn closed(&self) -> Option<&LinkClosed> {
        self.closed.as_ref()
    }

    /// The code to close the connection with, once the link is closed.
    pub fn close_code(&self) -> Option<u8> {
        self.closed.as_ref().map(|c| c.code.unwrap_or(0))
    }

    /// Whether the link is closed.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The negotiated version and the edge's name, once `Hello` was accepted.
    pub fn peer(&self) -> Option<(u16, &str)> {
        match &self.state {
            State::Open { version, edge_id } => Some((*version, edge_id)),
            _ => None,
        }
    }

    /// Frames and bytes queued for the driver.
    pub fn queued(&self) -> (usize, usize) {
        (self.out.frames(), self.out.bytes())
    }

    /// Bytes of a partial frame held by the reader.
    pub fn read_buffered(&self) -> usize {
        self.decoder.buffered()
    }

    /// The link's counters.
    pub fn counters(&self) -> LinkCounters {
        LinkCounters {
            queued_frames_peak: self.out.peak_frames() as u64,
            queued_bytes_peak: self.out.peak_bytes() as u64,
            ..self.counters
        }
    }
}

/// Split an entity frame into a prefix and a suffix of its records (appeared, then changed,
/// then removed) that apply, in order, like the whole (only the first may reset); `None` when
/// it holds fewer than two records.
fn split_entities(f: EntityFrame) -> Option<(RegionToEdge, RegionToEdge)> {
    let records = f.appeared.len() + f.changed.len() + f.removed.len();
    if records < 2 {
        return None;
    }
    let mut mid = records / 2;
    let mut first = EntityFrame {
        tick: f.tick,
        reset: f.reset,
        ..EntityFrame::default()
    };
    let mut second = EntityFrame {
        tick: f.tick,
        reset: false,
        ..EntityFrame::default()
    };
    let (mut appeared, mut changed, mut removed) = (f.appeared, f.changed, f.removed);
    let cut = mid.min(appeared.len());
    second.appeared = appeared.split_off(cut);
    first.appeared = appeared;
    mid -= cut;
    let cut = mid.min(changed.len());
    second.changed = changed.split_off(cut);
    first.changed = changed;
    mid -= cut;
    second.removed = removed.split_off(mid.min(removed.len()));
    first.removed = removed;
    Some((
        RegionToEdge::Entities(first),
        RegionToEdge::Entities(second),
    ))
}
