//! Certificate chains and private keys from files, and the check that a key belongs to its
//! certificate. Errors name the configuration field the file came from and the fix.

use super::pin::fingerprint;
use super::provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};

/// Error of [`load_certs`].
#[derive(Debug, thiserror::Error)]
pub enum CertFileError {
    /// The file could not be read.
    #[error(
        "{field}: cannot read {path}: {source}; fix: point the field at a readable certificate file"
    )]
    Read {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file holds no certificate.
    #[error(
        "{field}: {path} holds no usable certificate: {detail}; fix: use a PEM file with \
         CERTIFICATE blocks (or one DER certificate)"
    )]
    Invalid {
        field: &'static str,
        path: PathBuf,
        detail: String,
    },
}

/// Error of [`load_key`].
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read.
    #[error(
        "{field}: cannot read {path}: {source}; fix: point the key field at a readable PEM private key"
    )]
    Read {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file holds no private key.
    #[error(
        "{field}: {path} holds no usable private key: {detail}; fix: use a PEM private key \
         (PKCS#8, PKCS#1 or SEC1)"
    )]
    Invalid {
        field: &'static str,
        path: PathBuf,
        detail: String,
    },
}

/// Error of [`key_matches_cert`].
#[derive(Debug, thiserror::Error)]
pub enum KeyMatchError {
    /// The ring provider cannot sign with the key.
    #[error(
        "the private key is not usable for tls: {0}; fix: use an ECDSA P-256/P-384, Ed25519 or RSA key"
    )]
    Unusable(String),
    /// The key is not the certificate's.
    #[error(
        "the private key does not match the certificate; fix: use the key the certificate was issued for"
    )]
    Mismatch,
    /// The chain is empty.
    #[error(
        "no certificate to check the key against; fix: give the certificate chain, end entity first"
    )]
    NoCertificate,
}

/// Error of [`Identity::load`].
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The certificate file did not load.
    #[error(transparent)]
    Certs(#[from] CertFileError),
    /// The key file did not load.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// The ring provider cannot sign with the key.
    #[error(
        "{field}: the key {key} is not usable for tls: {detail}; fix: use an ECDSA \
         P-256/P-384, Ed25519 or RSA key"
    )]
    UnusableKey {
        field: &'static str,
        key: PathBuf,
        detail: String,
    },
    /// The key is not the certificate's.
    #[error(
        "{field}: the key {key} does not match the certificate {cert}; fix: use the key the \
         certificate was issued for"
    )]
    KeyMismatch {
        field: &'static str,
        cert: PathBuf,
        key: PathBuf,
    },
}

/// Every certificate of a PEM file, or the one certificate of a DER file (at least one),
/// read for the configuration field `field`.
pub fn load_certs(
    path: &Path,
    field: &'static str,
) -> Result<Vec<CertificateDer<'static>>, CertFileError> {
    let bytes = std::fs::read(path).map_err(|source| CertFileError::Read {
        field,
        path: path.to_owned(),
        source,
    })?;
    parse_certs(bytes).map_err(|detail| CertFileError::Invalid {
        field,
        path: path.to_owned(),
        detail,
    })
}

/// The certificates of a PEM or DER file's bytes (DER when it starts with a SEQUENCE tag).
fn parse_certs(bytes: Vec<u8>) -> Result<Vec<CertificateDer<'static>>, String> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![CertificateDer::from(bytes)]);
    }
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no CERTIFICATE block".into());
    }
    Ok(certs)
}

