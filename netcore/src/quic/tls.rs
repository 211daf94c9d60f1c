//! TLS of the QUIC driver: rustls with the ring provider, TLS 1.3, ALPN [`ALPN`].
//!
//! The server presents a [`QuicIdentity`] (the edge reuses its WebTransport certificate). The
//! native client trusts the server by [`QuicTrust`]: the SHA-256 of the end-entity certificate
//! (what `connect-info` hands out as `cert_hash`, also pinned by browsers), or a set of root
//! certificates for production certificates.

use super::ALPN;
use crate::tls::{BuildError, Identity, PinVerifier, ServerTrust};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// Error building a TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum QuicTlsError {
    #[error("the identity has no certificate")]
    NoCertificate,
    #[error("the private key is not DER PKCS#8, PKCS#1 or SEC1: {0}")]
    BadKey(&'static str),
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// A certificate chain (end entity first) and its private key, for the QUIC server.
#[derive(Debug)]
pub struct QuicIdentity(Identity);

impl QuicIdentity {
    /// An identity from a DER chain (end entity first) and its key.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, QuicTlsError> {
        if chain.is_empty() {
            return Err(QuicTlsError::NoCertificate);
        }
        Ok(Self(Identity { certs: chain, key }))
    }

    /// The same certificate and key as a wtransport identity (feature `webtransport`) (the edge's WebTransport
    /// certificate), so native QUIC clients can pin the hash browsers pin.
    #[cfg(feature = "webtransport")]
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
        self.0.fingerprint()
    }

    /// A copy (the key is copied too; keep copies short-lived).
    pub fn clone_identity(&self) -> Self {
        Self(self.0.clone_identity())
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

/// The server's TLS configuration for `identity`, as quinn crypto.
pub(super) fn server_crypto(
    identity: &QuicIdentity,
) -> Result<Arc<quinn::crypto::rustls::QuicServerConfig>, QuicTlsError> {
    Ok(crate::tls::quic_server_crypto(&identity.0, None, ALPN)?)
}

/// The client's TLS configuration for `trust`, as quinn crypto.
pub(super) fn client_crypto(
    trust: &QuicTrust,
) -> Result<Arc<quinn::crypto::rustls::QuicClientConfig>, QuicTlsError> {
    let trust = match trust {
        QuicTrust::PinnedSha256(hash) => {
            ServerTrust::Verifier(Arc::new(PinVerifier::pinned(*hash)))
        }
        QuicTrust::Roots(roots) => ServerTrust::Roots(roots.clone()),
    };
    Ok(crate::tls::quic_client_crypto(&trust, None, ALPN)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "webtransport")]
    fn identity_from_the_webtransport_certificate_keeps_its_hash() {
        let (wt, hash) =
            crate::webtransport::self_signed_identity(&["localhost"]).expect("valid name");
        let id = QuicIdentity::from_webtransport(&wt).expect("ecdsa pkcs8 key");
        assert_eq!(id.cert_hash(), Some(hash));
        assert!(server_crypto(&id).is_ok());
        assert!(client_crypto(&QuicTrust::PinnedSha256(hash)).is_ok());
        assert!(matches!(
            QuicIdentity::new(Vec::new(), id.0.key.clone_key()),
            Err(QuicTlsError::NoCertificate)
        ));
    }
}
