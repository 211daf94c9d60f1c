//! Simulated time for the link's state machines: an [`EdgeLink`] and a [`RegionLink`] joined
//! by two one-way pipes that stand in for the QUIC stream. Each pipe holds at most `window`
//! bytes in flight (QUIC flow control): while the receiver does not read, the pipe fills and
//! the sender's driver stops taking bytes from its core, so the core's own queue grows.
#![allow(dead_code)]

use starlane_netcore::proto::link::*;
use starlane_protocol::link::{EntityFrame, RegionToEdge, SessionCommand, SessionId};
use starlane_protocol::{Command, EntityChange, Hex};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One direction of the stream.
#[derive(Debug)]
pub struct Pipe {
    in_flight: VecDeque<(Instant, Vec<u8>)>,
    pub buffered: usize,
    pub window: usize,
    pub latency: Duration,
    /// Whether the receiving driver reads.
    pub reading: bool,
}

impl Pipe {
    pub fn new(window: usize, latency: Duration) -> Self {
        Self {
            in_flight: VecDeque::new(),
            buffered: 0,
            window,
            latency,
            reading: true,
        }
    }

    /// Whether the sending driver may write more.
    pub fn has_room(&self) -> bool {
        self.buffered < self.window
    }

    pub fn send(&mut self, now: Instant, bytes: Vec<u8>) {
        self.buffered += bytes.len();
        self.in_flight.push_back((now + self.latency, bytes));
    }

    /// The chunks that arrived by `now`, if the receiver reads.
    pub fn arrived(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while self.reading && self.in_flight.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, b)) = self.in_flight.pop_front() {
                self.buffered -= b.len();
                out.push(b);
            }
        }
        out
    }

    pub fn clear(&mut self) {
        self.in_flight.clear();
        self.buffered = 0;
    }
}

/// An edge and a region over one connection, stepped in simulated time.
#[derive(Debug)]
pub struct Net {
    pub now: Instant,
    pub edge: EdgeLink,
    pub region: RegionLink,
    pub to_region: Pipe,
    pub to_edge: Pipe,
    pub edge_events: Vec<EdgeLinkEvent>,
    pub region_events: Vec<RegionLinkEvent>,
    /// Whether the current connection is up (the drivers move bytes).
    pub connected: bool,
}

pub const STEP: Duration = Duration::from_millis(5);
pub const WINDOW: usize = 256 * 1024;
pub const LATENCY: Duration = Duration::from_millis(10);

impl Net {
    /// A connected pair with default settings (the edge has sent `Hello`).
    pub fn new() -> Self {
        Self::with(EdgeLinkConfig::default(), RegionLinkConfig::default())
    }

    pub fn with(edge: EdgeLinkConfig, region: RegionLinkConfig) -> Self {
        let now = Instant::now();
        let mut net = Self {
            now,
            edge: EdgeLink::new(edge),
            region: RegionLink::new(now, region),
            to_region: Pipe::new(WINDOW, LATENCY),
            to_edge: Pipe::new(WINDOW, LATENCY),
            edge_events: Vec::new(),
            region_events: Vec::new(),
            connected: true,
        };
        net.edge.handle_connected(now);
        net
    }

    /// A new connection to a region with `config` (the old one is gone).
    pub fn reconnect(&mut self, config: RegionLinkConfig) {
        self.to_region.clear();
        self.to_edge.clear();
        self.region = RegionLink::new(self.now, config);
        self.region_events.clear();
        self.connected = true;
        self.edge.handle_connected(self.now);
    }

    /// Lose the connection: both sides learn it from their transport.
    pub fn drop_connection(&mut self) {
        self.connected = false;
        self.to_region.clear();
        self.to_edge.clear();
        self.edge.handle_transport_closed(None, "connection lost");
        self.region.handle_transport_closed(None, "connection lost");
        self.drain_events();
    }

