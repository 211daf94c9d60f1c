//! `[region_link]`: the QUIC link to the region server, with mutual TLS.
//!
//! Trust of the region's certificate, in order of preference:
//! * `ca_file`: the region's chain must verify against this cluster CA (webpki, ring) for
//!   `server_name`;
//! * `pins`: the SHA-256 of the region's end-entity certificate must be listed;
//! * both set: both must hold;
//! * neither (development only): the certificate in `region_cert_file` (written by the region)
//!   is pinned, re-read on every connect.
//!
//! The edge's client certificate is `cert_file`/`key_file`; unset (development only), the edge
//! uses the development identity the region wrote beside `region_cert_file`
//! (`link-edge-cert.pem`, `link-edge-key.pem`), or no certificate if there is none. With
//! `production = true` both fallbacks are refused when the configuration is validated.

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use starlane_netcore::tls::{PIN_HEX_LEN, parse_pin};

/// `[region_link]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegionLinkSection {
    /// The region server's link address. Default "127.0.0.1:4500". Not used when `region`
    /// is set.
    pub addr: SocketAddr,
    /// Id of the region to find in the cluster registry (`[cluster] redis_url` required): the
    /// link dials the address the region registered and moves when it changes (the region
    /// restarted elsewhere). Default "": dial `addr`. Env: `STARLANE_EDGE_REGION_LINK_REGION`.
    pub region: String,
    /// Name the region's certificate must be valid for (checked with `ca_file`).
    /// Default "starlane-region".
    pub server_name: String,
    /// PEM cluster CA the region's certificate must chain to. Default: unset.
    pub ca_file: Option<PathBuf>,
    /// SHA-256 (hex, `:` allowed) of accepted region certificates. Default: empty.
    pub pins: Vec<String>,
    /// Development trust when `ca_file` and `pins` are empty: the region certificate file to
    /// pin (DER or PEM), re-read on every connect. Default "data/link-cert.pem".
    pub region_cert_file: PathBuf,
    /// The edge's client certificate chain (PEM). Default: unset (development identity).
    pub cert_file: Option<PathBuf>,
    /// The private key of `cert_file` (PEM). Default: unset.
    pub key_file: Option<PathBuf>,
    /// Refuse the development fallbacks (pinned file, identity written by the region).
    /// Default false.
    pub production: bool,
    /// Default 5.
    pub connect_timeout_secs: u64,
    /// First reconnect delay; doubles up to `reconnect_max_ms`. Default 200.
    pub reconnect_min_ms: u64,
    /// Default 5000.
    pub reconnect_max_ms: u64,
    /// Frames buffered from sessions to the region (16..=1048576). From three quarters of
    /// this or of `queue_bytes`, commands are refused; when full, joins (LINK.md §8.1).
    /// Default 1024.
    pub queue_capacity: usize,
    /// Bytes buffered from sessions to the region (64 KiB..=256 MiB). Default 1048576.
    pub queue_bytes: usize,
    /// Region events queued per session (16..=65536); a session that does not take them is
    /// shed. Default 256.
    pub session_events: usize,
    /// How long sessions are held after the link drops, waiting to be re-announced on a new
    /// link (0 closes them at once). Default 10000.
    pub session_grace_ms: u64,
}

impl Default for RegionLinkSection {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 4500)),
            region: String::new(),
            server_name: "starlane-region".into(),
            ca_file: None,
            pins: Vec::new(),
            region_cert_file: PathBuf::from("data/link-cert.pem"),
            cert_file: None,
            key_file: None,
            production: false,
            connect_timeout_secs: 5,
            reconnect_min_ms: 200,
            reconnect_max_ms: 5_000,
            queue_capacity: 1024,
            queue_bytes: 1 << 20,
            session_events: 256,
            session_grace_ms: 10_000,
        }
    }
}

impl RegionLinkSection {
    /// Whether neither a CA nor pins are configured (the development fallback applies).
    pub fn uses_dev_trust(&self) -> bool {
        self.ca_file.is_none() && self.pins.is_empty()
    }

