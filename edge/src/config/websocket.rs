//! `[websocket]`: the WebSocket listener (TCP), the browsers' fallback where UDP is blocked
//! (netcore/WEBSOCKET.md). Plain `ws://` only on a loopback address (the all-in-one server,
//! whose page is served over http): the hello carries the player's token. Elsewhere `wss://`,
//! either with a certificate browsers trust (`cert_file`, `key_file`) or behind a
//! TLS-terminating proxy, since a browser cannot pin a self-signed certificate for a
//! WebSocket.

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use super::quic::{clash, liveness, millis, validate_liveness};
use serde::Deserialize;
use starlane_netcore::transport::Liveness;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How the WebSocket listener is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WsTls {
    /// Plain `ws://`: only on a loopback `bind`.
    None,
    /// `wss://` with `cert_file` and `key_file`: a certificate browsers trust.
    Certificate,
    /// A proxy in front terminates TLS and forwards plain WebSocket; `public_url` names it.
    Proxy,
}

impl WsTls {
    /// The lowercase name, as in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Certificate => "certificate",
            Self::Proxy => "proxy",
        }
    }
}

/// `[websocket]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSocketConfig {
    /// Serve the WebSocket fallback at all. Default true.
    pub enabled: bool,
    /// TCP address of the listener. Default `"127.0.0.1:4436"` (loopback: `tls = "none"`).
    pub bind: SocketAddr,
    /// `none`, `certificate` or `proxy`. Default `none`.
    pub tls: WsTls,
    /// With `tls = "certificate"`: the certificate chain (PEM), one browsers trust (a
    /// self-signed one cannot be pinned for a WebSocket).
    pub cert_file: Option<PathBuf>,
    /// With `tls = "certificate"`: its private key (PEM).
    pub key_file: Option<PathBuf>,
    /// What clients are told to open (`/connect`, the directory). Empty: `ws://` or `wss://`
    /// with `directory.public_host` and `bind`'s port. Required with `tls = "proxy"`.
    pub public_url: String,
    /// A link that heard nothing this long is closed. Default 2500.
    pub idle_timeout_ms: u64,
    /// The edge pings after this long without sending. Default 500.
    pub keep_alive_ms: u64,
}

impl Default for WebSocketConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            bind: SocketAddr::from(([127, 0, 0, 1], 4436)),
            tls: WsTls::None,
            cert_file: None,
            key_file: None,
            public_url: String::new(),
            idle_timeout_ms: millis(Liveness::DEFAULT.idle_timeout),
            keep_alive_ms: millis(Liveness::DEFAULT.keep_alive),
        }
    }
}

impl WebSocketConfig {
    /// The listener's idle timeout and ping interval.
    pub fn liveness(&self) -> Liveness {
        liveness(self.idle_timeout_ms, self.keep_alive_ms)
    }

    /// The URL clients reaching the edge through `host` open, for a listener bound on
    /// `port` (`public_url` when set).
    pub fn url(&self, host: &str, port: u16) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.clone();
        }
        let scheme = match self.tls {
            WsTls::None => "ws",
            WsTls::Certificate | WsTls::Proxy => "wss",
        };
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        format!("{scheme}://{host}:{port}/")
    }
}

impl EdgeConfig {
    /// `[websocket]`: plain only on loopback, a certificate for `certificate`, a `wss://`
    /// URL for `proxy`, liveness in range, its own TCP port.
    pub(super) fn validate_websocket(&self) -> Result<(), ConfigError> {
        let ws = &self.websocket;
        if !ws.enabled {
            return Ok(());
        }
        validate_liveness(
            ("websocket.idle_timeout_ms", ws.idle_timeout_ms),
            ("websocket.keep_alive_ms", ws.keep_alive_ms),
        )?;
        match ws.tls {
            WsTls::None if !ws.bind.ip().is_loopback() => {
                return Err(invalid(
                    "websocket.tls",
                    format!(
                        "plain ws:// on {} would carry players' tokens in the clear",
                        ws.bind
                    ),
                    "bind a loopback address (e.g. \"127.0.0.1:4436\"), or set tls = \
                     \"certificate\" (with cert_file and key_file) or \"proxy\" (with public_url)",
                ));
            }
            WsTls::Certificate if ws.cert_file.is_none() || ws.key_file.is_none() => {
                return Err(invalid(
                    "websocket.cert_file",
                    "tls = \"certificate\" without both cert_file and key_file",
                    "set websocket.cert_file and key_file to a certificate browsers trust \
                     (a self-signed one cannot serve wss://), or use tls = \"proxy\"",
                ));
            }
            WsTls::Proxy if !ws.public_url.starts_with("wss://") => {
                return Err(invalid(
                    "websocket.public_url",
                    format!("{:?} with tls = \"proxy\"", ws.public_url),
                    "set the wss:// URL of the proxy in front, e.g. \"wss://edge-1.example/ws\"",
                ));
            }
            _ => {}
        }
        let scheme_ok = ["ws://", "wss://"]
            .iter()
            .any(|s| ws.public_url.starts_with(s));
        if !ws.public_url.is_empty() && !scheme_ok {
            return Err(invalid(
                "websocket.public_url",
                format!("{:?} is not a ws:// or wss:// URL", ws.public_url),
                "use e.g. \"wss://edge-1.example:4436/\", or leave it empty",
            ));
        }
        if clash(ws.bind, self.http.bind) {
            return Err(invalid(
                "websocket.bind",
                format!(
                    "{} takes the TCP port of http.bind {}",
                    ws.bind, self.http.bind
                ),
                "give the WebSocket listener its own port, e.g. \"127.0.0.1:4436\"",
            ));
        }
        Ok(())
    }
}
