//! Talking to the local server's HTTP API: where to connect and development tokens.

use serde_json::Value;
use std::net::SocketAddr;
use thiserror::Error;

/// Errors fetching connection details or a token.
#[derive(Debug, Error)]
pub enum HttpError {
    #[error("request to {url} failed: {message}")]
    Request { url: String, message: String },
    #[error("answer from {url} lacks field `{field}` or it is malformed")]
    Field { url: String, field: &'static str },
    #[error("http task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Longest a connect endpoint may take to answer.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Where and how to reach the edge, as served at `/api/connect-info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectInfo {
    /// The edge's encrypted UDP address.
    pub udp_addr: SocketAddr,
    /// The edge's static X25519 public key (Noise NK).
    pub udp_public_key: [u8; 32],
    /// The edge's QUIC address (`quic_addr`), if it advertises one.
    pub quic_addr: Option<SocketAddr>,
    /// The edge's WebTransport URL (`webtransport_url`), if it advertises one.
    pub webtransport_url: Option<String>,
    /// SHA-256 of the edge's certificate (`cert_hash`), pinned by QUIC and WebTransport.
    pub cert_hash: Option<[u8; 32]>,
    /// The edge's WebSocket URL (`websocket_url`), if it advertises one.
    pub websocket_url: Option<String>,
}

impl ConnectInfo {
    /// Encrypted UDP only (QUIC and WebTransport unknown).
    pub fn udp_only(udp_addr: SocketAddr, udp_public_key: [u8; 32]) -> Self {
        Self {
            udp_addr,
            udp_public_key,
            quic_addr: None,
            webtransport_url: None,
            cert_hash: None,
            websocket_url: None,
        }
    }

    /// Fetch from `<base>/api/connect-info`.
    pub async fn fetch(base: &str) -> Result<Self, HttpError> {
        let url = format!("{}/api/connect-info", base.trim_end_matches('/'));
        let v = get_json(url.clone()).await?;
        Self::from_json(&url, &v)
    }

    /// Ask a connect endpoint (`POST`, `Authorization: Bearer <token>`) for the edge to use.
    pub async fn from_connect_endpoint(url: &str, token: &str) -> Result<Self, HttpError> {
        Self::from_connect_endpoint_avoiding(url, token, None).await
    }

    /// [`ConnectInfo::from_connect_endpoint`] naming the edge the client lost (`?lost=`, an
    /// address of it), not to be handed out again. Gives up after [`CONNECT_TIMEOUT`].
    pub async fn from_connect_endpoint_avoiding(
        url: &str,
        token: &str,
        lost: Option<&str>,
    ) -> Result<Self, HttpError> {
        let u = url.to_string();
        let auth = format!("Bearer {token}");
        let lost = lost.map(str::to_string);
        let v = tokio::task::spawn_blocking(move || -> Result<Value, HttpError> {
            let err = |e: ureq::Error| HttpError::Request {
                url: u.clone(),
                message: e.to_string(),
            };
            let mut request = ureq::post(&u)
                .config()
                .timeout_global(Some(CONNECT_TIMEOUT))
                .build();
            if let Some(lost) = &lost {
                request = request.query("lost", lost);
            }
            request
                .header("Authorization", &auth)
                .send_empty()
                .map_err(err)?
                .body_mut()
                .read_json()
                .map_err(err)
        })
        .await??;
        Self::from_json(url, &v)
    }

