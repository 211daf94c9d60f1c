//! Whom to trust: CA roots from a file ([`load_roots`]) and the verifiers that accept a peer
//! certificate when it chains to the CA (webpki, ring) and/or its SHA-256 is pinned.
//! [`PinVerifier`] judges server certificates, [`ClientPinVerifier`] (mandatory) client
//! certificates; both report refusals to an optional [`RefusalObserver`].

use super::pem::{CertFileError, load_certs};
use super::pin::fingerprint;
use super::provider;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Error of [`load_roots`].
#[derive(Debug, thiserror::Error)]
pub enum RootsError {
    /// The file did not load.
    #[error(transparent)]
    Certs(#[from] CertFileError),
    /// A certificate of the file cannot be a trust anchor.
    #[error(
        "{field}: {path} holds no usable CA certificate: {detail}; fix: use the cluster CA's \
         PEM certificate"
    )]
    Invalid {
        field: &'static str,
        path: PathBuf,
        detail: String,
    },
}

/// Error building a verifier.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Neither CA roots nor pins: every certificate would be accepted.
    #[error("nothing to trust: no ca roots and no pins; fix: configure a ca file or pins")]
    Nothing,
    /// webpki refused the roots.
    #[error("cannot verify with these ca roots: {0}; fix: use the cluster CA's PEM certificate")]
    Roots(String),
}

/// The CA certificates of `path` (config field `field`) as a root store.
pub fn load_roots(path: &Path, field: &'static str) -> Result<Arc<RootCertStore>, RootsError> {
    let mut roots = RootCertStore::empty();
    for cert in load_certs(path, field)? {
        roots.add(cert).map_err(|e| RootsError::Invalid {
            field,
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
    }
    Ok(Arc::new(roots))
}

/// Why a certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalKind {
    /// It does not chain to the CA.
    UnknownCa,
    /// Its SHA-256 is not pinned.
    NotPinned,
    /// The peer presented none.
    NoCertificate,
    /// It is unusable: expired, wrong name or key usage, malformed.
    BadCertificate,
}

impl RefusalKind {
    /// The kind of a verification error.
    pub fn of(err: &rustls::Error) -> Self {
        match err {
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => Self::UnknownCa,
            rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure) => {
                Self::NotPinned
            }
            rustls::Error::NoCertificatesPresented => Self::NoCertificate,
            _ => Self::BadCertificate,
        }
    }
}

/// A refused certificate, as told to a [`RefusalObserver`].
#[derive(Debug)]
pub struct Refusal<'a> {
    /// Why.
    pub kind: RefusalKind,
    /// SHA-256 of the refused end-entity certificate.
    pub fingerprint: [u8; 32],
    /// The error the handshake fails with.
    pub error: &'a rustls::Error,
}

/// Told of every certificate a verifier refuses (to log and count it).
pub trait RefusalObserver: std::fmt::Debug + Send + Sync {
    /// One refusal.
    fn refused(&self, refusal: &Refusal<'_>);
}

/// What both verifiers share: the pins, the provider for handshake signatures, the observer.
#[derive(Debug)]
struct PinCheck {
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
    observer: Option<Arc<dyn RefusalObserver>>,
}

impl PinCheck {
    /// The check of `pins`, and the CA verifier `build` makes of `roots` (if any); at least
    /// one of both must be given.
    fn with_ca<V, E: std::fmt::Display>(
        roots: Option<Arc<RootCertStore>>,
        pins: Vec<[u8; 32]>,
        build: impl FnOnce(Arc<RootCertStore>, Arc<CryptoProvider>) -> Result<V, E>,
    ) -> Result<(Option<V>, Self), TrustError> {
        if roots.is_none() && pins.is_empty() {
            return Err(TrustError::Nothing);
        }
        let check = Self {
            pins,
            provider: provider(),
            observer: None,
        };
        let ca = roots
            .map(|roots| build(roots, check.provider.clone()))
            .transpose()
            .map_err(|e| TrustError::Roots(e.to_string()))?;
        Ok((ca, check))
    }

