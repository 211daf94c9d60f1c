//! TLS 1.3 configurations (ring provider, one ALPN protocol) for clients and servers, as
//! rustls configurations or as quinn crypto.

use super::pem::Identity;
use super::provider;
use rustls::RootCertStore;
use rustls::client::danger::ServerCertVerifier;
use rustls::server::danger::ClientCertVerifier;
use std::sync::Arc;

/// Error building a configuration.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// rustls refused the certificate, key or protocol settings.
    #[error(
        "tls configuration rejected: {0}; fix: use a certificate chain and key usable with tls \
         1.3 (ECDSA P-256/P-384, Ed25519 or RSA)"
    )]
    Rustls(#[from] rustls::Error),
    /// quinn refused the rustls configuration.
    #[error(
        "tls configuration unusable for quic: {0}; fix: enable tls 1.3 with a quic cipher suite"
    )]
    Quic(String),
}

/// How a client decides to trust the server.
#[derive(Debug, Clone)]
pub enum ServerTrust {
    /// The chain must verify up to one of these roots and be valid for the server name.
    Roots(Arc<RootCertStore>),
    /// A custom verifier, e.g. a [`super::PinVerifier`].
    Verifier(Arc<dyn ServerCertVerifier>),
}

/// A client configuration trusting the server by `trust`, presenting `client` (if any) and
/// offering `alpn`.
pub fn client_config(
    trust: &ServerTrust,
    client: Option<&Identity>,
    alpn: &[u8],
) -> Result<rustls::ClientConfig, BuildError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?;
    let builder = match trust {
        ServerTrust::Roots(roots) => builder.with_root_certificates(roots.clone()),
        ServerTrust::Verifier(verifier) => builder
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone()),
    };
    let mut tls = match client {
        Some(id) => builder.with_client_auth_cert(id.certs.clone(), id.key.clone_key())?,
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![alpn.to_vec()];
    Ok(tls)
}

/// A server configuration presenting `identity`, requiring client certificates judged by
/// `clients` (none asked for without it) and accepting `alpn`.
pub fn server_config(
    identity: &Identity,
    clients: Option<Arc<dyn ClientCertVerifier>>,
    alpn: &[u8],
) -> Result<rustls::ServerConfig, BuildError> {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?;
    let builder = match clients {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut tls = builder.with_single_cert(identity.certs.clone(), identity.key.clone_key())?;
    tls.alpn_protocols = vec![alpn.to_vec()];
    Ok(tls)
}

/// [`client_config`] as quinn crypto.
#[cfg(feature = "quic")]
pub fn quic_client_crypto(
    trust: &ServerTrust,
    client: Option<&Identity>,
    alpn: &[u8],
) -> Result<Arc<quinn::crypto::rustls::QuicClientConfig>, BuildError> {
    let tls = client_config(trust, client, alpn)?;
    quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map(Arc::new)
        .map_err(|e| BuildError::Quic(e.to_string()))
}

/// [`server_config`] as quinn crypto.
#[cfg(feature = "quic")]
pub fn quic_server_crypto(
    identity: &Identity,
    clients: Option<Arc<dyn ClientCertVerifier>>,
    alpn: &[u8],
) -> Result<Arc<quinn::crypto::rustls::QuicServerConfig>, BuildError> {
    let tls = server_config(identity, clients, alpn)?;
    quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map(Arc::new)
        .map_err(|e| BuildError::Quic(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::pem::tests::self_signed;
    use super::super::{PinVerifier, fingerprint};
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    fn identity() -> Identity {
        let (cert, key, _) = self_signed("localhost");
        Identity {
            certs: vec![CertificateDer::from_pem_slice(cert.as_bytes()).expect("PEM")],
            key: PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("PKCS#8"),
        }
    }

    #[test]
    fn configurations_are_tls13_with_the_alpn() {
        let server = identity();
        let client = identity();
        let pin = fingerprint(server.cert_der());
        let trust = ServerTrust::Verifier(Arc::new(PinVerifier::pinned(pin)));
        let tls = client_config(&trust, Some(&client), b"test/1").expect("client");
        assert_eq!(tls.alpn_protocols, vec![b"test/1".to_vec()]);
        assert!(tls.client_auth_cert_resolver.has_certs());
        let verifier = Arc::new(
            super::super::ClientPinVerifier::new(None, vec![fingerprint(client.cert_der())])
                .expect("a pin"),
        );
        let tls = server_config(&server, Some(verifier), b"test/1").expect("server");
        assert_eq!(tls.alpn_protocols, vec![b"test/1".to_vec()]);
        assert!(quic_client_crypto(&trust, None, b"test/1").is_ok());
        assert!(quic_server_crypto(&server, None, b"test/1").is_ok());
    }

    #[test]
    fn a_key_of_another_certificate_is_rejected() {
        let mut server = identity();
        server.key = identity().key;
        assert!(matches!(
            server_config(&server, None, b"test/1"),
            Err(BuildError::Rustls(_))
        ));
    }
}
