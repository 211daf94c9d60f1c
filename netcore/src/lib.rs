//! Transport core.
//!
//! * [`proto`]: the IO-free core (no tokio, quinn, wtransport, rustls, sockets or clocks):
//!   the RTT estimator, bandwidth budgets, the network emulator, the injected entropy source
//!   and, with feature `noise`, the sans-IO encrypted UDP transport (packets, cookies,
//!   handshake, session, connection, endpoint).
//! * Drivers, each behind its feature:
//!   * [`transport`] (`runtime`): the one client link API every client transport presents to
//!     the edge ([`transport::Link`], [`transport::LinkEvent`], [`transport::LinkSender`]).
//!   * [`frame`] (`runtime`): the stream framing the two QUIC-based drivers share.
//!   * [`udp`] (`udp`): netcore connections over an encrypting UDP socket.
//!   * [`quic`] (`quic`): quinn; [`webtransport`] (`webtransport`): wtransport.
//!   * [`websocket`] (`websocket`): tokio-tungstenite, the browsers' fallback over TCP
//!     (WEBSOCKET.md; its IO-free core is [`proto::ws`]).
//!   * [`link`] (`quic`): the QUIC driver of the edge-region link's state machines
//!     ([`proto::link`]).
//!   * [`tls`] (`tls`): certificates and rustls configurations; `tls::pki` (`pki`):
//!     development certificates made with rcgen.
//!
//! Features: `noise`, `runtime`, `udp` = noise + runtime, `tls`, `quic` = runtime + tls,
//! `webtransport` = runtime + tls, `websocket` = runtime + tls, `pki` = tls; none is on by default. README.md lists what
//! each compiles.

pub mod proto;

#[cfg(feature = "runtime")]
pub mod frame;
#[cfg(feature = "quic")]
pub mod link;
#[cfg(feature = "quic")]
pub mod quic;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(feature = "runtime")]
pub mod transport;
#[cfg(feature = "udp")]
pub mod udp;
#[cfg(feature = "websocket")]
pub mod websocket;
#[cfg(feature = "webtransport")]
pub mod webtransport;
