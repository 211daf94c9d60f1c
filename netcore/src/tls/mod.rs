//! Certificates and TLS configurations shared by every rustls user of the workspace: both ends
//! of the edge-region link and the [`crate::quic`] driver. rustls with the ring provider only,
//! TLS 1.3 only.
//!
//! * Files: [`load_certs`] (PEM chain or one DER certificate), [`load_key`] (PEM private key),
//!   [`key_matches_cert`], and [`Identity`] (a chain and its key, loaded and checked).
//! * Pins: [`fingerprint`] (SHA-256 of a certificate's DER), [`parse_pin`], [`format_pin`].
//! * Trust: [`load_roots`] (a CA file as a root store) and the verifiers that accept a
//!   certificate when it chains to the CA and/or its fingerprint is pinned: [`PinVerifier`]
//!   for server certificates, [`ClientPinVerifier`] for (mandatory) client certificates.
//!   Refusals are reported to a [`RefusalObserver`] (logs, metrics).
//! * Configurations: [`client_config`] / [`server_config`] (rustls) and
//!   `quic_client_crypto` / `quic_server_crypto` (the same as quinn crypto, feature `quic`).
//!
//! * Development certificates (feature `pki`): [`pki`] (rcgen: self-signed pairs, a throwaway
//!   cluster CA issuing region and edge certificates, [`pki::ensure_dev_cluster`]).
//!
//! Each operation has its own error enum; errors about a file name the configuration field it
//! came from, the file and the fix. [`TlsError`] holds any of them, for callers that pass
//! them on.

mod config;
mod pem;
mod pin;
#[cfg(feature = "pki")]
pub mod pki;
mod verify;

pub use config::{BuildError, ServerTrust, client_config, server_config};
#[cfg(feature = "quic")]
pub use config::{quic_client_crypto, quic_server_crypto};
pub use pem::{
    CertFileError, Identity, IdentityError, KeyFileError, KeyMatchError, key_matches_cert,
    load_certs, load_key, pins_of_file,
};
pub use pin::{PIN_HEX_LEN, PinError, fingerprint, format_pin, parse_pin};
pub use verify::{
    ClientPinVerifier, PinVerifier, Refusal, RefusalKind, RefusalObserver, RootsError, TrustError,
    load_roots,
};

use std::sync::Arc;

/// The ring crypto provider every TLS configuration of the workspace uses.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Any error of this module's operations (each converts with `?`).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// [`load_certs`].
    #[error(transparent)]
    Certs(#[from] CertFileError),
    /// [`load_key`].
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// [`key_matches_cert`].
    #[error(transparent)]
    KeyMatch(#[from] KeyMatchError),
    /// [`Identity::load`].
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// [`parse_pin`].
    #[error(transparent)]
    Pin(#[from] PinError),
    /// [`load_roots`].
    #[error(transparent)]
    Roots(#[from] RootsError),
    /// [`PinVerifier::new`], [`ClientPinVerifier::new`].
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// [`client_config`], [`server_config`] and their quinn forms.
    #[error(transparent)]
    Build(#[from] BuildError),
}
