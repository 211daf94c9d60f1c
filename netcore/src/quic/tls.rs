//! TLS of the QUIC driver: rustls with the ring provider, TLS 1.3, ALPN [`ALPN`].
//!
//! The server presents a [`QuicIdentity`] (the edge reuses its WebTransport certificate). The
//! native client trusts the server by [`QuicTrust`]: the SHA-256 of the end-entity certificate
//! (what `connect-info` hands out as `cert_hash`, also pinned by browsers), or a set of root
//! certificates for production certificates.

use super::ALPN;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// Error building a TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum QuicTlsError {
    #[error("the identity has no certificate")]
    NoCertificate,
    #[error("the private key is not DER PKCS#8, PKCS#1 or SEC1: {0}")]
    BadKey(&'static str),
    #[error("tls configuration rejected: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("tls configuration unusable for quic: {0}")]
    Quic(String),
}

/// A certificate chain (end entity first) and its private key, for the QUIC server.
pub struct QuicIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for QuicIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuicIdentity")
            .field("certificates", &self.chain.len())
            .field("cert_hash", &self.cert_hash().map(hex::encode))
            .finish_non_exhaustive()
    }
}

impl QuicIdentity {
    /// An identity from a DER chain (end entity first) and its key.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, QuicTlsError> {
        if chain.is_empty() {
            return Err(QuicTlsError::NoCertificate);
        }
        Ok(Self { chain, key })
    }

    /// The same certificate and key as a wtransport identity (the edge's WebTransport
    /// certificate), so native QUIC clients can pin the hash browsers pin.
    pub fn from_webtransport(identity: &wtransport::Identity) -> Result<Self, QuicTlsError> {
        let chain = identity
            .certificate_chain()
            .as_slice()
            .iter()
            .map(|c| CertificateDer::from(c.der().to_vec()))
            .collect();
        let key = PrivateKeyDer::try_from(identity.private_key().secret_der().to_vec())
            .map_err(QuicTlsError::BadKey)?;
        Self::new(chain, key)
    }

    /// SHA-256 of the end-entity certificate (what [`QuicTrust::PinnedSha256`] expects).
    pub fn cert_hash(&self) -> Option<[u8; 32]> {
        self.chain.first().map(|c| sha256(c.as_ref()))
    }

    /// A copy (the key is copied too; keep copies short-lived).
    pub fn clone_identity(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// How the native client decides to trust the server.
#[derive(Debug, Clone)]
pub enum QuicTrust {
    /// Accept exactly the end-entity certificate whose SHA-256 is this (the edge's
    /// self-signed certificate, as `cert_hash` from connect-info). Handshake signatures are
    /// still verified with the certificate's key.
    PinnedSha256([u8; 32]),
    /// Verify the chain up to one of these roots and check the server name (production
    /// certificates from a CA).
    Roots(Arc<rustls::RootCertStore>),
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server's TLS configuration for `identity`, as quinn crypto.
pub(super) fn server_crypto(
    identity: &QuicIdentity,
) -> Result<Arc<quinn::crypto::rustls::QuicServerConfig>, QuicTlsError> {
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map(Arc::new)
        .map_err(|e| QuicTlsError::Quic(e.to_string()))
}

/// The client's TLS configuration for `trust`, as quinn crypto.
pub(super) fn client_crypto(
    trust: &QuicTrust,
) -> Result<Arc<quinn::crypto::rustls::QuicClientConfig>, QuicTlsError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?;
    let mut tls = match trust {
        QuicTrust::PinnedSha256(hash) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedSha256 {
                hash: *hash,
                provider,
            }))
            .with_no_client_auth(),
        QuicTrust::Roots(roots) => builder
            .with_root_certificates(roots.clone())
            .with_no_client_auth(),
    };
    tls.alpn_protocols = vec![ALPN.to_vec()];
    quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map(Arc::new)
        .map_err(|e| QuicTlsError::Quic(e.to_string()))
}

/// Accepts exactly one end-entity certificate, named by its SHA-256; verifies the handshake
/// signatures with the ring provider (so the server must hold the certificate's key).
#[derive(Debug)]
struct PinnedSha256 {
    hash: [u8; 32],
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedSha256 {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if sha256(end_entity.as_ref()) == self.hash {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_from_the_webtransport_certificate_keeps_its_hash() {
        let (wt, hash) =
            crate::webtransport::self_signed_identity(&["localhost"]).expect("valid name");
        let id = QuicIdentity::from_webtransport(&wt).expect("ecdsa pkcs8 key");
        assert_eq!(id.cert_hash(), Some(hash));
        assert!(server_crypto(&id).is_ok());
        assert!(client_crypto(&QuicTrust::PinnedSha256(hash)).is_ok());
        assert!(matches!(
            QuicIdentity::new(Vec::new(), id.key.clone_key()),
            Err(QuicTlsError::NoCertificate)
        ));
    }
}
