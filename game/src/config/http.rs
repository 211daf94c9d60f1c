//! `[http]`: the region's operator HTTP listener (`/metrics`, `/healthz`, `/readyz`).

use serde::Deserialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Default address of the operator listener: loopback only (the metrics name no players,
/// but the port is for operators, not the internet).
pub const DEFAULT_HTTP_BIND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9101);

/// `[http]`: where the region serves `/metrics` (Prometheus text), `/healthz` and `/readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// TCP address (default `127.0.0.1:9101`); `[::]:port` is dual-stack where the system
    /// maps IPv4 into IPv6 sockets (Linux by default), port 0 picks a free port.
    /// Env: `STARLANE_REGION_HTTP_BIND`.
    pub bind: SocketAddr,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: DEFAULT_HTTP_BIND,
        }
    }
}
