//! The link's TLS material, region side: its fields on top of [`starlane_netcore::tls`]. PEM
//! identities (loaded, checked, or generated self-signed with [`starlane_netcore::tls::pki`])
//! and the quinn configurations (ring provider, TLS 1.3, ALPN [`LINK_ALPN`]). Which edge
//! certificates the server accepts is decided by [`super::trust::edge_verifier`].

use rustls::pki_types::CertificateDer;
use rustls::server::danger::ClientCertVerifier;
use starlane_netcore::tls::pki::{self, PkiError, Purpose};
use starlane_netcore::tls::{
    BuildError, ServerTrust, TlsError as NetTlsError, quic_client_crypto, quic_server_crypto,
};
use starlane_protocol::link::LINK_ALPN;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use starlane_netcore::tls::{Identity, load_certs, provider};

/// Subject alternative names of a generated region link certificate.
pub const GENERATED_SANS: [&str; 2] = ["localhost", "starlane-region"];
/// Subject alternative name of a generated development edge certificate.
pub const GENERATED_EDGE_SAN: &str = "starlane-edge";

/// Errors preparing the link's TLS identity, trust or configs. File errors name the
/// configuration field the file came from and the fix.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Loading, checking or configuring failed ([`starlane_netcore::tls`]).
    #[error(transparent)]
    Tls(#[from] NetTlsError),
    /// Generating or writing a development certificate failed.
    #[error("link certificate: {0}")]
    Pki(#[from] PkiError),
    /// The development fallback was asked for outside development mode.
    #[error(
        "no development edge identity: the region trusts a CA or pins (link.ca_file, link.pins)"
    )]
    NoDevIdentity,
}

/// Load the PEM certificate and key (config field `field`), generating a self-signed pair for
/// `sans` and `purpose` when both files are missing (development only).
pub fn load_or_generate_with(
    cert_path: &Path,
    key_path: &Path,
    sans: &[&str],
    purpose: Purpose,
    field: &'static str,
) -> Result<Identity, TlsError> {
    if !cert_path.exists() && !key_path.exists() {
        pki::self_signed(sans, purpose)?.write(cert_path, key_path)?;
        tracing::info!(cert = %cert_path.display(), "generated a self-signed link certificate");
    }
    load_identity(cert_path, key_path, field)
}

/// Load a PEM chain and key (config field `field`), checking the key matches.
pub fn load_identity(cert: &Path, key: &Path, field: &'static str) -> Result<Identity, TlsError> {
    Ok(Identity::load(cert, key, field).map_err(NetTlsError::from)?)
}

/// The region's link identity: load `link_cert`/`link_key`, generating a self-signed pair
/// (SANs [`GENERATED_SANS`]) when both files are missing.
pub fn load_or_generate(cert_path: &Path, key_path: &Path) -> Result<Identity, TlsError> {
    load_or_generate_with(
        cert_path,
        key_path,
        &GENERATED_SANS,
        Purpose::Region,
        "link_cert",
    )
}

fn transport() -> Arc<quinn::TransportConfig> {
    let mut t = quinn::TransportConfig::default();
    // Idle timeouts of a few seconds: a dead edge is noticed quickly. The value is small
    // and constant, so the conversion cannot fail.
    t.max_idle_timeout(quinn::IdleTimeout::try_from(Duration::from_secs(15)).ok());
    t.keep_alive_interval(Some(Duration::from_secs(4)));
    Arc::new(t)
}

/// The quinn server configuration of the link: `identity` as the server certificate, client
/// certificates required and judged by `verifier`.
pub fn server_config(
    identity: &Identity,
    verifier: Arc<dyn ClientCertVerifier>,
) -> Result<quinn::ServerConfig, TlsError> {
    let quic =
        quic_server_crypto(identity, Some(verifier), LINK_ALPN).map_err(NetTlsError::from)?;
    let mut cfg = quinn::ServerConfig::with_crypto(quic);
    cfg.transport_config(transport());
    Ok(cfg)
}

/// A quinn client configuration (for tests and tools that stand in for an edge) that trusts
/// exactly the region certificate `cert_der` and presents `client` (connect with server name
/// `"localhost"` for a generated region certificate).
pub fn client_config(
    cert_der: &[u8],
    client: Option<&Identity>,
) -> Result<quinn::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(cert_der.to_vec()))
        .map_err(|e| NetTlsError::from(BuildError::from(e)))?;
    let trust = ServerTrust::Roots(Arc::new(roots));
    let quic = quic_client_crypto(&trust, client, LINK_ALPN).map_err(NetTlsError::from)?;
    let mut cfg = quinn::ClientConfig::new(quic);
    cfg.transport_config(transport());
    Ok(cfg)
}
