//! Acknowledgements for laminar when the application sends nothing reliable back.
//!
//! laminar 0.5 acknowledges reliable packets only in the headers of the receiver's own reliable
//! packets. A peer that mostly receives (a client watching updates) would acknowledge nothing:
//! the sender would then resend packets that arrived, and drop the connection once 512 packets
//! are unacknowledged. So each side tracks its "ack debt", the reliable packets received since
//! it last sent one, and pays it with a one-byte packet on the control stream (which the
//! receiver swallows, and which never creates debt itself) when it is due.

use std::time::{Duration, Instant};

/// Pay the debt after this many reliable packets received ...
pub const ACK_EVERY: u32 = 8;
/// ... or this long after the first one, whichever comes first.
pub const ACK_DELAY: Duration = Duration::from_millis(20);

/// Reliable packets received from a peer since the last reliable packet sent to it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AckDebt {
    received: u32,
    since: Option<Instant>,
}

impl AckDebt {
    /// A reliable application packet arrived.
    pub fn on_received(&mut self, now: Instant) {
        self.received = self.received.saturating_add(1);
        self.since.get_or_insert(now);
    }

    /// A reliable packet (application or carrier) is being sent: it carries the acknowledgements.
    pub fn on_sent(&mut self) {
        *self = Self::default();
    }

    /// Whether a carrier should be sent now.
    pub fn is_due(&self, now: Instant) -> bool {
        match self.since {
            None => false,
            Some(first) => self.received >= ACK_EVERY || now.duration_since(first) >= ACK_DELAY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_after_enough_packets_or_enough_time_and_cleared_by_a_send() {
        let t0 = Instant::now();
        let mut d = AckDebt::default();
        assert!(!d.is_due(t0 + Duration::from_secs(5)), "no debt, never due");
        d.on_received(t0);
        assert!(!d.is_due(t0));
        assert!(d.is_due(t0 + ACK_DELAY));
        d.on_sent();
        for _ in 0..ACK_EVERY - 1 {
            d.on_received(t0);
        }
        assert!(!d.is_due(t0));
        d.on_received(t0);
        assert!(d.is_due(t0));
        d.on_sent();
        assert!(!d.is_due(t0 + Duration::from_secs(5)));
    }
}
