//! Edge configuration: TOML with serde defaults, environment overrides, validation.
//!
//! Every field is documented in `configs/edge.toml` with its default. The main fields can be
//! overridden by environment variables named `STARLANE_EDGE_<FIELD>` (see [`ENV_OVERRIDES`]).

mod drain;
mod load;
mod profiles;
mod quic;
mod region_link;
mod transport_queues;
mod websocket;

pub use drain::{AdminConfig, DirectoryConfig, DrainConfig, EdgeAddress, ResumeConfig};
pub use load::{ConfigError, ENV_OVERRIDES};
pub use profiles::{BandwidthConfig, EMBEDDED_PROFILES, embedded_set};
pub use quic::QuicConfig;
pub use region_link::{PIN_HEX_LEN, RegionLinkSection, parse_pin};
pub use transport_queues::TransportQueuesConfig;
pub use websocket::{WebSocketConfig, WsTls};

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Longest certificate validity browsers accept for `serverCertificateHashes` pinning.
pub const MAX_SELF_SIGNED_VALIDITY_DAYS: u32 = 14;

/// The whole edge configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EdgeConfig {
    /// Name this edge announces to region servers; empty means `edge-<random hex>`.
    pub edge_id: String,
    /// Directory for generated state (UDP static key, certificates, dev issuer keys).
    pub data_dir: PathBuf,
    pub udp: UdpConfig,
    pub webtransport: WebTransportConfig,
    /// `[quic]`: the QUIC driver for native clients.
    pub quic: QuicConfig,
    /// `[websocket]`: the browsers' fallback over TCP.
    pub websocket: WebSocketConfig,
    pub http: HttpConfig,
    /// `[region_link]`: the mutually authenticated QUIC link to the region server.
    pub region_link: RegionLinkSection,
    /// The pre-`[region_link]` section name, refused with a hint by validation.
    #[serde(rename = "region")]
    legacy_region: Option<toml::Value>,
    pub jwt: JwtConfig,
    pub certificate: CertificateConfig,
    pub dev_issuer: DevIssuerConfig,
    pub session: SessionConfig,
    pub bandwidth: BandwidthConfig,
    /// `[transport_queues]`: bounds of the queues between the client drivers and the sessions.
    pub transport_queues: TransportQueuesConfig,
    /// `[drain]`: moving clients off the edge (SIGTERM, `POST /admin/drain`).
    pub drain: DrainConfig,
    /// `[resume]`: resume tickets shared by the region's edges.
    pub resume: ResumeConfig,
    /// `[admin]`: the operator listener.
    pub admin: AdminConfig,
    /// `[directory]`: the region's edges for the connect endpoint.
    pub directory: DirectoryConfig,
    /// `[cluster]`: registry, revocations, presence and events (Redis, or in process).
    pub cluster: crate::cluster::ClusterSection,
}

/// Encrypted UDP driver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UdpConfig {
    pub bind: SocketAddr,
    /// Static Noise private key (hex); relative paths are inside `data_dir`. Generated if missing.
    pub static_key_file: PathBuf,
    pub idle_timeout_secs: u64,
}

/// WebTransport driver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebTransportConfig {
    pub bind: SocketAddr,
    /// Idle timeout advertised to browsers (theirs is longer, so this one governs them): how
    /// fast a browser notices the edge died. Default 2500.
    pub idle_timeout_ms: u64,
    /// A keep-alive is sent after this long without sending. Default 500.
    pub keep_alive_ms: u64,
}

/// HTTP server for `/metrics`, `/healthz`, `/readyz`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub bind: SocketAddr,
}

/// JWT verification.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JwtConfig {
    /// Required `iss` claim.
    pub issuer: String,
    /// File with the login service's ES256 public key: PEM, or a JWKS of keys by `kid`.
    pub public_key_file: Option<PathBuf>,
    /// `https://` URL serving the PEM public key or a JWKS (the server's certificate is
    /// verified: webpki roots, or `ca_file`).
    pub public_key_url: Option<String>,
    /// PEM file of the CA certificate(s) that sign the key server's certificate (private
    /// PKI); when set, only these are trusted for `public_key_url`.
    pub ca_file: Option<PathBuf>,
    /// Accept an `http://` `public_key_url` (no TLS: anyone on the path could swap the key).
    pub allow_insecure_http: bool,
    /// How often the key is reloaded; the last good key is kept on failure.
    pub refresh_secs: u64,
    /// Clock skew tolerated on `exp`.
    pub leeway_secs: u64,
    /// Longest token a client's hello may carry (bytes, 1..=16384): a longer hello is refused
    /// with `TokenTooLarge` as soon as its length is known. Default 8192.
    pub max_token_bytes: usize,
}

/// The WebTransport certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CertificateConfig {
    /// Validity of self-signed certificates (at most 14 days for browser pinning).
    pub validity_days: u32,
    /// A new certificate is made this long before the current one expires.
    pub rotate_before_secs: u64,
    /// Names and addresses the self-signed certificate is valid for.
    pub subject_alt_names: Vec<String>,
    /// A real certificate chain (PEM); with `key_file`, replaces the self-signed one.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

/// The development token issuer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevIssuerConfig {
    pub enabled: bool,
}

/// Per-session limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Time a client has to send its hello.
    pub hello_timeout_secs: u64,
}

fn addr(s: &str) -> SocketAddr {
    s.parse()
        .expect("built-in default addresses are valid socket addresses")
}

impl Default for EdgeConfig {
    fn default() -> Self {
        Self {
            edge_id: String::new(),
            data_dir: PathBuf::from("data/edge"),
            udp: UdpConfig::default(),
            webtransport: WebTransportConfig::default(),
            quic: QuicConfig::default(),
            websocket: WebSocketConfig::default(),
            http: HttpConfig::default(),
            region_link: RegionLinkSection::default(),
            legacy_region: None,
            jwt: JwtConfig::default(),
            certificate: CertificateConfig::default(),
            dev_issuer: DevIssuerConfig::default(),
            session: SessionConfig::default(),
            bandwidth: BandwidthConfig::default(),
            transport_queues: TransportQueuesConfig::default(),
            drain: DrainConfig::default(),
            resume: ResumeConfig::default(),
            admin: AdminConfig::default(),
            directory: DirectoryConfig::default(),
            cluster: Default::default(),
        }
    }
}

impl Default for UdpConfig {
    fn default() -> Self {
        Self {
            bind: addr("[::]:4434"),
            static_key_file: PathBuf::from("udp_static_key.hex"),
            idle_timeout_secs: 15,
        }
    }
}

impl Default for WebTransportConfig {
    fn default() -> Self {
        Self {
            bind: addr("[::]:4433"),
            idle_timeout_ms: quic::millis(
                starlane_netcore::transport::Liveness::DEFAULT.idle_timeout,
            ),
            keep_alive_ms: quic::millis(starlane_netcore::transport::Liveness::DEFAULT.keep_alive),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: addr("[::]:9100"),
        }
    }
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            issuer: "login-server".into(),
            public_key_file: None,
            public_key_url: None,
            ca_file: None,
            allow_insecure_http: false,
            refresh_secs: 300,
            leeway_secs: 30,
            max_token_bytes: crate::session::DEFAULT_MAX_TOKEN_BYTES,
        }
    }
}

impl Default for CertificateConfig {
    fn default() -> Self {
        Self {
            validity_days: MAX_SELF_SIGNED_VALIDITY_DAYS,
            rotate_before_secs: 2 * 24 * 3600,
            subject_alt_names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            cert_file: None,
            key_file: None,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            hello_timeout_secs: 10,
        }
    }
}
