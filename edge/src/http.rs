//! The edge's HTTP endpoint: `/metrics`, `/healthz`, `/readyz`, and `/debug/sessions` (JSON:
//! every open session with its user and live link stats). It is an operator port: the session
//! list names players.

use crate::metrics::EdgeMetrics;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

/// Reports whether the edge can serve clients.
pub trait Readiness: Send + Sync + std::fmt::Debug {
    /// `Ok(())` when ready, else what is missing.
    fn check(&self) -> Result<(), String>;
}

#[derive(Debug, Clone)]
struct HttpState {
    metrics: EdgeMetrics,
    ready: Arc<dyn Readiness>,
}

/// The router serving the four endpoints.
pub fn router(metrics: EdgeMetrics, ready: Arc<dyn Readiness>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready_handler))
        .route("/debug/sessions", get(sessions_handler))
        .with_state(HttpState { metrics, ready })
}

async fn metrics_handler(State(s): State<HttpState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
}

async fn ready_handler(State(s): State<HttpState>) -> impl IntoResponse {
    match s.ready.check() {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(missing) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {missing}\n"),
        ),
    }
}

async fn sessions_handler(State(s): State<HttpState>) -> impl IntoResponse {
    Json(serde_json::json!({ "sessions": s.metrics.sessions.list() }))
}
