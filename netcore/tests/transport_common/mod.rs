//! Simulated-time harness for the encrypted-UDP scenarios: a server and clients as sans-IO
//! endpoints, each client's path impaired by the seeded emulator both ways. No sockets, no
//! sleeping; time only moves when the harness moves it.

#![allow(dead_code)]

use starlane_netcore::emulator::{DuplexConfig, Emulator, ImpairmentConfig};
use starlane_netcore::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::handshake::generate_keypair;
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

/// One client: its endpoint, its path, what it received.
pub struct Client {
    pub addr: SocketAddr,
    pub endpoint: Endpoint,
    pub up: Emulator,
    pub down: Emulator,
    pub events: Vec<(Duration, EndpointEvent)>,
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
}

impl Net {
    /// A server with a fresh key and no clients.
    pub fn new(config: EndpointConfig) -> Net {
        let (private, public) = generate_keypair();
        let base = Instant::now();
        Net {
            base,
            now: base,
            server: Endpoint::server(private, config),
            server_public: public,
            server_events: Vec::new(),
            clients: Vec::new(),
            config,
        }
    }

    /// Add a client that starts its handshake now; returns its index.
    pub fn add_client(&mut self, path: DuplexConfig) -> usize {
        let i = self.clients.len();
        let endpoint = Endpoint::client(self.now, server_addr(), self.server_public, self.config)
            .expect("valid server key");
        self.clients.push(Client {
            addr: client_addr(i),
            endpoint,
            up: Emulator::new(path.up).expect("valid impairment"),
            down: Emulator::new(path.down).expect("valid impairment"),
            events: Vec::new(),
        });
        i
    }

    /// Offset of `now` from the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.base
    }

    /// Move every queued datagram into the paths and every event into the logs.
    fn pump(&mut self) {
        let now = self.now;
        let at = now - self.base;
        while let Some((to, d)) = self.server.poll_transmit(now) {
            if let Some(c) = self.clients.iter_mut().find(|c| c.addr == to) {
                c.down.send(now, d);
            }
        }
        while let Some(ev) = self.server.poll_event() {
            self.server_events.push((at, ev));
        }
        for c in &mut self.clients {
            while let Some((_, d)) = c.endpoint.poll_transmit(now) {
                c.up.send(now, d);
            }
            while let Some(ev) = c.endpoint.poll_event() {
                c.events.push((at, ev));
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let mut next = self.server.poll_timeout();
        for c in &self.clients {
            for t in [
                c.endpoint.poll_timeout(),
                c.up.poll_timeout(),
                c.down.poll_timeout(),
            ] {
                next = match (next, t) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        next
    }

    /// Run until `until` (an offset from the start).
    pub fn run_until(&mut self, until: Duration) {
        let until = self.base + until;
        let mut spins = 0u32;
        loop {
            self.pump();
            let next = self.next_deadline().filter(|t| *t <= until);
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
        for c in &mut self.clients {
            while let Some(d) = c.up.poll_deliver(now) {
                self.server.handle_datagram(now, c.addr, &d);
            }
            while let Some(d) = c.down.poll_deliver(now) {
                c.endpoint.handle_datagram(now, server_addr(), &d);
            }
            c.endpoint.handle_timeout(now);
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
}

/// A path with the same impairment both ways.
pub fn path(cfg: ImpairmentConfig) -> DuplexConfig {
    DuplexConfig::symmetric(cfg)
}

/// A clean path with `one_way_ms` latency.
pub fn clean(one_way_ms: f64) -> DuplexConfig {
    path(ImpairmentConfig {
        latency_ms: one_way_ms,
        ..ImpairmentConfig::default()
    })
}

/// The p-th percentile (0..=100) of `values` (sorted in place).
pub fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort();
    if values.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[rank.min(values.len() - 1)]
}
