//! Simulated-time harness for the encrypted-UDP scenarios: a server and clients as sans-IO
//! endpoints, each client's path impaired by the seeded emulator both ways. No sockets, no
//! sleeping; time only moves when the harness moves it.
//!
//! The loop is event driven: only clients with something due (a timer, a datagram arriving,
//! a datagram queued for them) are touched, so a thousand clients cost little more than one.
//! Each direction of a client's path has a [`Tap`] that can record what enters it or hold it
//! back (the datagrams stay in [`Client::seen_up`] / [`Client::seen_down`] for the test to
//! replay, tamper with or deliver). Server datagrams to addresses that are not clients (answers
//! to spoofed sources) are kept in [`Net::unrouted`].

#![allow(dead_code)]

mod util;

pub use util::*;

use starlane_netcore::proto::emulator::{DuplexConfig, Emulator};
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::generate_keypair_with;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The server's address in every scenario.
pub fn server_addr() -> SocketAddr {
    "10.0.0.1:4434".parse().expect("literal address")
}

/// The address of client `i`.
pub fn client_addr(i: usize) -> SocketAddr {
    let ip = std::net::Ipv4Addr::from(0x0a01_0000u32 + i as u32);
    SocketAddr::from((ip, 40_000 + (i % 20_000) as u16))
}

/// What happens to datagrams entering one direction of a client's path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tap {
    /// Into the path, unseen.
    #[default]
    Pass,
    /// Into the path, and a copy kept.
    Record,
    /// Kept instead of sent: the path never sees them.
    Hold,
}

/// One client: its endpoint, its path, what it received.
pub struct Client {
    pub addr: SocketAddr,
    pub endpoint: Endpoint,
    pub up: Emulator,
    pub down: Emulator,
    pub events: Vec<(Duration, EndpointEvent)>,
    /// Client-to-server datagrams, before the path.
    pub tap_up: Tap,
    pub seen_up: Vec<Vec<u8>>,
    /// Server-to-client datagrams, before the path.
    pub tap_down: Tap,
    pub seen_down: Vec<Vec<u8>>,
}

fn tap(mode: Tap, seen: &mut Vec<Vec<u8>>, path: &mut Emulator, now: Instant, d: Vec<u8>) {
    match mode {
        Tap::Pass => path.send(now, d),
        Tap::Record => {
            seen.push(d.clone());
            path.send(now, d);
        }
        Tap::Hold => seen.push(d),
    }
}

/// A server and its clients in simulated time.
pub struct Net {
    pub base: Instant,
    pub now: Instant,
    pub server: Endpoint,
    pub server_public: [u8; 32],
    pub server_events: Vec<(Duration, EndpointEvent)>,
    pub clients: Vec<Client>,
    pub config: EndpointConfig,
    /// Server datagrams to addresses that are not clients, in order.
    pub unrouted: Vec<(SocketAddr, Vec<u8>)>,
    index: HashMap<SocketAddr, usize>,
    /// Per client: its scheduled deadline; the heap holds them (stale entries are skipped).
    due: Vec<Option<Instant>>,
    heap: BinaryHeap<Reverse<(Instant, usize)>>,
    dirty: Vec<usize>,
    is_dirty: Vec<bool>,
}

impl Net {
    /// A server with a fresh key and no clients. The server's key and randomness come from
    /// seed 0 and client `i`'s from seed `1 + i` (see [`add_client`](Self::add_client)), so
    /// a scenario runs the same every time.
    pub fn new(config: EndpointConfig) -> Net {
        let entropy = EntropySource::seeded(0);
        let (private, public) = generate_keypair_with(&entropy);
        let base = Instant::now();
        let server_config = EndpointConfig {
            entropy,
            ..config.clone()
        };
        Net {
            base,
            now: base,
            server: Endpoint::server(private, server_config),
            server_public: public,
            server_events: Vec::new(),
            clients: Vec::new(),
            config,
            unrouted: Vec::new(),
            index: HashMap::new(),
            due: Vec::new(),
            heap: BinaryHeap::new(),
            dirty: Vec::new(),
            is_dirty: Vec::new(),
        }
    }

    /// Add a client that starts its handshake now, with the harness's settings and entropy
    /// seeded `1 + index`; returns its index.
    pub fn add_client(&mut self, path: DuplexConfig) -> usize {
        let config = EndpointConfig {
            entropy: EntropySource::seeded(1 + self.clients.len() as u64),
            ..self.config.clone()
        };
        self.add_client_with(path, config)
    }

    /// [`add_client`](Self::add_client) with the client's own endpoint settings.
    pub fn add_client_with(&mut self, path: DuplexConfig, config: EndpointConfig) -> usize {
        let i = self.clients.len();
        let endpoint = Endpoint::client(self.now, server_addr(), self.server_public, config)
            .expect("valid server key");
        let addr = client_addr(i);
        self.clients.push(Client {
            addr,
            endpoint,
            up: Emulator::new(path.up).expect("valid impairment"),
            down: Emulator::new(path.down).expect("valid impairment"),
            events: Vec::new(),
            tap_up: Tap::Pass,
            seen_up: Vec::new(),
            tap_down: Tap::Pass,
            seen_down: Vec::new(),
        });
        self.index.insert(addr, i);
        self.due.push(None);
        self.is_dirty.push(false);
        i
    }

