//! The WebTransport certificate: self-signed (browsers pin it by SHA-256 hash) and rotated
//! before it expires, or a real certificate loaded from PEM files.
//!
//! The current hash (lowercase hex of the SHA-256 of the DER certificate) is kept in memory
//! and written to [`HASH_FILE`] in the data directory for the web server.

use crate::config::CertificateConfig;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, SystemTime};
use wtransport::Identity;

/// File in the data directory holding the current certificate hash (hex).
pub const HASH_FILE: &str = "webtransport_cert_hash.hex";

/// Errors making or loading the certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("invalid subject alternative name in certificate.subject_alt_names")]
    InvalidSan,
    #[error("cannot load certificate files: {0}")]
    Load(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug)]
struct Current {
    identity: Identity,
    hash_hex: String,
    /// `None` for a real certificate (not rotated by the edge).
    expires: Option<SystemTime>,
}

/// Owns the current WebTransport identity.
#[derive(Debug)]
pub struct CertManager {
    cfg: CertificateConfig,
    hash_file: PathBuf,
    current: RwLock<Current>,
}

impl CertManager {
    /// Load the configured certificate, or make a self-signed one; writes the hash file.
    pub async fn init(cfg: &CertificateConfig, data_dir: &Path) -> Result<Self, CertError> {
        let current = match (&cfg.cert_file, &cfg.key_file) {
            (Some(cert), Some(key)) => {
                let identity = Identity::load_pemfiles(cert, key)
                    .await
                    .map_err(|e| CertError::Load(e.to_string()))?;
                Current {
                    hash_hex: hash_of(&identity),
                    identity,
                    expires: None,
                }
            }
            _ => self_signed(cfg)?,
        };
        std::fs::create_dir_all(data_dir).map_err(|source| CertError::Write {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let mgr = Self {
            cfg: cfg.clone(),
            hash_file: data_dir.join(HASH_FILE),
            current: RwLock::new(current),
        };
        mgr.write_hash()?;
        Ok(mgr)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.current.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current identity.
    pub fn identity(&self) -> Identity {
        self.read().identity.clone_identity()
    }

    /// The current certificate's SHA-256 as lowercase hex.
    pub fn hash_hex(&self) -> String {
        self.read().hash_hex.clone()
    }

    /// Where the hash is written.
    pub fn hash_file(&self) -> &Path {
        &self.hash_file
    }

    /// How long until the certificate must be replaced; `None` if it is not rotated.
    pub fn time_to_rotation(&self, now: SystemTime) -> Option<Duration> {
        let expires = self.read().expires?;
        let rotate_at = expires.checked_sub(Duration::from_secs(self.cfg.rotate_before_secs))?;
        Some(rotate_at.duration_since(now).unwrap_or(Duration::ZERO))
    }

    /// Make a new self-signed certificate, make it current and return it.
    pub fn rotate(&self) -> Result<Identity, CertError> {
        let next = self_signed(&self.cfg)?;
        let identity = next.identity.clone_identity();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = next;
        self.write_hash()?;
        Ok(identity)
    }

    fn write_hash(&self) -> Result<(), CertError> {
        let hash = self.hash_hex();
        let tmp = self.hash_file.with_extension("tmp");
        std::fs::write(&tmp, format!("{hash}\n"))
            .and_then(|()| std::fs::rename(&tmp, &self.hash_file))
            .map_err(|source| CertError::Write {
                path: self.hash_file.clone(),
                source,
            })
    }
}

fn self_signed(cfg: &CertificateConfig) -> Result<Current, CertError> {
    let now = SystemTime::now();
    let identity = Identity::self_signed_builder()
        .subject_alt_names(&cfg.subject_alt_names)
        .from_now_utc()
        .validity_days(cfg.validity_days)
        .build()
        .map_err(|_| CertError::InvalidSan)?;
    let expires = now + Duration::from_secs(u64::from(cfg.validity_days) * 86_400);
    Ok(Current {
        hash_hex: hash_of(&identity),
        identity,
        expires: Some(expires),
    })
}

fn hash_of(identity: &Identity) -> String {
    identity
        .certificate_chain()
        .as_slice()
        .first()
        .map(|c| hex::encode(c.hash().as_ref()))
        .unwrap_or_default()
}
