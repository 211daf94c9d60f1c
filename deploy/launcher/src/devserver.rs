//! The launcher's small development HTTP server: tokens from the cluster's development issuer
//! and, per region, where to connect, in the shapes `starlane-client` already speaks
//! (`starlane_client::fetch_dev_token`, `ConnectInfo::fetch`):
//!
//! * `POST /api/dev/token` and `POST /<region>/api/dev/token` with `{"username": ".."}`:
//!   `{"token": ".."}`, valid on every edge of every region.
//! * `GET /<region>/api/connect-info`: the first edge of the region that the launcher has not
//!   drained or stopped, with what to pin.
//! * `GET /api/cluster`: every edge, with its connect endpoint.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use starlane_edge::DevIssuer;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use tokio::sync::oneshot;

/// What an edge printed when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeInfo {
    /// Edge id.
    pub id: String,
    /// Encrypted UDP address.
    pub udp_addr: SocketAddr,
    /// Its static public key (hex).
    pub udp_public_key: String,
    /// WebTransport address.
    pub webtransport_addr: SocketAddr,
    /// SHA-256 of its certificate (hex), pinned by WebTransport and QUIC.
    pub cert_hash: String,
    /// QUIC address.
    pub quic_addr: SocketAddr,
    /// HTTP listener (`/metrics`, `/readyz`, `POST /connect`).
    pub http_addr: SocketAddr,
    /// Admin listener (`POST /admin/drain`, `/admin/revoke`, `/admin/broadcast`).
    pub admin_addr: SocketAddr,
    /// Its connect endpoint.
    pub connect_url: String,
}

impl EdgeInfo {
    /// The `/api/connect-info` answer for this edge.
    pub fn connect_info(&self) -> serde_json::Value {
        serde_json::json!({
            "webtransport_url": format!("https://{}/", self.webtransport_addr),
            "cert_hash": self.cert_hash,
            "udp_addr": self.udp_addr.to_string(),
            "udp_public_key": self.udp_public_key,
            "quic_addr": self.quic_addr.to_string(),
        })
    }
}

/// Every region's edges and whether each takes new players.
#[derive(Debug, Default)]
pub struct Directory {
    regions: RwLock<BTreeMap<String, Vec<(EdgeInfo, bool)>>>,
}

impl Directory {
    /// Record (or replace) `edge` of `region` as available.
    pub fn put(&self, region: &str, edge: EdgeInfo) {
        let mut regions = self.regions.write().unwrap_or_else(PoisonError::into_inner);
        let edges = regions.entry(region.to_string()).or_default();
        edges.retain(|(e, _)| e.id != edge.id);
        edges.push((edge, true));
    }

    /// Mark edge `id` as drained or stopped.
    pub fn set_unavailable(&self, id: &str) {
        let mut regions = self.regions.write().unwrap_or_else(PoisonError::into_inner);
        for edges in regions.values_mut() {
            for (e, up) in edges.iter_mut() {
                if e.id == id {
                    *up = false;
                }
            }
        }
    }

    /// The first available edge of `region`.
    pub fn pick(&self, region: &str) -> Option<EdgeInfo> {
        let regions = self.regions.read().unwrap_or_else(PoisonError::into_inner);
        regions
            .get(region)?
            .iter()
            .find(|(_, up)| *up)
            .map(|(e, _)| e.clone())
    }

    fn all(&self) -> serde_json::Value {
        let regions = self.regions.read().unwrap_or_else(PoisonError::into_inner);
        let map: serde_json::Map<String, serde_json::Value> = regions
            .iter()
            .map(|(r, edges)| {
                let list = edges
                    .iter()
                    .map(|(e, up)| {
                        let mut v = serde_json::to_value(e).unwrap_or_default();
                        v["available"] = serde_json::Value::Bool(*up);
                        v
                    })
                    .collect();
                (r.clone(), serde_json::Value::Array(list))
            })
            .collect();
        serde_json::Value::Object(map)
    }
}

#[derive(Debug, Clone)]
struct DevState {
    issuer: Arc<DevIssuer>,
    directory: Arc<Directory>,
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    username: String,
}

fn router(state: DevState) -> Router {
    Router::new()
        .route("/api/dev/token", post(token))
        .route("/api/cluster", get(cluster))
        .route("/{region}/api/dev/token", post(region_token))
        .route("/{region}/api/connect-info", get(connect_info))
        .with_state(state)
}

fn error(status: StatusCode, text: String) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

async fn token(State(s): State<DevState>, Json(req): Json<TokenRequest>) -> Response {
    let name = req.username.trim();
    let valid = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        let why = "username must be 1-32 characters of letters, digits, '-' or '_'";
        return error(StatusCode::BAD_REQUEST, why.into());
    }
    match s.issuer.issue(name) {
        Ok(token) => Json(serde_json::json!({ "token": token })).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn region_token(
    State(s): State<DevState>,
    Path(_region): Path<String>,
    req: Json<TokenRequest>,
) -> Response {
    token(State(s), req).await
}

async fn connect_info(State(s): State<DevState>, Path(region): Path<String>) -> Response {
    match s.directory.pick(&region) {
        Some(edge) => Json(edge.connect_info()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no available edge in region {region:?}"),
        ),
    }
}

async fn cluster(State(s): State<DevState>) -> Response {
    Json(s.directory.all()).into_response()
}

/// The running development server; dropping it stops it.
#[derive(Debug)]
pub struct DevServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl DevServer {
    /// Serve on `bind` (on the current tokio runtime).
    pub async fn start(
        bind: SocketAddr,
        issuer: Arc<DevIssuer>,
        directory: Arc<Directory>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(DevState { issuer, directory });
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("development server: {e}");
            }
        });
        Ok(Self {
            addr,
            stop: Some(stop),
        })
    }

    /// Its bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL for `region`, as `starlane-client --url` takes it.
    pub fn region_url(&self, region: &str) -> String {
        format!("http://{}/{region}", self.addr)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
