//! `[link]`: who may open an edge-region link (mutual TLS on the QUIC link).
//!
//! The region always requires a client certificate from an edge. Which certificates it accepts:
//!
//! * `ca_file`: certificates that chain to this cluster CA (verified with webpki, ring);
//! * `pins`: certificates whose SHA-256 (of the end-entity DER) is listed;
//! * both set: both must hold;
//! * neither set (development only): the certificate in `edge_cert_file`, pinned. By default
//!   that is `<data_dir>/link-edge-cert.pem`, a self-signed edge identity the region generates
//!   (with its key) beside its own link certificate; a local edge reads it from there.
//!
//! With `production = true` the development fallbacks are refused at load: `ca_file` or `pins`
//! must be set, and `link_cert`/`link_key` must name real files (no generated certificate).

use super::ConfigError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use starlane_netcore::tls::{PIN_HEX_LEN, parse_pin};

/// `[link]`: trust of the edge-region link.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// PEM file of the cluster CA that signs edge certificates; empty = unset.
    /// Env: `STARLANE_REGION_LINK_CA_FILE`.
    pub ca_file: PathBuf,
    /// SHA-256 (64 hex digits, `:` separators allowed) of accepted edge certificates.
    /// Env: `STARLANE_REGION_LINK_PINS` (comma-separated).
    pub pins: Vec<String>,
    /// Development fallback when `ca_file` and `pins` are empty: the edge certificate to pin;
    /// empty = `<data_dir>/link-edge-cert.pem`, generated with `<data_dir>/link-edge-key.pem`
    /// when both are missing. Env: `STARLANE_REGION_LINK_EDGE_CERT_FILE`.
    pub edge_cert_file: PathBuf,
    /// Refuse the development fallbacks (see the module docs).
    /// Env: `STARLANE_REGION_LINK_PRODUCTION`.
    pub production: bool,
}

impl LinkConfig {
    /// Whether neither a CA nor pins are configured (the development fallback applies).
    pub fn uses_dev_fallback(&self) -> bool {
        self.ca_file.as_os_str().is_empty() && self.pins.is_empty()
    }

    /// Where a region generates the development edge identity: `<data_dir>/link-edge-cert.pem`
    /// and `<data_dir>/link-edge-key.pem`.
    pub fn dev_edge_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
        (
            data_dir.join("link-edge-cert.pem"),
            data_dir.join("link-edge-key.pem"),
        )
    }

    /// The edge certificate pinned by the development fallback.
    pub fn effective_edge_cert(&self, data_dir: &Path) -> PathBuf {
        if self.edge_cert_file.as_os_str().is_empty() {
            Self::dev_edge_paths(data_dir).0
        } else {
            self.edge_cert_file.clone()
        }
    }

    /// Check the pins' syntax and the production rules. `has_own_cert` tells whether
    /// `link_cert`/`link_key` are set.
    pub fn validate(&self, has_own_cert: bool) -> Result<(), ConfigError> {
        if let Some(bad) = self.pins.iter().find(|p| parse_pin(p).is_err()) {
            return Err(ConfigError::Invalid {
                field: "link.pins",
                problem: format!("{bad:?} is not a SHA-256 in hex"),
                fix: "list 64 hex digits per certificate, e.g. the output of \
                      `openssl x509 -in edge.pem -outform der | sha256sum`",
            });
        }
        if !self.production {
            return Ok(());
        }
        if self.uses_dev_fallback() {
            return Err(ConfigError::Invalid {
                field: "link.ca_file",
                problem: "is empty and link.pins is empty in production mode".into(),
                fix: "set link.ca_file to the cluster CA (PEM) or list the edges' certificate \
                      SHA-256 in link.pins (or set link.production = false for development)",
            });
        }
        if !has_own_cert {
            return Err(ConfigError::Invalid {
                field: "link_cert",
                problem: "is empty in production mode (a self-signed certificate would be \
                          generated)"
                    .into(),
                fix: "set link_cert and link_key to the region's certificate chain and key (PEM)",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_needs_trust_and_a_real_certificate() {
        let mut link = LinkConfig {
            production: true,
            ..LinkConfig::default()
        };
        let err = link.validate(true).expect_err("no trust");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "link.ca_file",
                    ..
                }
            ),
            "{err}"
        );
        link.pins = vec!["00".repeat(32)];
        let err = link.validate(false).expect_err("no certificate");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "link_cert",
                    ..
                }
            ),
            "{err}"
        );
        link.validate(true).expect("pins and a certificate");
        link.pins = vec!["nope".into()];
        let err = link.validate(true).expect_err("bad pin");
        assert!(err.to_string().contains("link.pins"), "{err}");
    }
}
