//! Reading a key document from its source: a file, a fixed document, or a URL fetched over
//! HTTPS with certificate verification (rustls on the ring provider; Mozilla's roots from
//! webpki-roots, or only the CAs of a configured file), plain HTTP only when allowed.

use super::KeyError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

/// Largest key document accepted from a URL.
const MAX_KEY_BYTES: u64 = 64 * 1024;
/// Longest a fetch may take, connection and TLS handshake included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A file holding a PEM public key or a JWKS, re-read on every refresh.
    File(PathBuf),
    /// A URL serving a PEM public key or a JWKS.
    Url(KeyUrl),
    /// A fixed document, PEM or JWKS (e.g. the dev issuer's keys).
    Fixed(String),
}

impl KeySource {
    /// Whether refreshing can change the keys (a file or a URL).
    pub fn refreshes(&self) -> bool {
        !matches!(self, Self::Fixed(_))
    }
}

/// A key URL and how its server is trusted.
#[derive(Debug, Clone)]
pub struct KeyUrl {
    url: String,
    /// The CAs of `jwt.ca_file`, or `None` for webpki's roots.
    roots: Option<Arc<Vec<Certificate<'static>>>>,
    insecure: bool,
}

impl KeyUrl {
    /// An `https://` URL verified against webpki's roots, or against only the CA
    /// certificates in the PEM file `ca_file` (private PKI). An `http://` URL is refused
    /// unless `allow_insecure_http` (`jwt.allow_insecure_http`).
    pub fn new(
        url: &str,
        ca_file: Option<&Path>,
        allow_insecure_http: bool,
    ) -> Result<Self, KeyError> {
        let insecure = if url.starts_with("https://") {
            false
        } else if url.starts_with("http://") {
            if !allow_insecure_http {
                return Err(KeyError::InsecureUrl(url.to_string()));
            }
            true
        } else {
            return Err(KeyError::UnsupportedUrl(url.to_string()));
        };
        let roots = ca_file.map(read_cas).transpose()?.map(Arc::new);
        Ok(Self {
            url: url.to_string(),
            roots,
            insecure,
        })
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Fetch the document (blocking: call it off the async runtime).
    fn get(&self) -> Result<String, String> {
        let roots = match &self.roots {
            Some(cas) => RootCerts::Specific(cas.clone()),
            None => RootCerts::WebPki,
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(FETCH_TIMEOUT))
            .tls_config(tls)
            // A redirect must not lead an https:// source to plain HTTP.
            .https_only(!self.insecure)
            .build()
            .into();
        let mut resp = agent.get(&self.url).call().map_err(|e| e.to_string())?;
        resp.body_mut()
            .with_config()
            .limit(MAX_KEY_BYTES)
            .read_to_string()
            .map_err(|e| e.to_string())
    }
}

/// The CA certificates of a PEM file (at least one).
fn read_cas(path: &Path) -> Result<Vec<Certificate<'static>>, KeyError> {
    let bad = |reason: String| KeyError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut cas = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(cert) = item.map_err(|e| bad(e.to_string()))? {
            cas.push(cert);
        }
    }
    if cas.is_empty() {
        return Err(bad("no CERTIFICATE in the file".into()));
    }
    Ok(cas)
}

/// Read the document of `source`.
pub(super) async fn fetch(source: &KeySource) -> Result<String, KeyError> {
    match source {
        KeySource::Fixed(doc) => Ok(doc.clone()),
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
            let fetched = tokio::task::spawn_blocking(move || u.get()).await;
            let reason = match fetched {
                Ok(Ok(doc)) => return Ok(doc),
                Ok(Err(reason)) => reason,
                Err(e) => e.to_string(),
            };
            Err(KeyError::Fetch {
                url: url.url.clone(),
                reason,
            })
        }
    }
}