/// The private key of a PEM file (PKCS#8, PKCS#1 or SEC1), read for the config field `field`.
pub fn load_key(path: &Path, field: &'static str) -> Result<PrivateKeyDer<'static>, KeyFileError> {
    let bytes = std::fs::read(path).map_err(|source| KeyFileError::Read {
        field,
        path: path.to_owned(),
        source,
    })?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| KeyFileError::Invalid {
        field,
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Check that `key` is the private key of the first certificate of `certs`. A key whose
/// public half the provider cannot tell is accepted (the handshake proves it either way).
pub fn key_matches_cert(
    certs: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<(), KeyMatchError> {
    if certs.is_empty() {
        return Err(KeyMatchError::NoCertificate);
    }
    let signing = provider()
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| KeyMatchError::Unusable(e.to_string()))?;
    match rustls::sign::CertifiedKey::new(certs.to_vec(), signing).keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(()),
        Err(_) => Err(KeyMatchError::Mismatch),
    }
}

/// A certificate chain (end entity first) and the private key of its first certificate.
pub struct Identity {
    /// End-entity certificate first.
    pub certs: Vec<CertificateDer<'static>>,
    /// Private key of the first certificate.
    pub key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("certificates", &self.certs.len())
            .field("sha256", &self.fingerprint().map(hex::encode))
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Load a PEM chain and its key (from the config fields `field`), checking the key
    /// matches the end-entity certificate.
    pub fn load(cert: &Path, key: &Path, field: &'static str) -> Result<Self, IdentityError> {
        let certs = load_certs(cert, field)?;
        let key_der = load_key(key, field)?;
        key_matches_cert(&certs, &key_der).map_err(|e| match e {
            KeyMatchError::Unusable(detail) => IdentityError::UnusableKey {
                field,
                key: key.to_owned(),
                detail,
            },
            KeyMatchError::Mismatch | KeyMatchError::NoCertificate => IdentityError::KeyMismatch {
                field,
                cert: cert.to_owned(),
                key: key.to_owned(),
            },
        })?;
        Ok(Self {
            certs,
            key: key_der,
        })
    }

    /// DER of the end-entity certificate (what peers pin); empty when there is none.
    pub fn cert_der(&self) -> &[u8] {
        self.certs.first().map(|c| c.as_ref()).unwrap_or_default()
    }

    /// SHA-256 of the end-entity certificate (its pin).
    pub fn fingerprint(&self) -> Option<[u8; 32]> {
        self.certs.first().map(|c| fingerprint(c))
    }

    /// A copy (the key is copied too; keep copies short-lived).
    pub fn clone_identity(&self) -> Self {
        Self {
            certs: self.certs.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// The pins of every certificate in a PEM (or DER) file read for the config field `field`.
pub fn pins_of_file(path: &Path, field: &'static str) -> Result<Vec<[u8; 32]>, CertFileError> {
    Ok(load_certs(path, field)?
        .iter()
        .map(|cert| fingerprint(cert))
        .collect())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A self-signed certificate for `name` and its key, PEM.
    pub(in crate::tls) fn self_signed(name: &str) -> (String, String, Vec<u8>) {
        let key = rcgen::KeyPair::generate().expect("ring generates P-256 keys");
        let cert = rcgen::CertificateParams::new(vec![name.to_string()])
            .expect("a DNS name")
            .self_signed(&key)
            .expect("self-signing with a fresh key");
        (cert.pem(), key.serialize_pem(), cert.der().to_vec())
    }

    #[test]
    fn certificates_parse_from_pem_or_der() {
        let (a, _, a_der) = self_signed("a.test");
        let (b, _, _) = self_signed("b.test");
        let chain = parse_certs(format!("{a}{b}").into_bytes()).expect("two PEM blocks");
        assert_eq!(chain.len(), 2);
        assert_eq!(chain.first().map(|c| c.to_vec()), Some(a_der.clone()));
        let der = parse_certs(a_der.clone()).expect("DER");
        assert_eq!(der, vec![CertificateDer::from(a_der)]);
        let err = parse_certs(b"not a certificate\n".to_vec()).expect_err("no block");
        assert!(err.contains("no CERTIFICATE block"), "{err}");
    }

    #[test]
    fn file_errors_name_the_field_and_the_fix() {
        let missing = Path::new("/nonexistent/starlane/cert.pem");
        let err = load_certs(missing, "link.ca_file").expect_err("missing");
        let text = err.to_string();
        assert!(text.starts_with("link.ca_file: cannot read"), "{text}");
        assert!(text.contains("fix:"), "{text}");
        let err = load_key(missing, "link_key").expect_err("missing");
        assert!(
            matches!(
                err,
                KeyFileError::Read {
                    field: "link_key",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_key_matches_only_its_own_certificate() {
        let (a_cert, a_key, _) = self_signed("a.test");
        let (_, b_key, _) = self_signed("b.test");
        let certs = parse_certs(a_cert.into_bytes()).expect("PEM");
        let key = |pem: &str| PrivateKeyDer::from_pem_slice(pem.as_bytes()).expect("PKCS#8");
        key_matches_cert(&certs, &key(&a_key)).expect("own key");
        assert!(matches!(
            key_matches_cert(&certs, &key(&b_key)),
            Err(KeyMatchError::Mismatch)
        ));
        assert!(matches!(
            key_matches_cert(&[], &key(&a_key)),
            Err(KeyMatchError::NoCertificate)
        ));
    }

    #[test]
    fn an_identity_knows_its_pin() {
        let (cert, key, der) = self_signed("a.test");
        let id = Identity {
            certs: parse_certs(cert.into_bytes()).expect("PEM"),
            key: PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("PKCS#8"),
        };
        assert_eq!(id.cert_der(), der.as_slice());
        assert_eq!(id.fingerprint(), Some(fingerprint(&der)));
        assert_eq!(id.clone_identity().certs, id.certs);
        let shown = format!("{id:?}");
        assert!(shown.contains(&hex::encode(fingerprint(&der))), "{shown}");
        assert!(!shown.contains("key"), "the key is not shown: {shown}");
    }
}
