//! Deadlines of many connections: a min-heap with lazy deletion. Each connection has at most
//! one live entry (its scheduled deadline); entries that no longer match are skipped.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::time::Instant;

/// Deadlines by peer.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, SocketAddr)>>,
    scheduled: HashMap<SocketAddr, Instant>,
}

impl Timers {
    /// Set `peer`'s deadline (`None`: no deadline).
    pub fn set(&mut self, peer: SocketAddr, at: Option<Instant>) {
        match at {
            Some(at) => {
                if self.scheduled.insert(peer, at) != Some(at) {
                    self.heap.push(Reverse((at, peer)));
                }
            }
            None => {
                self.scheduled.remove(&peer);
            }
        }
        // Stale entries are dropped lazily; rebuild if they pile up.
        if self.heap.len() > 4 * self.scheduled.len() + 64 {
            self.heap = self
                .scheduled
                .iter()
                .map(|(p, t)| Reverse((*t, *p)))
                .collect();
        }
    }

    /// Peers whose deadline is at or before `now` (their deadlines are cleared).
    pub fn expired(&mut self, now: Instant) -> Vec<SocketAddr> {
        let mut out = Vec::new();
        while let Some(Reverse((at, peer))) = self.heap.peek().copied() {
            if at > now {
                break;
            }
            self.heap.pop();
            if self.scheduled.get(&peer) == Some(&at) {
                self.scheduled.remove(&peer);
                out.push(peer);
            }
        }
        out
    }

    /// Peers with a deadline.
    pub fn len(&self) -> usize {
        self.scheduled.len()
    }

    /// The earliest deadline (possibly a stale one: an early wake-up is harmless).
    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn expired_returns_due_peers_once() {
        let t0 = Instant::now();
        let (a, b): (SocketAddr, SocketAddr) = (
            "1.1.1.1:1".parse().expect("literal"),
            "2.2.2.2:2".parse().expect("literal"),
        );
        let mut t = Timers::default();
        t.set(a, Some(t0 + Duration::from_millis(10)));
        t.set(a, Some(t0 + Duration::from_millis(30)));
        t.set(b, Some(t0 + Duration::from_millis(20)));
        assert_eq!(t.expired(t0 + Duration::from_millis(15)), vec![]);
        assert_eq!(t.expired(t0 + Duration::from_millis(25)), vec![b]);
        assert_eq!(t.expired(t0 + Duration::from_millis(35)), vec![a]);
        assert_eq!(t.expired(t0 + Duration::from_secs(1)), vec![]);
    }
}
