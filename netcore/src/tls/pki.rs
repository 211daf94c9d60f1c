//! Development certificates (feature `pki`) for the edge-region link, made with rcgen:
//! self-signed pairs, and a throwaway cluster CA that issues region (server) and edge
//! (client) certificates.
//!
//! The region generates its own self-signed pair when none is configured, the all-in-one
//! local server uses [`ensure_dev_cluster`] so the link runs with mutual TLS out of the box,
//! and the tests of the game, the edge and the local server use [`DevCa`] and
//! [`self_signed`] to make trusted and untrusted peers. Never use these in production.

use super::{Identity, fingerprint};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Error making or writing development certificates.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// rcgen could not make the certificate or key.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A generated PEM did not parse back (cannot happen with rcgen's output).
    #[error("generated pem does not parse: {0}")]
    Pem(String),
}

/// Write `pem` to `path`, creating its directory.
pub fn write_pem(path: &Path, pem: &str) -> Result<(), PkiError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PkiError::Write {
            path: dir.to_owned(),
            source,
        })?;
    }
    std::fs::write(path, pem).map_err(|source| PkiError::Write {
        path: path.to_owned(),
        source,
    })
}

/// What a certificate is for (its extended key usage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A region's link server certificate (`serverAuth`).
    Region,
    /// An edge's link client certificate (`clientAuth`).
    Edge,
}

impl Purpose {
    fn apply(self, params: &mut CertificateParams, name: &str) {
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![match self {
            Self::Region => ExtendedKeyUsagePurpose::ServerAuth,
            Self::Edge => ExtendedKeyUsagePurpose::ClientAuth,
        }];
    }
}

/// A certificate and its private key, PEM and DER.
#[derive(Debug, Clone)]
pub struct PemPair {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key (PKCS#8), PEM.
    pub key_pem: String,
    /// The certificate, DER (SHA-256 of this is its pin).
    pub cert_der: Vec<u8>,
}

impl PemPair {
    fn of(cert: &rcgen::Certificate, key: &KeyPair) -> Self {
        Self {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
        }
    }

    /// Write the certificate and key to `cert` and `key` (creating directories).
    pub fn write(&self, cert: &Path, key: &Path) -> Result<(), PkiError> {
        write_pem(cert, &self.cert_pem)?;
        write_pem(key, &self.key_pem)
    }

    /// Write as `<name>-cert.pem` and `<name>-key.pem` in `dir`; returns both paths.
    pub fn write_in(&self, dir: &Path, name: &str) -> Result<(PathBuf, PathBuf), PkiError> {
        let cert = dir.join(format!("{name}-cert.pem"));
        let key = dir.join(format!("{name}-key.pem"));
        self.write(&cert, &key)?;
        Ok((cert, key))
    }

    /// The certificate's pin: SHA-256 of its DER.
    pub fn pin(&self) -> [u8; 32] {
        fingerprint(&self.cert_der)
    }

    /// The certificate and key as a TLS [`Identity`].
    pub fn identity(&self) -> Result<Identity, PkiError> {
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| PkiError::Pem(e.to_string()))?;
        Ok(Identity {
            certs: vec![CertificateDer::from(self.cert_der.clone())],
            key,
        })
    }
}

fn params(sans: &[&str]) -> Result<CertificateParams, PkiError> {
    Ok(CertificateParams::new(
        sans.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )?)
}

/// A self-signed certificate for `sans` (the first is also its common name).
pub fn self_signed(sans: &[&str], purpose: Purpose) -> Result<PemPair, PkiError> {
    let key = KeyPair::generate()?;
    let mut p = params(sans)?;
    purpose.apply(&mut p, sans.first().copied().unwrap_or("starlane"));
    let cert = p.self_signed(&key)?;
    Ok(PemPair::of(&cert, &key))
}

/// A throwaway certificate authority for a development cluster.
pub struct DevCa {
    issuer: Issuer<'static, KeyPair>,
    pair: PemPair,
}

impl std::fmt::Debug for DevCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCa").finish_non_exhaustive()
    }
}

