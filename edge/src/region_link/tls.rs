//! TLS of the region link, edge side: which region certificates are trusted
//! ([`RegionVerifier`]: cluster CA with webpki, and/or SHA-256 pins, or the development pinned
//! file) and which client certificate the edge presents. rustls with the ring provider, TLS 1.3.

use crate::metrics::RegionLinkMetrics;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Errors loading the link's certificates, keys or trust. Each names its configuration field.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A file could not be read.
    #[error("{field}: cannot read {path}: {source}; fix: {fix}")]
    Read {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
        fix: &'static str,
    },
    /// A file holds no usable certificate or key.
    #[error("{field}: {path} holds no usable {what}: {detail}; fix: {fix}")]
    Invalid {
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
    /// rustls or quinn refused the configuration.
    #[error("tls configuration rejected: {0}")]
    Config(String),
}

/// The ring crypto provider used on the link.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// SHA-256 of a certificate's DER: what a pin names.
pub fn fingerprint(cert: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

fn read(path: &Path, field: &'static str, fix: &'static str) -> Result<Vec<u8>, TlsSetupError> {
    std::fs::read(path).map_err(|source| TlsSetupError::Read {
        field,
        path: path.to_owned(),
        source,
        fix,
    })
}

/// Every certificate of a PEM file, or the one certificate of a DER file (at least one).
pub fn load_certs(
    path: &Path,
    field: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let bytes = read(
        path,
        field,
        "point the field at a readable certificate file",
    )?;
    let invalid = |detail: String| TlsSetupError::Invalid {
        field,
        path: path.to_owned(),
        what: "certificate",
        detail,
        fix: "use a PEM file with CERTIFICATE blocks (or one DER certificate)",
    };
    if bytes.first() == Some(&0x30) {
        return Ok(vec![CertificateDer::from(bytes)]);
    }
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.to_string()))?;
    if certs.is_empty() {
        return Err(invalid("no CERTIFICATE block".into()));
    }
    Ok(certs)
}

/// A certificate chain and its private key.
#[derive(Debug)]
pub struct ClientCert {
    /// End-entity certificate first.
    pub certs: Vec<CertificateDer<'static>>,
    /// Its private key.
    pub key: PrivateKeyDer<'static>,
}

impl ClientCert {
    /// Load a PEM chain and key (config field `field`) and check the key matches.
    pub fn load(cert: &Path, key: &Path, field: &'static str) -> Result<Self, TlsSetupError> {
        let certs = load_certs(cert, field)?;
        let key_bytes = read(
            key,
            field,
            "point the key field at a readable PEM private key",
        )?;
        let bad_key = |detail: String| TlsSetupError::Invalid {
            field,
            path: key.to_owned(),
            what: "private key",
            detail,
            fix: "use a PEM private key (PKCS#8, PKCS#1 or SEC1)",
        };
        let key_der =
            PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| bad_key(e.to_string()))?;
        let signing = provider()
            .key_provider
            .load_private_key(key_der.clone_key())
            .map_err(|e| bad_key(e.to_string()))?;
        match rustls::sign::CertifiedKey::new(certs.clone(), signing).keys_match() {
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(_) => {
                return Err(TlsSetupError::KeyMismatch {
                    field,
                    cert: cert.to_owned(),
                    key: key.to_owned(),
                });
            }
        }
        Ok(Self {
            certs,
            key: key_der,
        })
    }
}

/// Why the edge refused a region certificate (metric label).
fn refusal_label(err: &rustls::Error) -> &'static str {
    match err {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => "unknown_ca",
        rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure) => {
            "not_pinned"
        }
        _ => "bad_certificate",
    }
}

/// Verifies the region's certificate: against the cluster CA (chain and `server_name`), and
/// against the pins when there are any. Refusals are logged and counted.
#[derive(Debug)]
pub struct RegionVerifier {
    ca: Option<Arc<WebPkiServerVerifier>>,
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
    metrics: RegionLinkMetrics,
}

impl RegionVerifier {
    /// Trust the CA certificates in `ca_file` (if any) and `pins`; at least one must be given.
    pub fn new(
        ca_file: Option<&Path>,
        pins: Vec<[u8; 32]>,
        metrics: RegionLinkMetrics,
    ) -> Result<Self, TlsSetupError> {
        let provider = provider();
        let ca = match ca_file {
            None => None,
            Some(path) => {
                let bad = |detail: String| TlsSetupError::Invalid {
                    field: "region_link.ca_file",
                    path: path.to_owned(),
                    what: "CA certificate",
                    detail,
                    fix: "use the cluster CA's PEM certificate",
                };
                let mut roots = rustls::RootCertStore::empty();
                for cert in load_certs(path, "region_link.ca_file")? {
                    roots.add(cert).map_err(|e| bad(e.to_string()))?;
                }
                let verifier =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| bad(e.to_string()))?;
                Some(verifier)
            }
        };
        Ok(Self {
            ca,
            pins,
            provider,
            metrics,
        })
    }

    fn refuse(&self, cert: &[u8], err: rustls::Error) -> rustls::Error {
        let reason = refusal_label(&err);
        self.metrics.refusals.with_label_values(&[reason]).inc();
        tracing::warn!(
            reason,
            sha256 = %hex::encode(fingerprint(cert)),
            error = %err,
            "region link refused: untrusted region certificate"
        );
        err
    }
}

impl ServerCertVerifier for RegionVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(ca) = &self.ca
            && let Err(e) =
                ca.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            return Err(self.refuse(end_entity, e));
        }
        if !self.pins.is_empty() && !self.pins.contains(&fingerprint(end_entity)) {
            let e =
                rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure);
            return Err(self.refuse(end_entity, e));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
