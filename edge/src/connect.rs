//! `POST /connect` on the edge's HTTP listener: a client presents its token
//! (`Authorization: Bearer <jwt>`), verified in full, and gets the edge of its region it
//! should connect to, with what to pin (JSON, the shape of `/api/connect-info`). A token
//! that fails is answered 401 (not valid: malformed, signature, issuer, expiry, size,
//! revoked: log in again) or 403 (valid but refused: not activated, banned, blacklisted)
//! with the reason's label; no edge
//! is 503. Answers are small: a few hundred bytes at most.
//!
//! The edge is one of the player's home region (from the directory: a registry records it;
//! otherwise, or when none is recorded, this edge's region). A client that lost its edge
//! without a word names it, `POST /connect?lost=<address>` (any of the edge's addresses), so
//! that an edge whose registry record has not expired yet is not handed out again.
//! Answers are counted by outcome (`starlane_edge_connect_answers_total`).

use crate::auth::Verifier;
use crate::directory::EdgeDirectory;
use crate::metrics::reason_label;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use prometheus::{IntCounterVec, Opts, Registry};
use serde::Deserialize;
use starlane_protocol::RejectReason;
use std::sync::Arc;

/// What the connect endpoint needs.
#[derive(Debug, Clone)]
pub struct ConnectState {
    /// Verifies the bearer token, as a hello's.
    pub verifier: Verifier,
    /// Where the region's edges are.
    pub directory: Arc<dyn EdgeDirectory>,
    /// This edge's region: the players' whose home region is not recorded.
    pub region: String,
    /// Longest token accepted (`jwt.max_token_bytes`).
    pub max_token_bytes: usize,
    /// Answers by outcome.
    pub metrics: ConnectMetrics,
}

/// `starlane_edge_connect_answers_total{outcome}`: `ok`, `unauthorized` (401), `forbidden`
/// (403), `no_edge` (503).
#[derive(Debug, Clone)]
pub struct ConnectMetrics {
    pub answers: IntCounterVec,
}

impl ConnectMetrics {
    /// Register the metrics in `registry`.
    pub fn new(registry: &Registry) -> Self {
        let answers = IntCounterVec::new(
            Opts::new(
                "starlane_edge_connect_answers_total",
                "Answers of POST /connect by outcome (ok, unauthorized, forbidden, no_edge)",
            ),
            &["outcome"],
        )
        .expect("metric names are valid");
        registry
            .register(Box::new(answers.clone()))
            .expect("registered once");
        Self { answers }
    }

    fn count(&self, outcome: &str) {
        self.answers.with_label_values(&[outcome]).inc();
    }
}

/// The query of `POST /connect`.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectQuery {
    /// An address of the edge the client lost (not to be handed out again).
    pub lost: Option<String>,
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

async fn connect(
    State(s): State<ConnectState>,
    Query(query): Query<ConnectQuery>,
    headers: HeaderMap,
) -> Response {
    let (status, reason) = match check(&s, &headers).await {
        Ok(user) => return answer(&s, user, query.lost.as_deref()).await,
        Err(refusal) => refusal,
    };
    let outcome = if status == StatusCode::FORBIDDEN {
        "forbidden"
    } else {
        "unauthorized"
    };
    s.metrics.count(outcome);
    refuse(status, reason)
}

/// The user of a valid bearer token, or the refusal.
async fn check(s: &ConnectState, headers: &HeaderMap) -> Result<i64, (StatusCode, &'static str)> {
    let Some(token) = bearer(headers) else {
        return Err((StatusCode::UNAUTHORIZED, "missing_bearer_token"));
    };
    if token.len() > s.max_token_bytes {
        let reason = reason_label(RejectReason::TokenTooLarge);
        return Err((StatusCode::UNAUTHORIZED, reason));
    }
    match s.verifier.verify_refreshing(token).await {
        Ok(player) => Ok(player.claims.user_id),
        Err(reason) => {
            let status = match reason {
                RejectReason::NotActivated | RejectReason::Banned | RejectReason::Blacklisted => {
                    StatusCode::FORBIDDEN
                }
                _ => StatusCode::UNAUTHORIZED,
            };
            Err((status, reason_label(reason)))
        }
    }
}

/// An edge of `user`'s home region, not the one the client lost.
async fn answer(s: &ConnectState, user: i64, lost: Option<&str>) -> Response {
    let region = s
        .directory
        .home_region(user)
        .await
        .unwrap_or_else(|| s.region.clone());
    match s.directory.pick(&region, lost).await {
        Some(edge) => {
            s.metrics.count("ok");
            let mut body = serde_json::to_value(&edge).unwrap_or_default();
            body["region"] = serde_json::Value::String(region);
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        None => {
            s.metrics.count("no_edge");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "no_edge_available")
        }
    }
}
