//! `POST /connect` on the edge's HTTP listener: a client presents its token
//! (`Authorization: Bearer <jwt>`), verified in full, and gets the edge of its region it
//! should connect to, with what to pin (JSON, the shape of `/api/connect-info`). A token
//! that fails is answered 401 (not valid: malformed, signature, issuer, expiry, size) or
//! 403 (valid but refused: not activated, banned, revoked) with the reason's label; no edge
//! is 503. Answers are small: a few hundred bytes at most.

use crate::auth::Verifier;
use crate::directory::EdgeDirectory;
use crate::metrics::reason_label;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use starlane_protocol::RejectReason;
use std::sync::Arc;

/// What the connect endpoint needs.
#[derive(Debug, Clone)]
pub struct ConnectState {
    /// Verifies the bearer token, as a hello's.
    pub verifier: Verifier,
    /// Where the region's edges are.
    pub directory: Arc<dyn EdgeDirectory>,
    /// The player's region (this edge's: home regions come with the player store).
    pub region: String,
    /// Longest token accepted (`jwt.max_token_bytes`).
    pub max_token_bytes: usize,
}

/// The router serving `POST /connect`.
pub fn router(state: ConnectState) -> Router {
    Router::new()
        .route("/connect", post(connect))
        .with_state(state)
}

fn refuse(status: StatusCode, reason: &str) -> Response {
    let body = serde_json::json!({ "error": reason }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The bearer token of `headers`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn connect(State(s): State<ConnectState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return refuse(StatusCode::UNAUTHORIZED, "missing_bearer_token");
    };
    if token.len() > s.max_token_bytes {
        return refuse(
            StatusCode::UNAUTHORIZED,
            reason_label(RejectReason::TokenTooLarge),
        );
    }
    if let Err(reason) = s.verifier.verify_refreshing(token).await {
        let status = match reason {
            RejectReason::NotActivated | RejectReason::Banned | RejectReason::Blacklisted => {
                StatusCode::FORBIDDEN
            }
            _ => StatusCode::UNAUTHORIZED,
        };
        return refuse(status, reason_label(reason));
    }
    match s.directory.pick(&s.region) {
        Some(edge) => {
            let mut body = serde_json::to_value(&edge).unwrap_or_default();
            body["region"] = serde_json::Value::String(s.region.clone());
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        None => refuse(StatusCode::SERVICE_UNAVAILABLE, "no_edge_available"),
    }
}
