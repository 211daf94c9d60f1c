//! Counters of one connection.

use std::time::Duration;

/// What a connection measured so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnStats {
    /// Bytes and datagrams sent (sealed, on the wire).
    pub bytes_out: u64,
    pub packets_out: u64,
    /// Bytes and datagrams received and authenticated.
    pub bytes_in: u64,
    pub packets_in: u64,
    /// Packets this side sent that the peer reported missing (gaps below the highest counter
    /// it received, as of its latest PING).
    pub packets_lost: u64,
    /// Reliable chunks sent again.
    pub resent: u64,
    /// Smoothed RTT, once measured.
    pub srtt: Option<Duration>,
    /// RTT variation.
    pub rttvar: Duration,
    /// Bytes of reliable messages queued or in flight (not yet acknowledged); at most
    /// [`ConnConfig::max_queued_bytes`](super::ConnConfig::max_queued_bytes).
    pub reliable_queued: u64,
    /// One more than the highest packet counter received (0: none yet).
    rx_top: u64,
}

impl ConnStats {
    pub(crate) fn on_sent(&mut self, bytes: usize) {
        self.bytes_out += bytes as u64;
        self.packets_out += 1;
    }

    pub(crate) fn on_received(&mut self, bytes: usize, counter: u64) {
        self.bytes_in += bytes as u64;
        self.packets_in += 1;
        self.rx_top = self.rx_top.max(counter.saturating_add(1));
    }

    /// What a PING reports: packets received, and one more than the highest counter.
    pub(crate) fn received_counters(&self) -> (u64, u64) {
        (self.packets_in, self.rx_top)
    }

    /// The peer's report of what it received from us.
    pub(crate) fn on_peer_report(&mut self, rx_count: u64, rx_top: u64) {
        // A peer can only have received what we sent: clamp what a lying peer claims.
        let top = rx_top.min(self.packets_out);
        self.packets_lost = self.packets_lost.max(top.saturating_sub(rx_count));
    }

    /// Share of sent packets reported lost.
    pub fn loss(&self) -> f64 {
        if self.packets_out == 0 {
            0.0
        } else {
            (self.packets_lost as f64 / self.packets_out as f64).min(1.0)
        }
    }
}
