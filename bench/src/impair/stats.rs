//! Counters of the impairment proxy, shared between its loop and its owner.

use starlane_netcore::proto::emulator::EmulatorStats;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Emulator counters of one direction, summed over every client.
#[derive(Debug, Default)]
pub(crate) struct DirectionCounters {
    sent: AtomicU64,
    delivered: AtomicU64,
    lost: AtomicU64,
    duplicated: AtomicU64,
    reordered: AtomicU64,
    dropped_queue: AtomicU64,
    dropped_mtu: AtomicU64,
}

impl DirectionCounters {
    pub fn add(&self, delta: &EmulatorStats) {
        let add = |counter: &AtomicU64, value: u64| {
            if value > 0 {
                counter.fetch_add(value, Ordering::Relaxed);
            }
        };
        add(&self.sent, delta.sent);
        add(&self.delivered, delta.delivered);
        add(&self.lost, delta.lost);
        add(&self.duplicated, delta.duplicated);
        add(&self.reordered, delta.reordered);
        add(&self.dropped_queue, delta.dropped_queue);
        add(&self.dropped_mtu, delta.dropped_mtu);
    }

    pub fn snapshot(&self) -> EmulatorStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        EmulatorStats {
            sent: get(&self.sent),
            delivered: get(&self.delivered),
            lost: get(&self.lost),
            duplicated: get(&self.duplicated),
            reordered: get(&self.reordered),
            dropped_queue: get(&self.dropped_queue),
            dropped_mtu: get(&self.dropped_mtu),
        }
    }
}

/// Everything the proxy counts.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub up: DirectionCounters,
    pub down: DirectionCounters,
    pub clients_active: AtomicU64,
    pub clients_total: AtomicU64,
    pub clients_rejected: AtomicU64,
    pub clients_expired: AtomicU64,
    pub socket_errors: AtomicU64,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> ProxyStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ProxyStats {
            up: self.up.snapshot(),
            down: self.down.snapshot(),
            clients_active: get(&self.clients_active),
            clients_total: get(&self.clients_total),
            clients_rejected: get(&self.clients_rejected),
            clients_expired: get(&self.clients_expired),
            socket_errors: get(&self.socket_errors),
        }
    }
}

/// A snapshot of the proxy's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProxyStats {
    /// Client to server, summed over clients.
    pub up: EmulatorStats,
    /// Server to client, summed over clients.
    pub down: EmulatorStats,
    /// Client addresses with an upstream socket now.
    pub clients_active: u64,
    /// Client addresses seen since the start.
    pub clients_total: u64,
    /// Datagrams from new client addresses refused because the client limit was reached.
    pub clients_rejected: u64,
    /// Clients forgotten after being idle.
    pub clients_expired: u64,
    /// Failed socket operations (a datagram that could not be read, forwarded or given a socket).
    pub socket_errors: u64,
}

fn direction(f: &mut fmt::Formatter<'_>, name: &str, s: &EmulatorStats) -> fmt::Result {
    write!(
        f,
        "{name}: sent {} delivered {} lost {} dup {} reordered {} queue-drop {} mtu-drop {}",
        s.sent, s.delivered, s.lost, s.duplicated, s.reordered, s.dropped_queue, s.dropped_mtu
    )
}

impl fmt::Display for ProxyStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "clients: active {} total {} rejected {} expired {}; socket errors {}",
            self.clients_active,
            self.clients_total,
            self.clients_rejected,
            self.clients_expired,
            self.socket_errors
        )?;
        direction(f, "up  ", &self.up)?;
        writeln!(f)?;
        direction(f, "down", &self.down)
    }
}
