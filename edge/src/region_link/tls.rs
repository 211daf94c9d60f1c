//! TLS of the region link, edge side: which region certificates are trusted (cluster CA with
//! webpki and/or SHA-256 pins, or the development pinned file) and which client certificate
//! the edge presents. The certificate handling itself is [`starlane_netcore::tls`] (rustls
//! with the ring provider, TLS 1.3; its [`TlsError`]s name the field and the fix); here are the
//! edge's fields, its refusal metrics and logs.

use crate::metrics::RegionLinkMetrics;
use starlane_netcore::tls::{
    Identity, PinVerifier, Refusal, RefusalKind, RefusalObserver, ServerTrust, TlsError,
    format_pin, load_roots, pins_of_file,
};
use starlane_protocol::link::LINK_ALPN;
use std::path::Path;
use std::sync::Arc;

/// Config field of the edge's client certificate and key.
const CERT_FIELD: &str = "region_link.cert_file";

/// The metric label of a refusal (`unknown_ca`, `not_pinned`, `bad_certificate`).
fn refusal_label(kind: RefusalKind) -> &'static str {
    match kind {
        RefusalKind::UnknownCa => "unknown_ca",
        RefusalKind::NotPinned => "not_pinned",
        RefusalKind::NoCertificate | RefusalKind::BadCertificate => "bad_certificate",
    }
}

/// Logs and counts the region certificates the edge refuses.
#[derive(Debug)]
struct RegionRefusals(RegionLinkMetrics);

impl RefusalObserver for RegionRefusals {
    fn refused(&self, refusal: &Refusal<'_>) {
        let reason = refusal_label(refusal.kind);
        self.0.refusals.with_label_values(&[reason]).inc();
        tracing::warn!(
            reason,
            sha256 = %format_pin(&refusal.fingerprint),
            error = %refusal.error,
            "region link refused: untrusted region certificate"
        );
    }
}

/// The verifier of region certificates: the cluster CA in `ca_file` (chain and server name)
/// and/or `pins`; at least one must be given. Refusals are logged and counted in `metrics`.
pub fn region_verifier(
    ca_file: Option<&Path>,
    pins: Vec<[u8; 32]>,
    metrics: RegionLinkMetrics,
) -> Result<PinVerifier, TlsError> {
    let roots = ca_file
        .map(|path| load_roots(path, "region_link.ca_file"))
        .transpose()?;
    Ok(PinVerifier::new(roots, pins)?.with_observer(Arc::new(RegionRefusals(metrics))))
}

/// Development trust: the pins of the region certificate file the region wrote.
pub fn dev_pins(region_cert_file: &Path) -> Result<Vec<[u8; 32]>, TlsError> {
    Ok(pins_of_file(
        region_cert_file,
        "region_link.region_cert_file",
    )?)
}

/// The edge's client certificate and key (`region_link.cert_file`/`key_file`), checked to
/// match.
pub fn load_client_identity(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
    Ok(Identity::load(cert, key, CERT_FIELD)?)
}

/// The link's quinn client crypto: TLS 1.3, ALPN [`LINK_ALPN`], the region judged by
/// `verifier`, `client` presented when given.
pub fn client_crypto(
    verifier: PinVerifier,
    client: Option<&Identity>,
) -> Result<Arc<quinn::crypto::rustls::QuicClientConfig>, TlsError> {
    let trust = ServerTrust::Verifier(Arc::new(verifier));
    Ok(starlane_netcore::tls::quic_client_crypto(
        &trust, client, LINK_ALPN,
    )?)
}
