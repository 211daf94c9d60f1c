//! `[quic]`: the QUIC driver for native clients (quinn, ALPN `starlane-quic/1`). It presents
//! the WebTransport certificate (`[certificate]`), so clients pin the same hash.

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use serde::Deserialize;
use std::net::SocketAddr;

/// `[quic]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuicConfig {
    /// UDP address of the QUIC driver; `[::]:port` is dual-stack. Default `"[::]:4435"`.
    pub bind: SocketAddr,
}

impl Default for QuicConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0u16; 8], 4435)),
        }
    }
}

/// Whether two UDP binds would claim the same port on a shared address.
fn clash(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

impl EdgeConfig {
    /// `quic.bind` must not take the UDP port of `udp.bind` or `webtransport.bind`.
    pub(super) fn validate_quic(&self) -> Result<(), ConfigError> {
        let quic = self.quic.bind;
        for (other, addr) in [
            ("udp.bind", self.udp.bind),
            ("webtransport.bind", self.webtransport.bind),
        ] {
            if clash(quic, addr) {
                return Err(invalid(
                    "quic.bind",
                    format!("{quic} takes the UDP port of {other} {addr}"),
                    "give the QUIC driver its own port, e.g. \"[::]:4435\"",
                ));
            }
        }
        Ok(())
    }
}
