//! The operator listener (`[admin]`), on its own bind, loopback by default: every call
//! carries `Authorization: Bearer <admin.token>` when a token is configured (a non-loopback
//! bind refuses to start without one). Calls:
//!
//! * `POST /admin/drain`: put the edge in draining (as SIGTERM does); 202, or 200 if it
//!   already was.
//! * `POST /admin/revoke` with JSON `{"token": "<jwt>"}` or `{"user_id": 42}`: new hellos
//!   with that token (or any token of that user) are refused `Blacklisted`, through the
//!   [`Revoker`] the edge was given (in process: its token blacklist; in a cluster: the
//!   shared registry).
//!
//! There is no broadcast call here: an operator message to every client needs a client
//! message of its own, which comes with the cluster's registry.

use crate::auth::MemoryBlacklist;
use crate::connect::bearer;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

/// A revocation an operator asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// One whole token.
    pub token: Option<String>,
    /// Every token of one user.
    pub user_id: Option<i64>,
}

/// Applies revocations (the in-process blacklist, or a shared registry).
pub trait Revoker: Send + Sync + std::fmt::Debug {
    /// Revoke what `r` names; `Err` with a reason the operator sees.
    fn revoke(&self, r: &Revocation) -> Result<(), String>;
}

impl Revoker for MemoryBlacklist {
    fn revoke(&self, r: &Revocation) -> Result<(), String> {
        match (&r.token, r.user_id) {
            (Some(t), None) if !t.is_empty() => self.revoke_token(t),
            (None, Some(u)) => self.revoke_user(u),
            _ => return Err("name exactly one of token or user_id".into()),
        }
        Ok(())
    }
}

/// Puts the edge in draining; true if it was not draining before.
pub trait Drainer: Send + Sync + std::fmt::Debug {
    fn drain(&self) -> bool;
}

/// What the admin calls act on.
#[derive(Debug, Clone)]
pub struct AdminState {
    /// The bearer token required (`None`: calls need none; loopback only).
    pub token: Option<Arc<str>>,
    pub drainer: Arc<dyn Drainer>,
    pub revoker: Arc<dyn Revoker>,
}

/// The router of the admin listener.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/admin/drain", post(drain))
        .route("/admin/revoke", post(revoke))
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        .with_state(state)
}

/// Compare in time independent of where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn authorize(State(s): State<AdminState>, req: Request, next: Next) -> Response {
    if let Some(expected) = &s.token {
        match bearer(req.headers()) {
            Some(t) if same(t.as_bytes(), expected.as_bytes()) => {}
            Some(_) => return (StatusCode::FORBIDDEN, "wrong admin token\n").into_response(),
            None => {
                return (StatusCode::UNAUTHORIZED, "missing admin bearer token\n").into_response();
            }
        }
    }
    next.run(req).await
}

async fn drain(State(s): State<AdminState>) -> Response {
    if s.drainer.drain() {
        (StatusCode::ACCEPTED, "draining\n").into_response()
    } else {
        (StatusCode::OK, "already draining\n").into_response()
    }
}

async fn revoke(State(s): State<AdminState>, Json(r): Json<Revocation>) -> Response {
    match s.revoker.revoke(&r) {
        Ok(()) => (StatusCode::OK, "revoked\n").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    }
}
