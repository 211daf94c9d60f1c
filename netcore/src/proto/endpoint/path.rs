//! Roaming (server role): a connection follows its client to a new address once that address
//! proves it receives (`netcore/SPEC.md`, "Roaming").
//!
//! Packets to the server carry the connection ID it chose, so a packet from an address the
//! connection does not use still finds its connection. If it authenticates and is the newest
//! the client sent (its counter raised the highest seen; a replayed or reordered copy never
//! does), the server probes the address: a PATH_CHALLENGE with a random token, answered by a
//! PATH_RESPONSE that must come back *from that address*. Only then does the connection move.
//! Until then everything else still goes to the old address, and what the server sends to the
//! probed one never adds up to more bytes than it received from it (anti-amplification).

use super::{Endpoint, EndpointEvent};
use crate::proto::conn::body::CHANNEL_LEN;
use crate::proto::conn::frame::PATH_LEN;
use crate::proto::packet::SESSION_OVERHEAD;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Bytes of a challenge packet: a session packet to the client with one PATH_CHALLENGE.
pub const CHALLENGE_PACKET_LEN: usize = SESSION_OVERHEAD + CHANNEL_LEN + PATH_LEN;
/// Challenges sent to one address before the probe gives up.
pub const MAX_CHALLENGES: u32 = 3;
/// Resend a challenge after this long without an answer when no RTT is known yet.
const FIRST_PROBE_WAIT: Duration = Duration::from_millis(250);
/// Bounds of the wait between challenges (three smoothed RTTs).
const PROBE_WAIT_MIN: Duration = Duration::from_millis(20);
const PROBE_WAIT_MAX: Duration = Duration::from_secs(1);
/// Close code of a connection whose address another connection proved to hold: its client
/// cannot receive there any more (its NAT handed the address on).
pub const PATH_TAKEN: u8 = 247;

/// A new address being validated.
#[derive(Debug, Clone)]
pub(super) struct Probe {
    pub addr: SocketAddr,
    token: u64,
    /// Bytes received from the address for this connection, and sent to it.
    received: usize,
    sent: usize,
    challenges: u32,
    /// When the next challenge may go (or, after the last, when the probe gives up).
    next: Instant,
}

impl Probe {
    /// When the probe needs the endpoint next: a resend or giving up (none before the first
    /// challenge went, which waits for the address to send enough bytes).
    pub fn deadline(&self) -> Option<Instant> {
        (self.challenges > 0).then_some(self.next)
    }
}

/// What roaming did, since the endpoint started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathCounters {
    /// New addresses probed.
    pub probes: u64,
    /// Challenge packets sent.
    pub challenges: u64,
    /// Challenges held back because the address had not sent enough bytes yet.
    pub amplification_limited: u64,
    /// Connections moved to a validated address.
    pub migrations: u64,
    /// Probes that gave up unanswered (a spoofed or replayed source, or a client gone).
    pub failed: u64,
}

impl Endpoint {
    /// Roaming counters.
    pub fn paths(&self) -> PathCounters {
        self.paths
    }

    /// The new address being validated for the connection at `peer`, if any.
    pub fn probing(&self, peer: SocketAddr) -> Option<SocketAddr> {
        self.peers.get(&peer)?.probe.as_ref().map(|p| p.addr)
    }

    /// An authenticated packet of the connection at `current` came from `from` instead
    /// (`newest`: its counter is the highest the client has used).
    pub(super) fn on_other_path(
        &mut self,
        now: Instant,
        current: SocketAddr,
        from: SocketAddr,
        len: usize,
        newest: bool,
    ) {
        let entropy = self.config.entropy.clone();
        let Some(p) = self.peers.get_mut(&current) else {
            return;
        };
        match &mut p.probe {
            Some(probe) if probe.addr == from => probe.received += len,
            _ if newest => {
                p.probe = Some(Box::new(Probe {
                    addr: from,
                    token: u64::from_le_bytes(entropy.array()),
                    received: len,
                    sent: 0,
                    challenges: 0,
                    next: now,
                }));
                self.paths.probes += 1;
            }
            _ => return,
        }
        self.probe_step(now, current);
    }

