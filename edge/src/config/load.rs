//! Loading: TOML parsing, environment overrides, validation.

use super::{EdgeConfig, MAX_SELF_SIGNED_VALIDITY_DAYS};
use starlane_protocol::codec::MAX_TOKEN_LEN;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Errors loading or validating the configuration. Each names the field and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {var}={value:?} is not a valid {field}: {reason}")]
    Env {
        var: String,
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error("{field} is invalid: {problem}; fix: {fix}")]
    Invalid {
        field: &'static str,
        problem: String,
        fix: &'static str,
    },
}

pub(super) fn invalid(
    field: &'static str,
    problem: impl Into<String>,
    fix: &'static str,
) -> ConfigError {
    ConfigError::Invalid {
        field,
        problem: problem.into(),
        fix,
    }
}

/// Environment variables that override fields, with the field each one sets.
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("STARLANE_EDGE_EDGE_ID", "edge_id"),
    ("STARLANE_EDGE_DATA_DIR", "data_dir"),
    ("STARLANE_EDGE_UDP_BIND", "udp.bind"),
    ("STARLANE_EDGE_WEBTRANSPORT_BIND", "webtransport.bind"),
    ("STARLANE_EDGE_QUIC_BIND", "quic.bind"),
    ("STARLANE_EDGE_WEBSOCKET_ENABLED", "websocket.enabled"),
    ("STARLANE_EDGE_WEBSOCKET_BIND", "websocket.bind"),
    ("STARLANE_EDGE_WEBSOCKET_TLS", "websocket.tls"),
    ("STARLANE_EDGE_WEBSOCKET_PUBLIC_URL", "websocket.public_url"),
    ("STARLANE_EDGE_HTTP_BIND", "http.bind"),
    ("STARLANE_EDGE_REGION_LINK_ADDR", "region_link.addr"),
    ("STARLANE_EDGE_REGION_LINK_REGION", "region_link.region"),
    (
        "STARLANE_EDGE_REGION_LINK_SERVER_NAME",
        "region_link.server_name",
    ),
    ("STARLANE_EDGE_REGION_LINK_CA_FILE", "region_link.ca_file"),
    ("STARLANE_EDGE_REGION_LINK_PINS", "region_link.pins"),
    (
        "STARLANE_EDGE_REGION_LINK_REGION_CERT_FILE",
        "region_link.region_cert_file",
    ),
    (
        "STARLANE_EDGE_REGION_LINK_CERT_FILE",
        "region_link.cert_file",
    ),
    ("STARLANE_EDGE_REGION_LINK_KEY_FILE", "region_link.key_file"),
    (
        "STARLANE_EDGE_REGION_LINK_PRODUCTION",
        "region_link.production",
    ),
    // Names from before the section was called [region_link]; same meaning.
    ("STARLANE_EDGE_REGION_ADDR", "region_link.addr"),
    (
        "STARLANE_EDGE_REGION_CERT_FILE",
        "region_link.region_cert_file",
    ),
    ("STARLANE_EDGE_JWT_ISSUER", "jwt.issuer"),
    ("STARLANE_EDGE_JWT_PUBLIC_KEY_FILE", "jwt.public_key_file"),
    ("STARLANE_EDGE_JWT_PUBLIC_KEY_URL", "jwt.public_key_url"),
    ("STARLANE_EDGE_JWT_CA_FILE", "jwt.ca_file"),
    (
        "STARLANE_EDGE_JWT_ALLOW_INSECURE_HTTP",
        "jwt.allow_insecure_http",
    ),
    ("STARLANE_EDGE_JWT_MAX_TOKEN_BYTES", "jwt.max_token_bytes"),
    ("STARLANE_EDGE_DEV_ISSUER_ENABLED", "dev_issuer.enabled"),
    ("STARLANE_EDGE_DRAIN_WINDOW_SECS", "drain.window_secs"),
    ("STARLANE_EDGE_DRAIN_CONNECT_URL", "drain.connect_url"),
    ("STARLANE_EDGE_RESUME_KEY", "resume.key"),
    ("STARLANE_EDGE_ADMIN_BIND", "admin.bind"),
    ("STARLANE_EDGE_ADMIN_TOKEN", "admin.token"),
    (
        "STARLANE_EDGE_TRANSPORT_QUEUES_EVENTS",
        "transport_queues.events",
    ),
    (
        "STARLANE_EDGE_TRANSPORT_QUEUES_OUTGOING",
        "transport_queues.outgoing",
    ),
    (
        "STARLANE_EDGE_TRANSPORT_QUEUES_ACCEPT",
        "transport_queues.accept",
    ),
    (
        "STARLANE_EDGE_TRANSPORT_QUEUES_UDP_LOOP",
        "transport_queues.udp_loop",
    ),
    ("STARLANE_EDGE_BANDWIDTH_DIR", "bandwidth.dir"),
    ("STARLANE_EDGE_BANDWIDTH_WATCH_SECS", "bandwidth.watch_secs"),
    ("STARLANE_EDGE_DIRECTORY_REGION", "directory.region"),
    (
        "STARLANE_EDGE_DIRECTORY_PUBLIC_HOST",
        "directory.public_host",
    ),
    ("STARLANE_EDGE_CLUSTER_REDIS_URL", "cluster.redis_url"),
    ("STARLANE_EDGE_CLUSTER_PREFIX", "cluster.prefix"),
    ("STARLANE_EDGE_CLUSTER_REGION", "cluster.region"),
    ("STARLANE_EDGE_CLUSTER_CAPACITY", "cluster.capacity"),
    ("STARLANE_EDGE_CLUSTER_PUBLIC_HOST", "cluster.public_host"),
];