    /// Advance one step: drivers move bytes while their pipe has room, deliver what
    /// arrived, run timers.
    pub fn step(&mut self) {
        self.now += STEP;
        let now = self.now;
        if self.connected {
            while self.to_region.has_room() {
                let Some(b) = self.edge.poll_transmit() else {
                    break;
                };
                self.to_region.send(now, b);
            }
            while self.to_edge.has_room() {
                let Some(b) = self.region.poll_transmit() else {
                    break;
                };
                self.to_edge.send(now, b);
            }
            for b in self.to_region.arrived(now) {
                self.region.handle_bytes(now, &b);
            }
            for b in self.to_edge.arrived(now) {
                self.edge.handle_bytes(now, &b);
            }
        }
        if self.edge.poll_timeout().is_some_and(|t| t <= now) {
            self.edge.handle_timeout(now);
        }
        if self.region.poll_timeout().is_some_and(|t| t <= now) {
            self.region.handle_timeout(now);
        }
        self.drain_events();
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.edge.poll_event() {
            self.edge_events.push(e);
        }
        while let Some(e) = self.region.poll_event() {
            self.region_events.push(e);
        }
    }

    /// Step for `d` of simulated time.
    pub fn run(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            self.step();
        }
    }

    /// Step until `done` holds (at most 10 s of simulated time).
    pub fn run_until(&mut self, mut done: impl FnMut(&Net) -> bool) {
        let end = self.now + Duration::from_secs(10);
        while !done(self) {
            assert!(self.now < end, "condition not reached in 10 s");
            self.step();
        }
    }

    /// Run until the edge is up.
    pub fn up(mut self) -> Self {
        self.run_until(|n| n.edge.is_up());
        self
    }

    /// Open `sessions` (the edge joins them, the region answers `Joined`) and run until the
    /// edge has every answer.
    pub fn open_sessions(&mut self, sessions: &[SessionId]) {
        use starlane_protocol::link::{Joined, RegionToEdge};
        for &s in sessions {
            self.edge
                .join(s, player(s as i64))
                .expect("a new session joins an up link with room");
        }
        let joined = |n: &Net, s| {
            n.region_events
                .iter()
                .any(|e| matches!(e, RegionLinkEvent::Join { join, .. } if join.session == s))
        };
        self.run_until(|n| sessions.iter().all(|&s| joined(n, s)));
        for &session in sessions {
            let map = starlane_protocol::MapInfo {
                chunk_radius: 2,
                chunks: vec![Hex::new(0, 0)],
                blocked: Vec::new(),
            };
            let answer = Joined {
                catalog: Default::default(),
                session,
                empire: 1,
                tick_rate_hz: 20,
                map,
            };
            self.region
                .send(RegionToEdge::Joined(answer))
                .expect("the region's link is open");
        }
        let answered = |n: &Net, s| {
            n.edge_events
                .iter()
                .any(|e| matches!(e, EdgeLinkEvent::Joined(j) if j.session == s))
        };
        self.run_until(|n| sessions.iter().all(|&s| answered(n, s)));
    }
}

pub fn player(user_id: i64) -> starlane_protocol::link::PlayerIdentity {
    starlane_protocol::link::PlayerIdentity {
        user_id,
        username: format!("player{user_id}"),
        command_stream: 0,
    }
}

/// An `Entities` frame of tick `tick` moving 200 entities.
pub fn entities(tick: u32) -> RegionToEdge {
    RegionToEdge::Entities(EntityFrame {
        tick,
        changed: (0..200)
            .map(|id| EntityChange {
                id,
                pos: Some(Hex::new(tick as i32, id as i32)),
                health: None,
            })
            .collect(),
        ..EntityFrame::default()
    })
}

/// Session `session`'s move command number `seq`.
pub fn command(session: SessionId, seq: u32) -> SessionCommand {
    SessionCommand {
        session,
        seq,
        command: Command::Move {
            unit: seq,
            to: Hex::new(1, 2),
        },
    }
}
