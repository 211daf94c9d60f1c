//! Transport core.
//!
//! * [`link`]: the one link API every client transport presents to the edge.
//! * Sans-IO encrypted UDP: [`packet`] (layout), [`handshake`] (Noise NK), [`session`] (AEAD,
//!   replay window, drop counters), [`endpoint`] (peers and sessions of one socket).
//! * Drivers: [`udp`] (laminar over the encrypting socket) and [`webtransport`] (wtransport).

pub mod budget;
pub mod emulator;
pub mod endpoint;
pub mod handshake;
pub mod link;
pub mod packet;
pub mod replay;
pub mod session;
pub mod udp;
pub mod webtransport;
pub mod x25519;
