//! The link's TLS material: PEM identities (loaded, checked, or generated self-signed with
//! rcgen) and the quinn/rustls configurations (ring provider, TLS 1.3, ALPN `starlane-link/1`).
//! Which edge certificates the server accepts is decided by [`super::trust::EdgeVerifier`].

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// ALPN protocol of the edge-region link.
pub const LINK_ALPN: &[u8] = b"starlane-link/1";
/// Subject alternative names of a generated region link certificate.
pub const GENERATED_SANS: [&str; 2] = ["localhost", "starlane-region"];
/// Subject alternative name of a generated development edge certificate.
pub const GENERATED_EDGE_SAN: &str = "starlane-edge";

/// Errors preparing the link's TLS identity, trust or configs. File errors name the
/// configuration field the file came from and the fix.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("{field}: cannot read {path}: {source}; fix: {fix}")]
    Read {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
        fix: &'static str,
    },
    /// A generated file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A PEM file holds no usable certificate or key.
    #[error("{field}: {path} holds no usable {what}: {detail}; fix: {fix}")]
    Pem {
        field: &'static str,
        path: PathBuf,
        what: &'static str,
        detail: String,
        fix: &'static str,
    },
    /// The private key does not belong to the certificate.
    #[error(
        "{field}: the key {key} does not match the certificate {cert}; fix: use the key the \
         certificate was issued for"
    )]
    KeyMismatch {
        field: &'static str,
        cert: PathBuf,
        key: PathBuf,
    },
    /// Certificate generation failed.
    #[error("cannot generate a link certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("tls configuration rejected: {0}")]
    Rustls(#[from] rustls::Error),
    /// quinn refused the rustls configuration.
    #[error("quic crypto configuration rejected: {0}")]
    Quic(String),
    /// The development fallback was asked for outside development mode.
    #[error(
        "no development edge identity: the region trusts a CA or pins (link.ca_file, link.pins)"
    )]
    NoDevIdentity,
}

/// A certificate chain and its private key.
#[derive(Debug)]
pub struct Identity {
    /// End-entity certificate first.
    pub certs: Vec<CertificateDer<'static>>,
    /// Private key of the first certificate.
    pub key: PrivateKeyDer<'static>,
}

impl Identity {
    /// DER of the end-entity certificate (what edges pin).
    pub fn cert_der(&self) -> &[u8] {
        self.certs.first().map(|c| c.as_ref()).unwrap_or_default()
    }

    /// Load a PEM chain and key (from the config fields `field`), checking the key matches.
    pub fn load(cert_path: &Path, key_path: &Path, field: &'static str) -> Result<Self, TlsError> {
        let certs = load_certs(cert_path, field)?;
        let key = std::fs::read(key_path).map_err(|source| TlsError::Read {
            field,
            path: key_path.to_owned(),
            source,
            fix: "point the key field at a readable PEM private key",
        })?;
        let key = PrivateKeyDer::from_pem_slice(&key).map_err(|e| TlsError::Pem {
            field,
            path: key_path.to_owned(),
            what: "private key",
            detail: e.to_string(),
            fix: "use a PKCS#8, PKCS#1 or SEC1 PEM private key",
        })?;
        let identity = Self { certs, key };
        identity.check_key(cert_path, key_path, field)?;
        Ok(identity)
    }

    fn check_key(&self, cert: &Path, key: &Path, field: &'static str) -> Result<(), TlsError> {
        let provider = provider();
        let signing = provider
            .key_provider
            .load_private_key(self.key.clone_key())
            .map_err(|e| TlsError::Pem {
                field,
                path: key.to_owned(),
                what: "private key",
                detail: e.to_string(),
                fix: "use an ECDSA P-256/P-384, Ed25519 or RSA key",
            })?;
        let certified = rustls::sign::CertifiedKey::new(self.certs.clone(), signing);
        match certified.keys_match() {
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
                Ok(())
            }
            Err(_) => Err(TlsError::KeyMismatch {
                field,
                cert: cert.to_owned(),
                key: key.to_owned(),
            }),
        }
    }
}

/// Every certificate of a PEM file (at least one), read for the config field `field`.
pub fn load_certs(
    path: &Path,
    field: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::Read {
        field,
        path: path.to_owned(),
        source,
        fix: "point the field at a readable PEM certificate file",
    })?;
    let pem = |detail: String| TlsError::Pem {
        field,
        path: path.to_owned(),
        what: "certificate",
        detail,
        fix: "use a PEM file with one or more CERTIFICATE blocks",
    };
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(pem("no CERTIFICATE block".into()));
    }
    Ok(certs)
}

/// Write `pem` to `path`, creating its directory.
pub(crate) fn write_pem(path: &Path, pem: &str) -> Result<(), TlsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
            path: dir.to_owned(),
            source,
        })?;
    }
    std::fs::write(path, pem).map_err(|source| TlsError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Load the PEM certificate and key (config field `field`), generating a self-signed pair for
/// `sans` and `purpose` when both files are missing (development only).
pub fn load_or_generate_with(
    cert_path: &Path,
    key_path: &Path,
    sans: &[&str],
    purpose: super::pki::Purpose,
    field: &'static str,
) -> Result<Identity, TlsError> {
    if !cert_path.exists() && !key_path.exists() {
        let pair = super::pki::self_signed(sans, purpose)?;
        write_pem(cert_path, &pair.cert_pem)?;
        write_pem(key_path, &pair.key_pem)?;
        tracing::info!(cert = %cert_path.display(), "generated a self-signed link certificate");
    }
    Identity::load(cert_path, key_path, field)
}

/// The region's link identity: load `link_cert`/`link_key`, generating a self-signed pair
/// (SANs [`GENERATED_SANS`]) when both files are missing.
pub fn load_or_generate(cert_path: &Path, key_path: &Path) -> Result<Identity, TlsError> {
    load_or_generate_with(
        cert_path,
        key_path,
        &GENERATED_SANS,
        super::pki::Purpose::Region,
        "link_cert",
    )
}

/// The ring crypto provider used on the link.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
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
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(identity.certs.clone(), identity.key.clone_key())?;
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut cfg = quinn::ServerConfig::with_crypto(Arc::new(quic));
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
    roots.add(CertificateDer::from(cert_der.to_vec()))?;
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_root_certificates(roots);
    let mut tls = match client {
        Some(id) => builder.with_client_auth_cert(id.certs.clone(), id.key.clone_key())?,
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut cfg = quinn::ClientConfig::new(Arc::new(quic));
    cfg.transport_config(transport());
    Ok(cfg)
}