    /// Client `i`'s address changes to `to` now (a NAT rebinding, or a phone on another
    /// network): its datagrams come from `to`, and datagrams to its old address reach nobody.
    pub fn rebind(&mut self, i: usize, to: SocketAddr) {
        let old = std::mem::replace(&mut self.clients[i].addr, to);
        self.index.remove(&old);
        self.index.insert(to, i);
    }

    /// Offset of `now` from the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.base
    }

    fn touch(&mut self, i: usize) {
        if !self.is_dirty[i] {
            self.is_dirty[i] = true;
            self.dirty.push(i);
        }
    }

    /// Move queued datagrams into the paths and events into the logs, then reschedule the
    /// clients that were touched.
    fn pump(&mut self) {
        let now = self.now;
        let at = now - self.base;
        while let Some((to, d)) = self.server.poll_transmit(now) {
            match self.index.get(&to).copied() {
                Some(i) => {
                    let c = &mut self.clients[i];
                    tap(c.tap_down, &mut c.seen_down, &mut c.down, now, d);
                    self.touch(i);
                }
                None => self.unrouted.push((to, d)),
            }
        }
        while let Some(ev) = self.server.poll_event() {
            self.server_events.push((at, ev));
        }
        for i in std::mem::take(&mut self.dirty) {
            self.is_dirty[i] = false;
            let c = &mut self.clients[i];
            while let Some((_, d)) = c.endpoint.poll_transmit(now) {
                tap(c.tap_up, &mut c.seen_up, &mut c.up, now, d);
            }
            while let Some(ev) = c.endpoint.poll_event() {
                c.events.push((at, ev));
            }
            let next = [
                c.endpoint.poll_timeout(),
                c.up.poll_timeout(),
                c.down.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            if next != self.due[i] {
                self.due[i] = next;
                if let Some(t) = next {
                    self.heap.push(Reverse((t, i)));
                }
            }
        }
    }

    /// The earliest scheduled client deadline (stale heap entries dropped on the way).
    fn next_client_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((t, i))) = self.heap.peek().copied() {
            if self.due[i] == Some(t) {
                return Some(t);
            }
            self.heap.pop();
        }
        None
    }

    /// Run until `until` (an offset from the start).
    pub fn run_until(&mut self, until: Duration) {
        let until = self.base + until;
        // The test may have poked any client since the last run.
        for i in 0..self.clients.len() {
            self.touch(i);
        }
        let mut spins = 0u32;
        loop {
            self.pump();
            let next = [self.server.poll_timeout(), self.next_client_deadline()]
                .into_iter()
                .flatten()
                .min()
                .filter(|t| *t <= until);
            let Some(next) = next else {
                self.now = self.now.max(until);
                self.step();
                self.pump();
                return;
            };
            if next <= self.now {
                spins += 1;
                assert!(spins < 100_000, "simulation stuck at {:?}", self.elapsed());
            } else {
                spins = 0;
            }
            self.now = self.now.max(next);
            self.step();
        }
    }

    /// Deliver what is due and fire due timers.
    fn step(&mut self) {
        let now = self.now;
        while let Some(Reverse((t, i))) = self.heap.peek().copied() {
            if t > now {
                break;
            }
            self.heap.pop();
            if self.due[i] != Some(t) {
                continue;
            }
            self.due[i] = None;
            let c = &mut self.clients[i];
            while let Some(d) = c.up.poll_deliver(now) {
                self.server.handle_datagram(now, c.addr, &d);
            }
            while let Some(d) = c.down.poll_deliver(now) {
                c.endpoint.handle_datagram(now, server_addr(), &d);
            }
            c.endpoint.handle_timeout(now);
            self.touch(i);
        }
        self.server.handle_timeout(now);
    }

    /// Run for `d` more.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.elapsed() + d;
        self.run_until(until);
    }

    /// Whether client `i` has its connection.
    pub fn connected(&self, i: usize) -> bool {
        self.clients[i].endpoint.is_connected(server_addr())
    }

    /// Client `i` sends a reliable message to the server now.
    pub fn client_sends(&mut self, i: usize, msg: &[u8]) {
        let now = self.now;
        self.clients[i]
            .endpoint
            .send_reliable(now, server_addr(), msg)
            .expect("client connection open");
    }

    /// The server sends a reliable message to client `i` now.
    pub fn server_sends(&mut self, i: usize, msg: &[u8]) {
        let (now, to) = (self.now, self.clients[i].addr);
        self.server
            .send_reliable(now, to, msg)
            .expect("server connection open");
    }
}
