//! The link server's certificate (loaded from PEM, or generated self-signed with rcgen) and
//! the quinn/rustls configurations (ring provider, TLS 1.3, ALPN `starlane-link/1`).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// ALPN protocol of the edge-region link.
pub const LINK_ALPN: &[u8] = b"starlane-link/1";
/// Subject alternative names of a generated link certificate.
pub const GENERATED_SANS: [&str; 2] = ["localhost", "starlane-region"];

/// Errors preparing the link's TLS identity or configs.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a PEM file failed.
    #[error("cannot access {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A PEM file holds no usable certificate or key.
    #[error("invalid PEM in {path}: {detail}")]
    Pem { path: PathBuf, detail: String },
    /// Certificate generation failed.
    #[error("cannot generate the link certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("tls configuration rejected: {0}")]
    Rustls(#[from] rustls::Error),
    /// quinn refused the rustls configuration.
    #[error("quic crypto configuration rejected: {0}")]
    Quic(String),
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
}

/// Load the PEM certificate and key, generating both (self-signed) when both are missing.
pub fn load_or_generate(cert_path: &Path, key_path: &Path) -> Result<Identity, TlsError> {
    if !cert_path.exists() && !key_path.exists() {
        let generated = rcgen::generate_simple_self_signed(
            GENERATED_SANS
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        )?;
        for (path, pem) in [
            (cert_path, generated.cert.pem()),
            (key_path, generated.signing_key.serialize_pem()),
        ] {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| TlsError::Io {
                    path: dir.to_owned(),
                    source,
                })?;
            }
            std::fs::write(path, pem).map_err(|source| TlsError::Io {
                path: path.to_owned(),
                source,
            })?;
        }
        tracing::info!(cert = %cert_path.display(), "generated a self-signed link certificate");
    }
    let pem_err = |path: &Path, e: rustls::pki_types::pem::Error| TlsError::Pem {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    let certs = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| pem_err(cert_path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(cert_path, e))?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            path: cert_path.to_owned(),
            detail: "no certificate".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| pem_err(key_path, e))?;
    Ok(Identity { certs, key })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
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

/// The quinn server configuration of the link.
pub fn server_config(identity: &Identity) -> Result<quinn::ServerConfig, TlsError> {
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(identity.certs.clone(), identity.key.clone_key())?;
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut cfg = quinn::ServerConfig::with_crypto(Arc::new(quic));
    cfg.transport_config(transport());
    Ok(cfg)
}

/// A quinn client configuration that trusts exactly the region certificate `cert_der`
/// (connect with server name `"localhost"` for a generated certificate).
pub fn client_config(cert_der: &[u8]) -> Result<quinn::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(cert_der.to_vec()))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut cfg = quinn::ClientConfig::new(Arc::new(quic));
    cfg.transport_config(transport());
    Ok(cfg)
}
