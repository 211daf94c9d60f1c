//! Transport core.
//!
//! * [`link`]: the one link API every client transport presents to the edge.
//! * Sans-IO encrypted UDP: [`packet`] (layout), [`cookie`] (stateless cookies), [`handshake`]
//!   (cookie round-trip + Noise NK), [`session`] (AEAD, replay window), [`conn`] (one
//!   connection: datagrams and frames, reliable messages with resends, keepalive, stats),
//!   [`endpoint`] (the connections of one socket), [`drops`] (why packets were ignored).
//! * Drivers: [`udp`] (netcore connections over an encrypting socket), [`webtransport`] (wtransport) and
//!   [`quic`] (quinn); the two QUIC-based ones share [`frame`].

pub mod budget;
pub mod conn;
pub mod cookie;
pub mod drops;
pub mod emulator;
pub mod endpoint;
pub mod frame;
pub mod handshake;
pub mod link;
pub mod packet;
pub mod quic;
pub mod replay;
pub mod session;
pub mod tls;
pub mod udp;
pub mod webtransport;
pub mod x25519;
