//! The IO-free core: no sockets, no clocks, no async runtime. Everything here takes time
//! (`now: Instant`) and bytes in and gives bytes, events and the next deadline out.
//!
//! Always compiled:
//! * [`rtt`]: the one round-trip estimator (RFC 6298 smoothing, bounds as configuration) every
//!   layer uses: netcore's connections, the QUIC driver's stats, the edge's sync.
//! * [`budget`]: per-client bandwidth budgets.
//! * [`emulator`]: a deterministic network impairment model for simulated-time tests.
//! * [`entropy`]: the randomness source injected through configuration.
//! * [`link`]: the edge-region link's state machines (edge and region sides, LINK.md).
//! * [`ws`]: the WebSocket link's framing and send queue (WEBSOCKET.md), the browsers'
//!   fallback where UDP is blocked.
//!
//! With feature `noise`, the encrypted-UDP core: [`packet`] (layout), [`cookie`] (stateless
//! cookies), [`handshake`] (cookie round-trip + Noise NK), [`session`] (AEAD, replay window,
//! with [`replay`]), [`x25519`] (snow's Diffie-Hellman), [`conn`] (one connection: datagrams
//! and frames, reliable messages with resends, keepalive, stats), [`endpoint`] (the
//! connections of one socket) and [`drops`] (why packets were ignored).

pub mod budget;
pub mod emulator;
pub mod entropy;
pub mod link;
pub mod rtt;
pub mod ws;

#[cfg(feature = "noise")]
pub mod conn;
#[cfg(feature = "noise")]
pub mod cookie;
#[cfg(feature = "noise")]
pub mod drops;
#[cfg(feature = "noise")]
pub mod endpoint;
#[cfg(feature = "noise")]
pub mod handshake;
#[cfg(feature = "noise")]
pub mod packet;
#[cfg(feature = "noise")]
pub mod replay;
#[cfg(feature = "noise")]
pub mod session;
#[cfg(feature = "noise")]
pub mod x25519;