impl DevCa {
    /// A new CA named `name`.
    pub fn generate(name: &str) -> Result<Self, PkiError> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::default();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = p.self_signed(&key)?;
        let pair = PemPair::of(&cert, &key);
        Ok(Self {
            issuer: Issuer::new(p, key),
            pair,
        })
    }

    /// The CA certificate (what peers put in `ca_file`) and key.
    pub fn pair(&self) -> &PemPair {
        &self.pair
    }

    /// Write the CA certificate (what peers put in `ca_file`) to `path`.
    pub fn write_cert(&self, path: &Path) -> Result<(), PkiError> {
        write_pem(path, &self.pair.cert_pem)
    }

    /// Write the CA certificate as `<dir>/<name>.pem`; returns the path.
    pub fn write_cert_in(&self, dir: &Path, name: &str) -> Result<PathBuf, PkiError> {
        let path = dir.join(format!("{name}.pem"));
        self.write_cert(&path)?;
        Ok(path)
    }

    /// A root store holding this CA only.
    pub fn roots(&self) -> Result<Arc<RootCertStore>, PkiError> {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(self.pair.cert_der.clone()))
            .map_err(|e| PkiError::Pem(e.to_string()))?;
        Ok(Arc::new(roots))
    }

    /// Issue a certificate for `sans` with `purpose`.
    pub fn issue(&self, sans: &[&str], purpose: Purpose) -> Result<PemPair, PkiError> {
        let key = KeyPair::generate()?;
        let mut p = params(sans)?;
        purpose.apply(&mut p, sans.first().copied().unwrap_or("starlane"));
        let cert = p.signed_by(&key, &self.issuer)?;
        Ok(PemPair::of(&cert, &key))
    }
}

/// The files of a development cluster PKI (see [`ensure_dev_cluster`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevClusterFiles {
    /// The CA certificate both sides trust (`ca.pem`).
    pub ca: PathBuf,
    /// The region's certificate and key (`region-cert.pem`, `region-key.pem`), valid for
    /// `starlane-region`, `localhost`, `127.0.0.1` and `::1`.
    pub region_cert: PathBuf,
    /// See `region_cert`.
    pub region_key: PathBuf,
    /// The edge's client certificate and key (`edge-cert.pem`, `edge-key.pem`).
    pub edge_cert: PathBuf,
    /// See `edge_cert`.
    pub edge_key: PathBuf,
}

impl DevClusterFiles {
    /// The file names inside `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            region_cert: dir.join("region-cert.pem"),
            region_key: dir.join("region-key.pem"),
            edge_cert: dir.join("edge-cert.pem"),
            edge_key: dir.join("edge-key.pem"),
        }
    }

    fn all_exist(&self) -> bool {
        [
            &self.ca,
            &self.region_cert,
            &self.region_key,
            &self.edge_cert,
            &self.edge_key,
        ]
        .iter()
        .all(|p| p.is_file())
    }
}

/// Names the region certificate of a development cluster is valid for (the first is the
/// server name edges check).
pub const DEV_REGION_NAMES: [&str; 4] = ["starlane-region", "localhost", "127.0.0.1", "::1"];

/// Make (once) a development cluster PKI in `dir`: a CA, a region certificate and an edge
/// certificate it issued. Existing files are kept when all are present; otherwise all are
/// made anew. The CA key is not kept: nothing else can be issued later.
pub fn ensure_dev_cluster(dir: &Path) -> Result<DevClusterFiles, PkiError> {
    let files = DevClusterFiles::in_dir(dir);
    if files.all_exist() {
        return Ok(files);
    }
    let ca = DevCa::generate("starlane dev cluster CA")?;
    ca.write_cert(&files.ca)?;
    ca.issue(&DEV_REGION_NAMES, Purpose::Region)?
        .write(&files.region_cert, &files.region_key)?;
    ca.issue(&["starlane-edge"], Purpose::Edge)?
        .write(&files.edge_cert, &files.edge_key)?;
    tracing::info!(dir = %dir.display(), "generated a development link PKI (cluster CA, region and edge certificates)");
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{ClientPinVerifier, PinVerifier, server_config};

    #[test]
    fn issued_certificates_chain_to_the_ca_and_load_as_identities() {
        let ca = DevCa::generate("test CA").expect("rcgen");
        let region = ca.issue(&DEV_REGION_NAMES, Purpose::Region).expect("rcgen");
        let identity = region.identity().expect("rcgen's pem parses");
        assert_eq!(identity.fingerprint(), Some(region.pin()));
        assert!(server_config(&identity, None, b"test/1").is_ok());
        assert!(PinVerifier::new(Some(ca.roots().expect("one root")), Vec::new()).is_ok());
        assert!(ClientPinVerifier::new(Some(ca.roots().expect("one root")), Vec::new()).is_ok());
    }

    #[test]
    fn a_dev_cluster_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("starlane-pki-{}", std::process::id()));
        let files = ensure_dev_cluster(&dir).expect("writable temp dir");
        let ca = std::fs::read(&files.ca).expect("ca written");
        let again = ensure_dev_cluster(&dir).expect("kept");
        assert_eq!(again, files);
        assert_eq!(
            std::fs::read(&files.ca).expect("still there"),
            ca,
            "not remade"
        );
        let edge = self_signed(&["starlane-edge"], Purpose::Edge).expect("rcgen");
        let (cert, key) = edge.write_in(&dir, "extra").expect("writable");
        assert!(crate::tls::Identity::load(&cert, &key, "test").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