    /// Send the probe's challenge if one is due and the address's bytes allow it; give up
    /// after the last one went unanswered.
    pub(super) fn probe_step(&mut self, now: Instant, current: SocketAddr) {
        let Some(p) = self.peers.get_mut(&current) else {
            return;
        };
        let Some(probe) = p.probe.as_mut() else {
            return;
        };
        if now < probe.next {
            return;
        }
        let allowed = probe.sent + CHALLENGE_PACKET_LEN <= probe.received;
        if !allowed {
            // No answer larger than what the address sent.
            self.paths.amplification_limited += 1;
        }
        if probe.challenges >= MAX_CHALLENGES || (!allowed && probe.challenges > 0) {
            // Unanswered, and nothing more may go: give up (a new packet from the address
            // starts a new probe if it is the client's newest).
            p.probe = None;
            self.paths.failed += 1;
            return;
        }
        if !allowed {
            // The first challenge waits for the address to send enough bytes (no deadline).
            return;
        }
        let Some(packet) = p.conn.seal_path_challenge(probe.token) else {
            return;
        };
        debug_assert_eq!(packet.len(), CHALLENGE_PACKET_LEN);
        probe.sent += packet.len();
        probe.challenges += 1;
        let wait = p.conn.stats().srtt.map_or(FIRST_PROBE_WAIT, |srtt| {
            (srtt * 3).clamp(PROBE_WAIT_MIN, PROBE_WAIT_MAX)
        });
        probe.next = now + wait;
        self.paths.challenges += 1;
        self.handshake_out.push_back((probe.addr, packet));
    }

    /// Match the PATH_RESPONSE frames of the packet just handled (from `from`) against the
    /// probe; a match moves the connection. Returns where the connection now is.
    pub(super) fn check_path_responses(
        &mut self,
        now: Instant,
        current: SocketAddr,
        from: SocketAddr,
    ) -> SocketAddr {
        let Some(p) = self.peers.get_mut(&current) else {
            return current;
        };
        let mut validated = false;
        while let Some(token) = p.conn.take_path_response() {
            validated |= p
                .probe
                .as_ref()
                .is_some_and(|probe| probe.token == token && probe.addr == from);
        }
        if !validated {
            return current;
        }
        self.migrate(now, current, from);
        from
    }

    /// Move the connection at `old` to `new`, which it proved to hold.
    fn migrate(&mut self, now: Instant, old: SocketAddr, new: SocketAddr) {
        if let Some(other) = self.peers.get_mut(&new) {
            // Its client cannot be there any more: this connection's client receives there.
            other.conn.close_now(PATH_TAKEN);
            self.after_conn(now, new);
        }
        let Some(mut p) = self.peers.remove(&old) else {
            return;
        };
        p.probe = None;
        p.conn.on_path_changed(new);
        if !p.init.is_empty() {
            // Its init, replayed from the old address while its cookie lives, must not open a
            // second connection there.
            let expiry = now + self.config.cookie_rotate_every * 2;
            self.closed_inits
                .insert(super::handshake::nonce_of_init(&p.init), expiry);
        }
        self.timers.set(old, None);
        self.active_set.remove(&old);
        if let Some(cid) = p.cid {
            self.cids.insert(cid, new);
        }
        self.timers.set(new, p.deadline());
        self.peers.insert(new, p);
        self.mark_active(new);
        self.paths.migrations += 1;
        self.events
            .push_back(EndpointEvent::Migrated { from: old, to: new });
    }
}

// A challenge fits in the answer to the smallest client packet with a frame (header with the
// connection ID, channel byte, one ACK, tag), and the close code is the transport's own.
const _: () = assert!(
    CHALLENGE_PACKET_LEN
        <= crate::proto::packet::SESSION_HEADER_CID_LEN
            + CHANNEL_LEN
            + crate::proto::conn::frame::ACK_LEN
            + crate::proto::packet::TAG_LEN
);
const _: () =
    assert!(PATH_TAKEN > 240 && PATH_TAKEN < crate::proto::conn::codes::PROTOCOL_VIOLATION);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_packet_is_35_bytes() {
        assert_eq!(CHALLENGE_PACKET_LEN, 35);
    }
}
