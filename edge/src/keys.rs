//! The login service's public key: loaded from a PEM file or an HTTP URL, cached, refreshed.
//!
//! A failed refresh keeps the last good key.

use jsonwebtoken::DecodingKey;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Largest PEM document accepted from the key URL.
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// Where the public key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A PEM file, re-read on every refresh.
    File(PathBuf),
    /// An `http://` URL serving the PEM.
    Url(String),
    /// A fixed PEM (e.g. the dev issuer's key).
    Pem(String),
}

/// Errors loading the public key.
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
}

/// The current key, shared by verifiers. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    current: Arc<RwLock<Option<Arc<DecodingKey>>>>,
}

impl KeyStore {
    /// A store holding the key in `pem`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let store = Self::default();
        store.set(DecodingKey::from_ec_pem(pem)?);
        Ok(store)
    }

    /// The key in use, if one was ever loaded.
    pub fn current(&self) -> Option<Arc<DecodingKey>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether a key is loaded.
    pub fn is_loaded(&self) -> bool {
        self.current().is_some()
    }

    fn set(&self, key: DecodingKey) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(key));
    }

    /// Load once from `source`; on failure the previous key stays.
    pub async fn load(&self, source: &KeySource) -> Result<(), KeyError> {
        let pem = fetch_pem(source).await?;
        self.set(DecodingKey::from_ec_pem(pem.as_bytes())?);
        Ok(())
    }

    /// Load now and then every `refresh`; until the first success, retry every few seconds.
    pub fn spawn_refresh(&self, source: KeySource, refresh: Duration) -> JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                let wait = match store.load(&source).await {
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

async fn fetch_pem(source: &KeySource) -> Result<String, KeyError> {
    match source {
        KeySource::Pem(pem) => Ok(pem.clone()),
        KeySource::File(path) => {
            tokio::fs::read_to_string(path)
                .await
                .map_err(|source| KeyError::Read {
                    path: path.clone(),
                    source,
                })
        }
        KeySource::Url(url) => {
            let u = url.clone();
            let fetched = tokio::task::spawn_blocking(move || http_get(&u)).await;
            match fetched {
                Ok(r) => r.map_err(|reason| KeyError::Fetch {
                    url: url.clone(),
                    reason,
                }),
                Err(e) => Err(KeyError::Fetch {
                    url: url.clone(),
                    reason: e.to_string(),
                }),
            }
        }
    }
}

fn http_get(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| e.to_string())?;
    resp.body_mut()
        .with_config()
        .limit(MAX_KEY_BYTES)
        .read_to_string()
        .map_err(|e| e.to_string())
}
