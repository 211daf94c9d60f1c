//! Which edges may open a link: [`edge_verifier`] requires a client certificate and accepts it
//! when it chains to the cluster CA (`link.ca_file`, webpki with ring) and/or its SHA-256 is
//! pinned (`link.pins`, or the development edge certificate file). The verification itself is
//! [`starlane_netcore::tls::ClientPinVerifier`]; every refusal is logged with the
//! certificate's fingerprint and counted in [`LinkRefusals`].

use super::tls::{GENERATED_EDGE_SAN, TlsError};
use crate::config::{LinkConfig, parse_pin};
use crate::metrics::{LinkRefusals, RefusalReason};
use starlane_netcore::tls::pki::{self, Purpose};
use starlane_netcore::tls::{
    ClientPinVerifier, Refusal, RefusalKind, RefusalObserver, TlsError as NetTlsError, load_roots,
    pins_of_file,
};
use std::path::Path;
use std::sync::Arc;

pub use starlane_netcore::tls::{fingerprint, format_pin as hex};

/// The refusal reason of a verification error.
pub fn reason_of(err: &rustls::Error) -> RefusalReason {
    match RefusalKind::of(err) {
        RefusalKind::UnknownCa => RefusalReason::UnknownCa,
        RefusalKind::NotPinned => RefusalReason::NotPinned,
        RefusalKind::NoCertificate => RefusalReason::NoClientCert,
        RefusalKind::BadCertificate => RefusalReason::BadCertificate,
    }
}

/// Logs and counts the edge certificates the region refuses.
#[derive(Debug)]
struct EdgeRefusals(Arc<LinkRefusals>);

impl RefusalObserver for EdgeRefusals {
    fn refused(&self, refusal: &Refusal<'_>) {
        let reason = reason_of(refusal.error);
        self.0.count(reason);
        tracing::warn!(
            reason = reason.label(),
            sha256 = %hex(&refusal.fingerprint),
            error = %refusal.error,
            "edge link refused: untrusted client certificate"
        );
    }
}

/// The verifier of edges' client certificates for `link` (files resolved against
/// `data_dir`), counting refusals in `refusals`. In the development fallback (no CA, no pins)
/// the edge certificate file is pinned, and generated (with its key) when it is the default
/// one and missing.
pub fn edge_verifier(
    link: &LinkConfig,
    data_dir: &Path,
    refusals: Arc<LinkRefusals>,
) -> Result<ClientPinVerifier, TlsError> {
    let roots = if link.ca_file.as_os_str().is_empty() {
        None
    } else {
        Some(load_roots(&link.ca_file, "link.ca_file").map_err(NetTlsError::from)?)
    };
    // Syntax was validated with the config; a bad pin here matches nothing.
    let mut pins: Vec<[u8; 32]> = link.pins.iter().filter_map(|p| parse_pin(p).ok()).collect();
    if link.uses_dev_fallback() {
        let file = link.effective_edge_cert(data_dir);
        if link.edge_cert_file.as_os_str().is_empty() && !file.exists() {
            let (cert, key) = LinkConfig::dev_edge_paths(data_dir);
            pki::self_signed(&[GENERATED_EDGE_SAN], Purpose::Edge)?.write(&cert, &key)?;
            tracing::info!(cert = %cert.display(), "generated the development edge link identity");
        }
        pins.extend(pins_of_file(&file, "link.edge_cert_file").map_err(NetTlsError::from)?);
        tracing::warn!(
            file = %file.display(),
            "link trust: development fallback, pinning the edge certificate file \
             (set link.ca_file or link.pins for production)"
        );
    }
    let verifier = ClientPinVerifier::new(roots, pins).map_err(NetTlsError::from)?;
    Ok(verifier.with_observer(Arc::new(EdgeRefusals(refusals))))
}