    /// The development identity the region writes beside its certificate: (cert, key).
    pub fn dev_identity_paths(&self) -> (PathBuf, PathBuf) {
        let dir = self
            .region_cert_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        (
            dir.join("link-edge-cert.pem"),
            dir.join("link-edge-key.pem"),
        )
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(bad) = self.pins.iter().find(|p| parse_pin(p).is_err()) {
            return Err(invalid(
                "region_link.pins",
                format!("{bad:?} is not a SHA-256 in hex"),
                "list 64 hex digits per certificate (sha256 of the certificate's DER)",
            ));
        }
        if rustls::pki_types::ServerName::try_from(self.server_name.as_str()).is_err() {
            return Err(invalid(
                "region_link.server_name",
                format!("{:?} is not a DNS name or IP address", self.server_name),
                "use the name in the region certificate, e.g. \"starlane-region\"",
            ));
        }
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Err(invalid(
                "region_link.cert_file",
                "only one of cert_file and key_file is set",
                "set both to the edge's client certificate and key (PEM)",
            ));
        }
        if self.production {
            if self.uses_dev_trust() {
                return Err(invalid(
                    "region_link.ca_file",
                    "is unset and region_link.pins is empty in production mode",
                    "set region_link.ca_file to the cluster CA (PEM) or list the region \
                     certificate's SHA-256 in region_link.pins",
                ));
            }
            if self.cert_file.is_none() {
                return Err(invalid(
                    "region_link.cert_file",
                    "is unset in production mode (the edge must present a client certificate)",
                    "set region_link.cert_file and region_link.key_file (PEM)",
                ));
            }
        } else if self.uses_dev_trust() && self.region_cert_file.as_os_str().is_empty() {
            return Err(invalid(
                "region_link.region_cert_file",
                "empty while region_link.ca_file and region_link.pins are unset",
                "point it at the link certificate the region server wrote, or set ca_file/pins",
            ));
        }
        self.validate_numbers()
    }

    fn validate_numbers(&self) -> Result<(), ConfigError> {
        if self.connect_timeout_secs == 0 {
            return Err(invalid(
                "region_link.connect_timeout_secs",
                "0",
                "use a positive number of seconds, e.g. 5",
            ));
        }
        if self.reconnect_min_ms == 0 || self.reconnect_min_ms > self.reconnect_max_ms {
            return Err(invalid(
                "region_link.reconnect_min_ms",
                format!(
                    "{} with reconnect_max_ms {}",
                    self.reconnect_min_ms, self.reconnect_max_ms
                ),
                "use 0 < reconnect_min_ms <= reconnect_max_ms",
            ));
        }
        if !(16..=1 << 20).contains(&self.queue_capacity) {
            return Err(invalid(
                "region_link.queue_capacity",
                format!("{}", self.queue_capacity),
                "use 16..=1048576 frames, e.g. 1024",
            ));
        }
        if !(64 << 10..=256 << 20).contains(&self.queue_bytes) {
            return Err(invalid(
                "region_link.queue_bytes",
                format!("{}", self.queue_bytes),
                "use 65536..=268435456 bytes, e.g. 1048576",
            ));
        }
        if !(16..=65_536).contains(&self.session_events) {
            return Err(invalid(
                "region_link.session_events",
                format!("{}", self.session_events),
                "use 16..=65536 events, e.g. 256",
            ));
        }
        if self.session_grace_ms > 600_000 {
            return Err(invalid(
                "region_link.session_grace_ms",
                format!("{}", self.session_grace_ms),
                "use 0..=600000 milliseconds, e.g. 10000",
            ));
        }
        Ok(())
    }
}

impl EdgeConfig {
    pub(super) fn validate_region_link(&self) -> Result<(), ConfigError> {
        if self.legacy_region.is_some() {
            return Err(invalid(
                "region",
                "the [region] section was renamed",
                "rename it [region_link] and its cert_file to region_cert_file",
            ));
        }
        if !self.region_link.region.is_empty() {
            if self.region_link.region.len() > 64 {
                return Err(invalid(
                    "region_link.region",
                    format!("{:?} is longer than 64 bytes", self.region_link.region),
                    "use the id the region registers (its [cluster] region or region_id)",
                ));
            }
            if self.cluster.redis_url.is_empty() {
                return Err(invalid(
                    "region_link.region",
                    "is set but [cluster] redis_url is empty (there is no registry to find it in)",
                    "set cluster.redis_url, or leave region_link.region empty and set \
                     region_link.addr",
                ));
            }
        }
        self.region_link.validate()
    }
}
