//! Paths, statistics, a seeded generator and event filters shared by the scenarios.

use starlane_netcore::proto::conn::CloseCause;
use starlane_netcore::proto::emulator::{DuplexConfig, ImpairmentConfig};
use starlane_netcore::proto::endpoint::EndpointEvent;
use starlane_netcore::proto::packet::PacketType;
use std::net::SocketAddr;
use std::time::Duration;

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

/// A direction that loses everything.
pub fn black_hole() -> ImpairmentConfig {
    ImpairmentConfig {
        loss: 1.0,
        ..ImpairmentConfig::default()
    }
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

/// SplitMix64: a tiny seeded generator, so every scenario is reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The reliable messages in an event log, in order (from any peer).
pub fn messages(events: &[(Duration, EndpointEvent)]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            EndpointEvent::Message { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

/// The reliable messages from `peer` in an event log, in order.
pub fn messages_from(events: &[(Duration, EndpointEvent)], peer: SocketAddr) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            EndpointEvent::Message { peer: p, bytes } if *p == peer => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

/// The unreliable datagrams in an event log.
pub fn datagrams(events: &[(Duration, EndpointEvent)]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            EndpointEvent::Datagram { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

/// When and why the connection with `peer` closed, for every close in the log.
pub fn closes(
    events: &[(Duration, EndpointEvent)],
    peer: SocketAddr,
) -> Vec<(Duration, CloseCause)> {
    events
        .iter()
        .filter_map(|(at, e)| match e {
            EndpointEvent::Closed { peer: p, cause } if *p == peer => Some((*at, *cause)),
            _ => None,
        })
        .collect()
}

/// Number of `Connected` events in a log.
pub fn connects(events: &[(Duration, EndpointEvent)]) -> usize {
    events
        .iter()
        .filter(|(_, e)| matches!(e, EndpointEvent::Connected { .. }))
        .count()
}

/// When the first `Connected` event happened.
pub fn connected_at(events: &[(Duration, EndpointEvent)]) -> Option<Duration> {
    events
        .iter()
        .find(|(_, e)| matches!(e, EndpointEvent::Connected { .. }))
        .map(|(at, _)| *at)
}

/// The datagrams of one packet type.
pub fn of_type(datagrams: &[Vec<u8>], kind: PacketType) -> Vec<Vec<u8>> {
    datagrams
        .iter()
        .filter(|d| d.first() == Some(&(kind as u8)))
        .cloned()
        .collect()
}

/// What each drop counter gained from `before` to `after`.
pub fn drops_gained(
    before: starlane_netcore::proto::drops::DropCounters,
    after: starlane_netcore::proto::drops::DropCounters,
) -> starlane_netcore::proto::drops::DropCounters {
    let mut gained = starlane_netcore::proto::drops::DropCounters::default();
    for r in starlane_netcore::proto::drops::DropReason::ALL {
        for _ in 0..after.get(*r).saturating_sub(before.get(*r)) {
            gained.record(*r);
        }
    }
    gained
}
