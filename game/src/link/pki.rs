//! Development certificates for the edge-region link, made with rcgen: self-signed pairs, and a
//! throwaway cluster CA that issues region (server) and edge (client) certificates.
//!
//! The all-in-one local server uses [`ensure_dev_cluster`] so the link runs with mutual TLS
//! out of the box; tests use [`DevCa`] to make trusted and untrusted peers. Never use these
//! in production: the CA key sits in a plain file next to the certificates.

use super::tls::{TlsError, write_pem};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

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
    /// Write the certificate and key to `cert` and `key` (creating directories).
    pub fn write(&self, cert: &Path, key: &Path) -> Result<(), TlsError> {
        write_pem(cert, &self.cert_pem)?;
        write_pem(key, &self.key_pem)
    }
}

fn params(sans: &[&str]) -> Result<CertificateParams, TlsError> {
    Ok(CertificateParams::new(
        sans.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )?)
}

/// A self-signed certificate for `sans` (the first is also its common name).
pub fn self_signed(sans: &[&str], purpose: Purpose) -> Result<PemPair, TlsError> {
    let key = KeyPair::generate()?;
    let mut p = params(sans)?;
    purpose.apply(&mut p, sans.first().copied().unwrap_or("starlane"));
    let cert = p.self_signed(&key)?;
    Ok(PemPair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        cert_der: cert.der().to_vec(),
    })
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
    pub fn generate(name: &str) -> Result<Self, TlsError> {
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
        let pair = PemPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
        };
        Ok(Self {
            issuer: Issuer::new(p, key),
            pair,
        })
    }

    /// The CA certificate (what peers put in `ca_file`) and key.
    pub fn pair(&self) -> &PemPair {
        &self.pair
    }

    /// Issue a certificate for `sans` with `purpose`.
    pub fn issue(&self, sans: &[&str], purpose: Purpose) -> Result<PemPair, TlsError> {
        let key = KeyPair::generate()?;
        let mut p = params(sans)?;
        purpose.apply(&mut p, sans.first().copied().unwrap_or("starlane"));
        let cert = p.signed_by(&key, &self.issuer)?;
        Ok(PemPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
        })
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
pub fn ensure_dev_cluster(dir: &Path) -> Result<DevClusterFiles, TlsError> {
    let files = DevClusterFiles::in_dir(dir);
    if files.all_exist() {
        return Ok(files);
    }
    let ca = DevCa::generate("starlane dev cluster CA")?;
    write_pem(&files.ca, &ca.pair().cert_pem)?;
    ca.issue(&DEV_REGION_NAMES, Purpose::Region)?
        .write(&files.region_cert, &files.region_key)?;
    ca.issue(&["starlane-edge"], Purpose::Edge)?
        .write(&files.edge_cert, &files.edge_key)?;
    tracing::info!(dir = %dir.display(), "generated a development link PKI (cluster CA, region and edge certificates)");
    Ok(files)
}
