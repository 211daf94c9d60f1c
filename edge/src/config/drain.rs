//! `[drain]`, `[resume]`, `[admin]` and `[directory]`: moving clients off an edge, resuming
//! their sessions on another edge of the region, the operator listener, and where the
//! connect endpoint finds the region's edges.

use super::load::{ConfigError, invalid};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

/// `[drain]`: what draining does (SIGTERM or `POST /admin/drain`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DrainConfig {
    /// How long a draining edge keeps its sessions open for their clients to move, before it
    /// closes. Default 30.
    pub window_secs: u64,
    /// The connect endpoint moved clients are sent to (`Move.connect_url`, e.g.
    /// `https://play.example/connect`); empty: the client uses the one it knows.
    pub connect_url: String,
}

impl Default for DrainConfig {
    fn default() -> Self {
        Self {
            window_secs: 30,
            connect_url: String::new(),
        }
    }
}

impl DrainConfig {
    /// The drain window.
    pub fn window(&self) -> Duration {
        Duration::from_secs(self.window_secs)
    }
}

/// `[resume]`: resume tickets (SPEC.md §17.2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResumeConfig {
    /// The key (hex, at least 32 bytes) every edge of the region signs tickets with; also
    /// `STARLANE_EDGE_RESUME_KEY`. Empty: a random key, so a ticket resumes only on this
    /// edge process (no move to another edge).
    pub key: String,
    /// How long a ticket is valid (1..=86400 s). Default 300.
    pub ticket_ttl_secs: u64,
}

impl Default for ResumeConfig {
    fn default() -> Self {
        Self {
            key: String::new(),
            ticket_ttl_secs: crate::resume::DEFAULT_TICKET_TTL.as_secs(),
        }
    }
}

/// `[admin]`: the operator listener (`POST /admin/drain`, `POST /admin/revoke`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    /// Where it listens: loopback (`127.0.0.1:9101` in `configs/edge.toml`). Empty (the
    /// built-in default, so that edges started from code never fight for one port): off.
    pub bind: String,
    /// The bearer token every call must carry; also `STARLANE_EDGE_ADMIN_TOKEN`. Empty: the
    /// listener stays off (with a warning); a non-loopback bind without one is an error.
    pub token: String,
}

impl AdminConfig {
    /// The bind address, `None` when the listener is off.
    pub fn bind_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        if self.bind.trim().is_empty() {
            return Ok(None);
        }
        self.bind.trim().parse().map(Some).map_err(|_| {
            invalid(
                "admin.bind",
                format!("{:?} is not a socket address", self.bind),
                "use an address and port such as \"127.0.0.1:9101\", or \"\" to turn it off",
            )
        })
    }
}

/// One edge of the region, as the connect endpoint hands it to clients.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeAddress {
    /// `https://host:port/` of its WebTransport listener.
    pub webtransport_url: String,
    /// `host:port` of its encrypted UDP listener.
    pub udp_addr: String,
    /// `host:port` of its QUIC listener.
    pub quic_addr: String,
    /// SHA-256 of its certificate (hex), pinned by WebTransport and QUIC clients.
    pub cert_hash: String,
    /// Its UDP static public key (hex), pinned by UDP clients.
    pub udp_public_key: String,
    /// `ws://` or `wss://` URL of its WebSocket listener, the browsers' fallback; empty
    /// when it has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub websocket_url: String,
}

/// `[directory]`: the region's edges as this edge knows them without a registry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectoryConfig {
    /// The region this edge serves (its players' home region). Empty: `"default"`.
    pub region: String,
    /// The host name put in this edge's own addresses (default `127.0.0.1`).
    pub public_host: String,
    /// Other edges of the region (`[[directory.edges]]`), tried after this one.
    pub edges: Vec<EdgeAddress>,
}

impl DirectoryConfig {
    /// The region name, `"default"` when unset.
    pub fn region_name(&self) -> &str {
        if self.region.is_empty() {
            "default"
        } else {
            &self.region
        }
    }

    /// The public host, `127.0.0.1` when unset.
    pub fn host(&self) -> &str {
        if self.public_host.is_empty() {
            "127.0.0.1"
        } else {
            &self.public_host
        }
    }
}

impl super::EdgeConfig {
    /// Check `[drain]`, `[resume]` and `[admin]`.
    pub(super) fn validate_drain(&self) -> Result<(), ConfigError> {
        if self.drain.window_secs > 3600 {
            return Err(invalid(
                "drain.window_secs",
                self.drain.window_secs.to_string(),
                "use at most 3600 seconds, e.g. 30",
            ));
        }
        if !(1..=86_400).contains(&self.resume.ticket_ttl_secs) {
            return Err(invalid(
                "resume.ticket_ttl_secs",
                self.resume.ticket_ttl_secs.to_string(),
                "use 1..=86400 seconds, e.g. 300",
            ));
        }
        if !self.resume.key.is_empty()
            && let Err(problem) = crate::resume::parse_key("resume.key", &self.resume.key)
        {
            return Err(invalid(
                "resume.key",
                problem,
                "set 64 hex digits shared by the region's edges (`openssl rand -hex 32`)",
            ));
        }
        if let Some(addr) = self.admin.bind_addr()?
            && !addr.ip().is_loopback()
            && self.admin.token.is_empty()
        {
            return Err(invalid(
                "admin.token",
                format!("empty while admin.bind {addr} is not loopback"),
                "set admin.token (or STARLANE_EDGE_ADMIN_TOKEN), or bind the admin listener to 127.0.0.1",
            ));
        }
        Ok(())
    }
}
