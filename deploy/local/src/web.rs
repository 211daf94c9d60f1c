//! The all-in-one server's HTTP side: the web client, connect info, the connect endpoint (on
//! the page's origin), and the dev token issuer.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use starlane_edge::{DevIssuer, EdgeHandle};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tower_http::services::ServeDir;

/// What the HTTP handlers need.
#[derive(Debug, Clone)]
pub struct WebState {
    /// The edge `/api/connect-info` hands out.
    pub edge: Arc<EdgeHandle>,
    /// The connect endpoint `/api/connect` asks (`http://<edge http>/connect`).
    pub connect_endpoint: String,
    pub issuer: Arc<DevIssuer>,
    /// Host name the browser uses to reach the edge (from the HTTP request's point of view).
    pub public_host: String,
}

/// The query of `POST /api/connect`, passed on to the edge's endpoint.
#[derive(Debug, Deserialize)]
struct ConnectQuery {
    /// An address of the edge the client lost without a word (protocol/SPEC.md §17.2).
    lost: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    username: String,
}

/// Where `/api/connect-info` tells clients to move through when their session is lost
/// (relative: on the page's origin, so a browser needs no cross-origin request).
pub const CONNECT_PATH: &str = "/api/connect";

/// Build the router: `/api/connect-info`, `POST /api/connect`, `POST /api/dev/token`, and the
/// static web client.
pub fn router(state: WebState, web_dir: &Path) -> Router {
    Router::new()
        .route("/api/connect-info", get(connect_info))
        .route(CONNECT_PATH, post(connect))
        .route("/api/dev/token", post(dev_token))
        .fallback_service(ServeDir::new(web_dir))
        .with_state(state)
}

async fn connect_info(State(s): State<WebState>) -> Response {
    let wt: SocketAddr = s.edge.webtransport_addr();
    let udp: SocketAddr = s.edge.udp_addr();
    let quic: SocketAddr = s.edge.quic_addr();
    // The WebSocket fallback binds loopback (plain ws://), as the page is served here.
    let websocket_url = s
        .edge
        .websocket_addr()
        .map(|ws| format!("ws://{}:{}/", s.public_host, ws.port()));
    Json(serde_json::json!({
        "webtransport_url": format!("https://{}:{}/", s.public_host, wt.port()),
        "cert_hash": s.edge.cert_hash(),
        "udp_addr": format!("{}:{}", s.public_host, udp.port()),
        "udp_public_key": hex_string(&s.edge.udp_public_key()),
        "quic_addr": format!("{}:{}", s.public_host, quic.port()),
        "websocket_url": websocket_url,
        "connect_url": CONNECT_PATH,
    }))
    .into_response()
}

/// `POST /api/connect[?lost=<address>]`: the edge's connect endpoint (protocol/SPEC.md §17) on
/// the page's origin; the token is verified by the edge, whose answer (or refusal) is passed
/// on, and `lost` is passed on to it.
async fn connect(
    State(s): State<WebState>,
    Query(query): Query<ConnectQuery>,
    headers: HeaderMap,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let endpoint = s.connect_endpoint.clone();
    let (status, body) =
        crate::second_edge::ask_connect_endpoint(endpoint, authorization, query.lost).await;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn dev_token(State(s): State<WebState>, Json(req): Json<TokenRequest>) -> Response {
    let name = req.username.trim();
    let valid = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({
                "error": "username must be 1-32 characters of letters, digits, '-' or '_'"
            })),
        )
            .into_response();
    }
    match s.issuer.issue(name) {
        Ok(token) => Json(serde_json::json!({ "token": token })).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({ "error": e.to_string() })),
        )
            .into_response(),
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
