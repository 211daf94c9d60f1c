//! Certificates and region stand-ins for the region-link TLS scenarios: throwaway CAs (rcgen),
//! leaf certificates for regions (serverAuth) and edges (clientAuth), and a QUIC server with
//! the link ALPN that can require client certificates.
#![allow(dead_code, clippy::unwrap_used)]

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use starlane_protocol::link::LINK_ALPN;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A certificate with its key.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
}

impl Leaf {
    /// Write as `<name>-cert.pem` / `<name>-key.pem` in `dir`.
    pub fn write(&self, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let cert = dir.join(format!("{name}-cert.pem"));
        let key = dir.join(format!("{name}-key.pem"));
        std::fs::write(&cert, &self.cert_pem).unwrap();
        std::fs::write(&key, &self.key_pem).unwrap();
        (cert, key)
    }

    /// SHA-256 of the certificate, hex.
    pub fn pin(&self) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &self.cert))
    }
}

fn leaf_params(sans: &[&str], server: bool) -> CertificateParams {
    let mut p =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, sans[0]);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![if server {
        ExtendedKeyUsagePurpose::ServerAuth
    } else {
        ExtendedKeyUsagePurpose::ClientAuth
    }];
    p
}

fn leaf(cert: rcgen::Certificate, key: KeyPair) -> Leaf {
    Leaf {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    }
}

/// A self-signed leaf (`server`: a region certificate, else an edge certificate).
pub fn self_signed(sans: &[&str], server: bool) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(sans, server).self_signed(&key).unwrap();
    leaf(cert, key)
}

/// A throwaway certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub pem: String,
    pub cert: CertificateDer<'static>,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = p.self_signed(&key).unwrap();
        Self {
            pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: Issuer::new(p, key),
        }
    }

    /// Write the CA certificate to `<dir>/<name>.pem`.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, &self.pem).unwrap();
        path
    }

    /// Issue a leaf (`server`: a region certificate, else an edge certificate).
    pub fn issue(&self, sans: &[&str], server: bool) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let cert = leaf_params(sans, server)
            .signed_by(&key, &self.issuer)
            .unwrap();
        leaf(cert, key)
    }
}

/// The QUIC server configuration of a region stand-in (see [`region_endpoint`]).
pub fn server_config(
    cert: &Leaf,
    client_ca: Option<&Ca>,
    transport: Option<quinn::TransportConfig>,
) -> quinn::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap();
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.cert.clone()).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut tls = builder
        .with_single_cert(vec![cert.cert.clone()], cert.key.clone_key())
        .unwrap();
    tls.alpn_protocols = vec![LINK_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls).unwrap();
    let mut server = quinn::ServerConfig::with_crypto(Arc::new(quic));
    if let Some(t) = transport {
        server.transport_config(Arc::new(t));
    }
    server
}

/// A region stand-in on a free loopback port presenting `cert`; with `client_ca` it requires
/// edge certificates from that CA. `transport` tunes QUIC (e.g. tiny receive windows).
pub fn region_endpoint(
    cert: &Leaf,
    client_ca: Option<&Ca>,
    transport: Option<quinn::TransportConfig>,
) -> quinn::Endpoint {
    quinn::Endpoint::server(
        server_config(cert, client_ca, transport),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap()
}
