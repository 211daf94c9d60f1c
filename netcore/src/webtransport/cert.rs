//! The browser certificate: self-signed ECDSA P-256, valid 14 days, pinned by its SHA-256.

use wtransport::Identity;

/// Validity of the self-signed certificate (browsers accept at most 14 days when pinning).
pub const CERT_VALIDITY_DAYS: u32 = 14;

/// Error making a certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("invalid subject alternative name")]
    InvalidName,
    #[error("the identity has no certificate")]
    Empty,
}

/// A self-signed identity for `names` (DNS names or IP addresses) and the SHA-256 of its
/// certificate, which browsers pass as `serverCertificateHashes`.
pub fn self_signed_identity(names: &[&str]) -> Result<(Identity, [u8; 32]), CertError> {
    let identity = Identity::self_signed_builder()
        .subject_alt_names(names.iter().copied())
        .from_now_utc()
        .validity_days(CERT_VALIDITY_DAYS)
        .build()
        .map_err(|_| CertError::InvalidName)?;
    let cert = identity
        .certificate_chain()
        .as_slice()
        .first()
        .ok_or(CertError::Empty)?;
    let hash = *cert.hash().as_ref();
    Ok((identity, hash))
}