    fn from_json(url: &str, v: &Value) -> Result<Self, HttpError> {
        let field = |field: &'static str| HttpError::Field {
            url: url.to_string(),
            field,
        };
        let udp_addr = v
            .get("udp_addr")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| field("udp_addr"))?;
        let udp_public_key = v
            .get("udp_public_key")
            .and_then(Value::as_str)
            .and_then(parse_key)
            .ok_or_else(|| field("udp_public_key"))?;
        // Optional fields: absent is fine, present but malformed is an error.
        let optional = |name: &'static str| v.get(name).filter(|x| !x.is_null());
        let quic_addr = optional("quic_addr")
            .map(|x| {
                x.as_str()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| field("quic_addr"))
            })
            .transpose()?;
        let url = |name: &'static str| {
            optional(name)
                .map(|x| {
                    x.as_str()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| field(name))
                })
                .transpose()
        };
        let webtransport_url = url("webtransport_url")?;
        let websocket_url = url("websocket_url")?;
        let cert_hash = optional("cert_hash")
            .map(|x| {
                x.as_str()
                    .and_then(parse_key)
                    .ok_or_else(|| field("cert_hash"))
            })
            .transpose()?;
        Ok(Self {
            udp_addr,
            udp_public_key,
            quic_addr,
            webtransport_url,
            cert_hash,
            websocket_url,
        })
    }
}

/// Parse a 32-byte key or hash written as 64 hex digits.
pub fn parse_key(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Ask the local server's development issuer for a token for `username`.
pub async fn fetch_dev_token(base: &str, username: &str) -> Result<String, HttpError> {
    let url = format!("{}/api/dev/token", base.trim_end_matches('/'));
    let body = serde_json::json!({ "username": username });
    let u = url.clone();
    let v = tokio::task::spawn_blocking(move || -> Result<Value, HttpError> {
        let err = |e: ureq::Error| HttpError::Request {
            url: u.clone(),
            message: e.to_string(),
        };
        ureq::post(&u)
            .send_json(&body)
            .map_err(err)?
            .body_mut()
            .read_json()
            .map_err(err)
    })
    .await??;
    v.get("token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(HttpError::Field {
            url,
            field: "token",
        })
}

async fn get_json(url: String) -> Result<Value, HttpError> {
    tokio::task::spawn_blocking(move || {
        let err = |e: ureq::Error| HttpError::Request {
            url: url.clone(),
            message: e.to_string(),
        };
        ureq::get(&url)
            .call()
            .map_err(err)?
            .body_mut()
            .read_json()
            .map_err(err)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_connect_info_and_rejects_bad_keys() {
        let key = "ab".repeat(32);
        let v = serde_json::json!({ "udp_addr": "127.0.0.1:4434", "udp_public_key": key });
        let info = ConnectInfo::from_json("u", &v).expect("valid");
        assert_eq!(info.udp_public_key, [0xab; 32]);
        let bad = serde_json::json!({ "udp_addr": "127.0.0.1:4434", "udp_public_key": "abc" });
        assert!(matches!(
            ConnectInfo::from_json("u", &bad),
            Err(HttpError::Field {
                field: "udp_public_key",
                ..
            })
        ));
        assert!(parse_key(&"zz".repeat(32)).is_none());
        assert_eq!(info.quic_addr, None);
        assert_eq!(info.cert_hash, None);
    }

    #[test]
    fn parses_the_quic_and_webtransport_fields() {
        let v = serde_json::json!({
            "udp_addr": "127.0.0.1:4434",
            "udp_public_key": "ab".repeat(32),
            "quic_addr": "127.0.0.1:4435",
            "webtransport_url": "https://127.0.0.1:4433/",
            "cert_hash": "cd".repeat(32),
        });
        let info = ConnectInfo::from_json("u", &v).expect("valid");
        assert_eq!(
            info.quic_addr,
            Some("127.0.0.1:4435".parse().expect("addr"))
        );
        assert_eq!(
            info.webtransport_url.as_deref(),
            Some("https://127.0.0.1:4433/")
        );
        assert_eq!(info.cert_hash, Some([0xcd; 32]));
        let mut bad = v.clone();
        bad["quic_addr"] = serde_json::json!("localhost");
        assert!(matches!(
            ConnectInfo::from_json("u", &bad),
            Err(HttpError::Field {
                field: "quic_addr",
                ..
            })
        ));
        let mut bad = v;
        bad["cert_hash"] = serde_json::json!(12);
        assert!(matches!(
            ConnectInfo::from_json("u", &bad),
            Err(HttpError::Field {
                field: "cert_hash",
                ..
            })
        ));
    }
}
