//! `[transport_queues]`: the bounds of the queues between the client drivers (encrypted UDP,
//! QUIC, WebTransport) and the sessions, netcore's `transport::QueueLimits`. Every server of
//! the edge takes the same bounds (a rotated WebTransport server too). What each queue does
//! when full, and how the defaults were sized: netcore/README.md, "Queues and limits".

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use serde::Deserialize;
use starlane_netcore::transport::QueueLimits;
use std::ops::RangeInclusive;

/// Accepted values of `events`, `outgoing` and `accept`.
const PER_LINK: RangeInclusive<usize> = 16..=65_536;
/// Accepted values of `udp_loop`.
const UDP_LOOP: RangeInclusive<usize> = 64..=1_048_576;

/// `[transport_queues]` settings; the defaults are [`QueueLimits::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransportQueuesConfig {
    /// Events (client messages) a link holds for its session (16..=65536). Full: a QUIC or
    /// WebTransport driver stops reading the connection (flow control pushes back on the
    /// client); the UDP driver closes it with 249 (slow consumer). Default 2048.
    pub events: usize,
    /// Messages a session may queue on its link for the driver (16..=65536). Full: a datagram
    /// is dropped; a reliable message closes the link with 249 (slow consumer). Default 4096.
    pub outgoing: usize,
    /// New connections each server holds for the edge (16..=65536). Full: a connection is
    /// refused with 248 (accept queue full). Default 1024.
    pub accept: usize,
    /// Messages the UDP driver's loop holds from all links at once (64..=1048576); when full,
    /// each link's own outgoing queue fills behind it. Default 8192.
    pub udp_loop: usize,
}

impl Default for TransportQueuesConfig {
    fn default() -> Self {
        let d = QueueLimits::DEFAULT;
        Self {
            events: d.events,
            outgoing: d.outgoing,
            accept: d.accept,
            udp_loop: d.udp_loop,
        }
    }
}

impl TransportQueuesConfig {
    /// The bounds handed to every client server.
    pub fn limits(&self) -> QueueLimits {
        QueueLimits {
            events: self.events,
            outgoing: self.outgoing,
            accept: self.accept,
            udp_loop: self.udp_loop,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let checks: [(&'static str, usize, &RangeInclusive<usize>, &'static str); 4] = [
            (
                "transport_queues.events",
                self.events,
                &PER_LINK,
                "use 16..=65536 events per link, e.g. 2048",
            ),
            (
                "transport_queues.outgoing",
                self.outgoing,
                &PER_LINK,
                "use 16..=65536 messages per link, e.g. 4096",
            ),
            (
                "transport_queues.accept",
                self.accept,
                &PER_LINK,
                "use 16..=65536 pending connections, e.g. 1024",
            ),
            (
                "transport_queues.udp_loop",
                self.udp_loop,
                &UDP_LOOP,
                "use 64..=1048576 messages, e.g. 8192",
            ),
        ];
        for (field, value, range, fix) in checks {
            if !range.contains(&value) {
                return Err(invalid(field, format!("{value}"), fix));
            }
        }
        Ok(())
    }
}

impl EdgeConfig {
    pub(super) fn validate_transport_queues(&self) -> Result<(), ConfigError> {
        self.transport_queues.validate()
    }
}