    /// The verdict on `end_entity` given the CA's (`Ok` when there is no CA): a CA refusal
    /// stands, then the certificate must be pinned when there are pins.
    fn judge(&self, end_entity: &[u8], ca: Result<(), rustls::Error>) -> Result<(), rustls::Error> {
        let error = match ca {
            Err(e) => e,
            Ok(()) if self.pins.is_empty() || self.pins.contains(&fingerprint(end_entity)) => {
                return Ok(());
            }
            Ok(()) => {
                rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
            }
        };
        if let Some(observer) = &self.observer {
            observer.refused(&Refusal {
                kind: RefusalKind::of(&error),
                fingerprint: fingerprint(end_entity),
                error: &error,
            });
        }
        Err(error)
    }
}

/// The handshake-signature methods both verifier traits require: checked with the ring
/// provider's algorithms (so the peer must hold the certificate's key).
macro_rules! verify_signatures_with_provider {
    () => {
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
                &self.check.provider.signature_verification_algorithms,
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
                &self.check.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.check
                .provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    };
}

/// Verifies a server's certificate: against the CA roots (chain and server name) when given,
/// and against the pins when there are any. With pins only, the server name is not checked.
#[derive(Debug)]
pub struct PinVerifier {
    ca: Option<Arc<WebPkiServerVerifier>>,
    check: PinCheck,
}

impl PinVerifier {
    /// Trust `roots` (if any) and `pins`; at least one must be given.
    pub fn new(roots: Option<Arc<RootCertStore>>, pins: Vec<[u8; 32]>) -> Result<Self, TrustError> {
        let (ca, check) = PinCheck::with_ca(roots, pins, |roots, provider| {
            WebPkiServerVerifier::builder_with_provider(roots, provider).build()
        })?;
        Ok(Self { ca, check })
    }

    /// Accept exactly the certificate whose SHA-256 is `pin`.
    pub fn pinned(pin: [u8; 32]) -> Self {
        Self {
            ca: None,
            check: PinCheck {
                pins: vec![pin],
                provider: provider(),
                observer: None,
            },
        }
    }

    /// Report refusals to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn RefusalObserver>) -> Self {
        self.check.observer = Some(observer);
        self
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let ca = self.ca.as_ref().map_or(Ok(()), |ca| {
            ca.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ())
        });
        self.check.judge(end_entity, ca)?;
        Ok(ServerCertVerified::assertion())
    }

    verify_signatures_with_provider!();
}

/// Verifies a client's certificate, which is required: against the CA roots when given, and
/// against the pins when there are any.
#[derive(Debug)]
pub struct ClientPinVerifier {
    ca: Option<Arc<dyn ClientCertVerifier>>,
    check: PinCheck,
}

impl ClientPinVerifier {
    /// Trust `roots` (if any) and `pins`; at least one must be given.
    pub fn new(roots: Option<Arc<RootCertStore>>, pins: Vec<[u8; 32]>) -> Result<Self, TrustError> {
        let (ca, check) = PinCheck::with_ca(roots, pins, |roots, provider| {
            WebPkiClientVerifier::builder_with_provider(roots, provider).build()
        })?;
        Ok(Self { ca, check })
    }

    /// Report refusals to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn RefusalObserver>) -> Self {
        self.check.observer = Some(observer);
        self
    }
}

impl ClientCertVerifier for ClientPinVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.ca.as_ref().map_or(&[], |ca| ca.root_hint_subjects())
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let ca = self.ca.as_ref().map_or(Ok(()), |ca| {
            ca.verify_client_cert(end_entity, intermediates, now)
                .map(|_| ())
        });
        self.check.judge(end_entity, ca)?;
        Ok(ClientCertVerified::assertion())
    }

    verify_signatures_with_provider!();
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