impl EdgeConfig {
    /// Parse a TOML document (no environment, no validation).
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
    }

    /// Read a TOML file, apply the process environment and validate.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Self::from_toml_str(&text, path)?;
        cfg.apply_env(|k| std::env::var(k).ok())?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Apply `STARLANE_EDGE_*` overrides looked up through `lookup`.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for &(var, field) in ENV_OVERRIDES {
            if let Some(value) = lookup(var) {
                self.set_field(var, field, value)?;
            }
        }
        Ok(())
    }

    fn set_field(
        &mut self,
        var: &str,
        field: &'static str,
        value: String,
    ) -> Result<(), ConfigError> {
        let bad = |reason: String, value: &str| ConfigError::Env {
            var: var.to_string(),
            field,
            value: value.to_string(),
            reason,
        };
        let sock = |v: &str| v.parse::<SocketAddr>().map_err(|e| bad(e.to_string(), v));
        let opt = |v: String| if v.is_empty() { None } else { Some(v) };
        let count = |v: &str| {
            v.parse::<usize>()
                .map_err(|e| bad(format!("{e}; expected a whole number"), v))
        };
        let boolean = |v: &str| match v {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(bad("expected true or false".into(), v)),
        };
        match field {
            "edge_id" => self.edge_id = value,
            "data_dir" => self.data_dir = value.into(),
            "udp.bind" => self.udp.bind = sock(&value)?,
            "webtransport.bind" => self.webtransport.bind = sock(&value)?,
            "quic.bind" => self.quic.bind = sock(&value)?,
            "websocket.enabled" => self.websocket.enabled = boolean(&value)?,
            "websocket.bind" => self.websocket.bind = sock(&value)?,
            "websocket.tls" => {
                self.websocket.tls = match value.trim() {
                    "none" => super::WsTls::None,
                    "certificate" => super::WsTls::Certificate,
                    "proxy" => super::WsTls::Proxy,
                    _ => return Err(bad("expected none, certificate or proxy".into(), &value)),
                }
            }
            "websocket.public_url" => self.websocket.public_url = value.trim().to_owned(),
            "http.bind" => self.http.bind = sock(&value)?,
            "region_link.addr" => self.region_link.addr = sock(&value)?,
            "region_link.region" => self.region_link.region = value.trim().to_owned(),
            "region_link.server_name" => self.region_link.server_name = value,
            "region_link.ca_file" => self.region_link.ca_file = opt(value).map(PathBuf::from),
            "region_link.pins" => {
                self.region_link.pins = value
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "region_link.region_cert_file" => self.region_link.region_cert_file = value.into(),
            "region_link.cert_file" => self.region_link.cert_file = opt(value).map(PathBuf::from),
            "region_link.key_file" => self.region_link.key_file = opt(value).map(PathBuf::from),
            "region_link.production" => self.region_link.production = boolean(&value)?,
            "jwt.issuer" => self.jwt.issuer = value,
            "jwt.public_key_file" => self.jwt.public_key_file = opt(value).map(PathBuf::from),
            "jwt.public_key_url" => self.jwt.public_key_url = opt(value),
            "jwt.ca_file" => self.jwt.ca_file = opt(value).map(PathBuf::from),
            "jwt.allow_insecure_http" => self.jwt.allow_insecure_http = boolean(&value)?,
            "jwt.max_token_bytes" => self.jwt.max_token_bytes = count(&value)?,
            "dev_issuer.enabled" => self.dev_issuer.enabled = boolean(&value)?,
            "drain.window_secs" => self.drain.window_secs = count(&value)? as u64,
            "drain.connect_url" => self.drain.connect_url = value,
            "resume.key" => self.resume.key = value,
            "admin.bind" => self.admin.bind = value,
            "admin.token" => self.admin.token = value,
            "transport_queues.events" => self.transport_queues.events = count(&value)?,
            "transport_queues.outgoing" => self.transport_queues.outgoing = count(&value)?,
            "transport_queues.accept" => self.transport_queues.accept = count(&value)?,
            "transport_queues.udp_loop" => self.transport_queues.udp_loop = count(&value)?,
            "bandwidth.dir" => self.bandwidth.dir = value.into(),
            "bandwidth.watch_secs" => self.bandwidth.watch_secs = count(&value)? as u64,
            "directory.region" => self.directory.region = value.trim().to_owned(),
            "directory.public_host" => self.directory.public_host = value.trim().to_owned(),
            "cluster.redis_url" => self.cluster.redis_url = value.trim().to_owned(),
            "cluster.prefix" => self.cluster.prefix = value,
            "cluster.region" => self.cluster.region = value.trim().to_owned(),
            "cluster.capacity" => self.cluster.capacity = count(&value)? as _,
            "cluster.public_host" => self.cluster.public_host = value.trim().to_owned(),
            _ => {}
        }
        Ok(())
    }

    /// Check the values that serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid(
                "data_dir",
                "empty",
                "set a writable directory, e.g. \"data/edge\"",
            ));
        }
        if self.udp.idle_timeout_secs == 0 {
            return Err(invalid(
                "udp.idle_timeout_secs",
                "0",
                "use a positive number of seconds, e.g. 15",
            ));
        }
        self.validate_region_link()?;
        self.validate_quic()?;
        self.validate_websocket()?;
        self.validate_jwt()?;
        self.validate_certificate()?;
        if self.session.hello_timeout_secs == 0 {
            return Err(invalid(
                "session.hello_timeout_secs",
                "0",
                "use a positive number of seconds, e.g. 10",
            ));
        }
        self.validate_bandwidth()?;
        self.validate_transport_queues()?;
        self.validate_drain()?;
        self.cluster
            .validate()
            .map_err(|problem| ConfigError::Invalid {
                field: "cluster",
                problem,
                fix: "see [cluster] in configs/edge.toml",
            })?;
        Ok(())
    }

    fn validate_jwt(&self) -> Result<(), ConfigError> {
        let j = &self.jwt;
        if j.issuer.trim().is_empty() {
            return Err(invalid(
                "jwt.issuer",
                "empty",
                "set the login service's issuer, e.g. \"login-server\"",
            ));
        }
        match (&j.public_key_file, &j.public_key_url) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "jwt.public_key_file",
                    "both public_key_file and public_key_url are set",
                    "keep only one key source",
                ));
            }
            (None, None) if !self.dev_issuer.enabled => {
                return Err(invalid(
                    "jwt.public_key_file",
                    "no key source",
                    "set jwt.public_key_file or jwt.public_key_url (or enable dev_issuer for local use)",
                ));
            }
            _ => {}
        }
        match j.public_key_url.as_deref() {
            Some(url) if url.starts_with("https://") => {}
            Some(url) if url.starts_with("http://") && !j.allow_insecure_http => {
                return Err(invalid(
                    "jwt.public_key_url",
                    format!("{url:?} is plain http://: anyone on the path could swap the key"),
                    "use an https:// URL, or set jwt.allow_insecure_http = true on a trusted network",
                ));
            }
            Some(url) if url.starts_with("http://") => {}
            Some(url) => {
                return Err(invalid(
                    "jwt.public_key_url",
                    format!("{url:?} is not an https:// URL"),
                    "use an https:// URL, e.g. \"https://login.example/.well-known/jwks.json\"",
                ));
            }
            None => {}
        }
        if j.ca_file.is_some()
            && !j
                .public_key_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
        {
            return Err(invalid(
                "jwt.ca_file",
                "set, but jwt.public_key_url is not an https:// URL",
                "remove jwt.ca_file, or set jwt.public_key_url to the https:// URL it verifies",
            ));
        }
        if j.refresh_secs == 0 {
            return Err(invalid(
                "jwt.refresh_secs",
                "0",
                "use a positive number of seconds, e.g. 300",
            ));
        }
        if !(1..=MAX_TOKEN_LEN).contains(&j.max_token_bytes) {
            return Err(invalid(
                "jwt.max_token_bytes",
                format!(
                    "{} is outside 1..={MAX_TOKEN_LEN} (the protocol's ceiling)",
                    j.max_token_bytes
                ),
                "use a byte count in 1..=16384, e.g. 8192",
            ));
        }
        Ok(())
    }

    fn validate_certificate(&self) -> Result<(), ConfigError> {
        let c = &self.certificate;
        if c.cert_file.is_some() != c.key_file.is_some() {
            return Err(invalid(
                "certificate.cert_file",
                "only one of cert_file and key_file is set",
                "set both for a real certificate, or neither for a self-signed one",
            ));
        }
        if c.cert_file.is_some() {
            return Ok(());
        }
        if c.validity_days == 0 || c.validity_days > MAX_SELF_SIGNED_VALIDITY_DAYS {
            return Err(invalid(
                "certificate.validity_days",
                format!("{}", c.validity_days),
                "use 1..=14 (browsers pin self-signed certificates valid at most 14 days)",
            ));
        }
        if c.rotate_before_secs >= u64::from(c.validity_days) * 86_400 {
            return Err(invalid(
                "certificate.rotate_before_secs",
                format!("{} is not shorter than the validity", c.rotate_before_secs),
                "use a value below validity_days * 86400, e.g. 172800 (2 days)",
            ));
        }
        if c.subject_alt_names.is_empty() {
            return Err(invalid(
                "certificate.subject_alt_names",
                "empty",
                "list at least one name, e.g. [\"localhost\"]",
            ));
        }
        Ok(())
    }

    /// Resolve a path relative to `data_dir` (absolute paths are kept).
    pub fn in_data_dir(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.data_dir.join(p)
        }
    }
}
