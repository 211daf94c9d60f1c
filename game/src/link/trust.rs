//! Which edges may open a link: [`EdgeVerifier`] requires a client certificate and accepts it
//! when it chains to the cluster CA (`link.ca_file`, webpki with ring) and/or its SHA-256 is
//! pinned (`link.pins`, or the development edge certificate file). Every refusal is logged with
//! the certificate's fingerprint and counted in [`LinkRefusals`].

use super::pki::{self, Purpose};
use super::tls::{GENERATED_EDGE_SAN, TlsError, load_certs, provider, write_pem};
use crate::config::{LinkConfig, parse_pin};
use crate::metrics::{LinkRefusals, RefusalReason};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

/// SHA-256 of a certificate's DER: what a pin names.
pub fn fingerprint(cert: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies edges' client certificates against the configured trust.
#[derive(Debug)]
pub struct EdgeVerifier {
    ca: Option<Arc<dyn ClientCertVerifier>>,
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
    refusals: Arc<LinkRefusals>,
}

impl EdgeVerifier {
    /// The verifier for `link` (files resolved against `data_dir`). In the development
    /// fallback (no CA, no pins) the edge certificate file is pinned, and generated (with its
    /// key) when it is the default one and missing.
    pub fn from_config(
        link: &LinkConfig,
        data_dir: &Path,
        refusals: Arc<LinkRefusals>,
    ) -> Result<Self, TlsError> {
        let provider = provider();
        let ca = if link.ca_file.as_os_str().is_empty() {
            None
        } else {
            let mut roots = rustls::RootCertStore::empty();
            for cert in load_certs(&link.ca_file, "link.ca_file")? {
                roots.add(cert).map_err(|e| TlsError::Pem {
                    field: "link.ca_file",
                    path: link.ca_file.clone(),
                    what: "CA certificate",
                    detail: e.to_string(),
                    fix: "use the cluster CA's PEM certificate",
                })?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider.clone(),
            )
            .build()
            .map_err(|e| TlsError::Pem {
                field: "link.ca_file",
                path: link.ca_file.clone(),
                what: "CA certificate",
                detail: e.to_string(),
                fix: "use the cluster CA's PEM certificate",
            })?;
            Some(verifier)
        };
        // Syntax was validated with the config; a bad pin here matches nothing.
        let mut pins: Vec<[u8; 32]> = link.pins.iter().filter_map(|p| parse_pin(p)).collect();
        if link.uses_dev_fallback() {
            let file = link.effective_edge_cert(data_dir);
            if link.edge_cert_file.as_os_str().is_empty() && !file.exists() {
                let (cert, key) = LinkConfig::dev_edge_paths(data_dir);
                let pair = pki::self_signed(&[GENERATED_EDGE_SAN], Purpose::Edge)?;
                write_pem(&key, &pair.key_pem)?;
                write_pem(&cert, &pair.cert_pem)?;
                tracing::info!(cert = %cert.display(), "generated the development edge link identity");
            }
            for cert in load_certs(&file, "link.edge_cert_file")? {
                pins.push(fingerprint(&cert));
            }
            tracing::warn!(
                file = %file.display(),
                "link trust: development fallback, pinning the edge certificate file \
                 (set link.ca_file or link.pins for production)"
            );
        }
        Ok(Self {
            ca,
            pins,
            provider,
            refusals,
        })
    }

    fn refuse(&self, cert: &[u8], reason: RefusalReason, err: rustls::Error) -> rustls::Error {
        self.refusals.count(reason);
        tracing::warn!(
            reason = reason.label(),
            sha256 = %hex(&fingerprint(cert)),
            error = %err,
            "edge link refused: untrusted client certificate"
        );
        err
    }
}

/// The refusal reason of a webpki verification error.
pub fn reason_of(err: &rustls::Error) -> RefusalReason {
    match err {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            RefusalReason::UnknownCa
        }
        rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure) => {
            RefusalReason::NotPinned
        }
        rustls::Error::NoCertificatesPresented => RefusalReason::NoClientCert,
        _ => RefusalReason::BadCertificate,
    }
}

impl ClientCertVerifier for EdgeVerifier {
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
        if let Some(ca) = &self.ca
            && let Err(e) = ca.verify_client_cert(end_entity, intermediates, now)
        {
            return Err(self.refuse(end_entity, reason_of(&e), e));
        }
        if !self.pins.is_empty() && !self.pins.contains(&fingerprint(end_entity)) {
            let e =
                rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure);
            return Err(self.refuse(end_entity, RefusalReason::NotPinned, e));
        }
        Ok(ClientCertVerified::assertion())
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
