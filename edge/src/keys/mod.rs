//! The login service's public keys: loaded from a file, a URL (HTTPS with certificate
//! verification) or a fixed document, as one PEM key or a JWKS of keys by `kid`; cached and
//! refreshed.
//!
//! A failed refresh keeps the last good keys. A token naming a `kid` the store does not hold
//! asks for one extra refresh, at most once per [`UNKNOWN_KID_REFRESH`], so a login service
//! that rotated to a new key is followed at once and a stream of unknown `kid`s cannot turn
//! the edge into a fetch loop.

mod fetch;
mod set;

pub use fetch::{KeySource, KeyUrl};
pub use set::KeySet;

use jsonwebtoken::DecodingKey;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Least time between two refreshes asked for by tokens with an unknown `kid`.
pub const UNKNOWN_KID_REFRESH: Duration = Duration::from_secs(10);

/// Errors loading the keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read public key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot fetch public key from {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("public key is not an EC PEM key: {0}")]
    Parse(#[from] jsonwebtoken::errors::Error),
    #[error("invalid JWKS: {0}")]
    Jwks(String),
    #[error(
        "refusing the plain http:// key URL {0} (anyone on the path could swap the key): \
         use https://, or set jwt.allow_insecure_http = true on a trusted network"
    )]
    InsecureUrl(String),
    #[error("key URL {0} is neither https:// nor http://")]
    UnsupportedUrl(String),
    #[error("jwt.ca_file {path}: {reason}")]
    CaFile { path: PathBuf, reason: String },
}

/// The current keys, shared by verifiers. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KeyStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    source: KeySource,
    keys: RwLock<Option<Arc<KeySet>>>,
    /// When a token with an unknown `kid` last caused a refresh; held while it runs, so
    /// concurrent ones wait for it instead of fetching again.
    unknown_kid_refresh: tokio::sync::Mutex<Option<Instant>>,
}

impl KeyStore {
    /// A store reading its keys from `source`, empty until [`KeyStore::load`] succeeds.
    pub fn new(source: KeySource) -> Self {
        Self {
            inner: Arc::new(Inner {
                source,
                keys: RwLock::new(None),
                unknown_kid_refresh: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// A store holding the keys of a fixed document (PEM or JWKS), loaded now.
    pub fn from_document(document: &str) -> Result<Self, KeyError> {
        let store = Self::new(KeySource::Fixed(document.to_string()));
        store.set(KeySet::parse(document)?);
        Ok(store)
    }

    /// A store holding the key in `pem`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let store = Self::new(KeySource::Fixed(String::from_utf8_lossy(pem).into_owned()));
        store.set(KeySet::from_pem(pem)?);
        Ok(store)
    }

    /// Where the keys come from.
    pub fn source(&self) -> &KeySource {
        &self.inner.source
    }

    /// The keys in use, if any were ever loaded.
    pub fn keys(&self) -> Option<Arc<KeySet>> {
        self.inner
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The key for a token whose header names `kid` ([`KeySet::select`]).
    pub fn select(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        self.keys().and_then(|k| k.select(kid))
    }

    /// Whether keys are loaded.
    pub fn is_loaded(&self) -> bool {
        self.keys().is_some()
    }

    fn set(&self, keys: KeySet) {
        *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(keys));
    }

    /// Load once from the source; on failure the previous keys stay.
    pub async fn load(&self) -> Result<(), KeyError> {
        let document = fetch::fetch(&self.inner.source).await?;
        let keys = KeySet::parse(&document)?;
        tracing::debug!(kids = ?keys.kids(), "public keys loaded");
        self.set(keys);
        Ok(())
    }

    /// A token named a `kid` the store does not hold: refresh now, unless a refresh for this
    /// reason ran less than [`UNKNOWN_KID_REFRESH`] ago (or the source cannot change).
    /// Callers that arrive while one runs wait for it and do not fetch again.
    pub async fn refresh_for_unknown_kid(&self) {
        if !self.inner.source.refreshes() {
            return;
        }
        let mut last = self.inner.unknown_kid_refresh.lock().await;
        if last.is_some_and(|t| t.elapsed() < UNKNOWN_KID_REFRESH) {
            return;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.load().await {
            tracing::warn!(error = %e, "public key refresh for an unknown kid failed; keeping the last good keys");
        }
    }

    /// Load now and then every `refresh`; until the first success, retry every few seconds.
    pub fn spawn_refresh(&self, refresh: Duration) -> JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                let wait = match store.load().await {
                    Ok(()) => refresh,
                    Err(e) => {
                        tracing::warn!(error = %e, "public key refresh failed; keeping the last good key");
                        if store.is_loaded() {
                            refresh
                        } else {
                            refresh.min(Duration::from_secs(5))
                        }
                    }
                };
                tokio::time::sleep(wait).await;
            }
        })
    }
}
