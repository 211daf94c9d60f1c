//! `[quic]`: the QUIC driver for native clients (quinn, ALPN `starlane-quic/1`). It presents
//! the WebTransport certificate (`[certificate]`), so clients pin the same hash. Also the
//! liveness settings (idle timeout, keep-alives) of both QUIC-based drivers, `[quic]` and
//! `[webtransport]`.

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use serde::Deserialize;
use starlane_netcore::transport::Liveness;
use std::net::SocketAddr;
use std::time::Duration;

/// Shortest and longest idle timeout accepted (milliseconds).
const IDLE_TIMEOUT_MS: std::ops::RangeInclusive<u64> = 1_000..=600_000;
/// Shortest keep-alive interval accepted (milliseconds).
const MIN_KEEP_ALIVE_MS: u64 = 100;

/// `[quic]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuicConfig {
    /// UDP address of the QUIC driver; `[::]:port` is dual-stack. Default `"[::]:4435"`.
    pub bind: SocketAddr,
    /// A connection that heard nothing this long is closed (QUIC `max_idle_timeout`; the
    /// shorter of both sides' applies). Default 2500.
    pub idle_timeout_ms: u64,
    /// A keep-alive is sent after this long without sending. Default 500.
    pub keep_alive_ms: u64,
}

impl Default for QuicConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0u16; 8], 4435)),
            idle_timeout_ms: millis(Liveness::DEFAULT.idle_timeout),
            keep_alive_ms: millis(Liveness::DEFAULT.keep_alive),
        }
    }
}

impl QuicConfig {
    /// The driver's idle timeout and keep-alive interval.
    pub fn liveness(&self) -> Liveness {
        liveness(self.idle_timeout_ms, self.keep_alive_ms)
    }
}

impl super::WebTransportConfig {
    /// The driver's idle timeout and keep-alive interval (what governs browsers).
    pub fn liveness(&self) -> Liveness {
        liveness(self.idle_timeout_ms, self.keep_alive_ms)
    }
}

/// Milliseconds of a default (they fit a `u64`).
pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(super) fn liveness(idle_timeout_ms: u64, keep_alive_ms: u64) -> Liveness {
    Liveness {
        idle_timeout: Duration::from_millis(idle_timeout_ms),
        keep_alive: Duration::from_millis(keep_alive_ms),
    }
}

/// `idle` must lie in [`IDLE_TIMEOUT_MS`]; `keep_alive` between [`MIN_KEEP_ALIVE_MS`] and
/// half of `idle` (so that one lost keep-alive does not close a live connection).
pub(super) fn validate_liveness(
    (idle_field, idle): (&'static str, u64),
    (keep_field, keep_alive): (&'static str, u64),
) -> Result<(), ConfigError> {
    if !IDLE_TIMEOUT_MS.contains(&idle) {
        return Err(invalid(
            idle_field,
            format!("{idle} is outside 1000..=600000"),
            "use milliseconds between 1000 and 600000, e.g. 2500",
        ));
    }
    if keep_alive < MIN_KEEP_ALIVE_MS || keep_alive > idle / 2 {
        return Err(invalid(
            keep_field,
            format!("{keep_alive} is outside {MIN_KEEP_ALIVE_MS}..={}", idle / 2),
            "use at least 100 milliseconds and at most half the idle timeout, e.g. 500",
        ));
    }
    Ok(())
}

/// Whether two binds of one protocol would claim the same port on a shared address.
pub(super) fn clash(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

impl EdgeConfig {
    /// `quic.bind` must not take the UDP port of `udp.bind` or `webtransport.bind`; the
    /// liveness settings of `[quic]` and `[webtransport]` must be in range.
    pub(super) fn validate_quic(&self) -> Result<(), ConfigError> {
        validate_liveness(
            ("quic.idle_timeout_ms", self.quic.idle_timeout_ms),
            ("quic.keep_alive_ms", self.quic.keep_alive_ms),
        )?;
        let wt = &self.webtransport;
        validate_liveness(
            ("webtransport.idle_timeout_ms", wt.idle_timeout_ms),
            ("webtransport.keep_alive_ms", wt.keep_alive_ms),
        )?;
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
