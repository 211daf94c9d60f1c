//! The operator listener (`[admin]`), on its own bind, loopback by default: every call
//! carries `Authorization: Bearer <admin.token>` when a token is configured (a non-loopback
//! bind refuses to start without one). Calls:
//!
//! * `POST /admin/drain`: put the edge in draining (as SIGTERM does); 202, or 200 if it
//!   already was.
//! * `POST /admin/revoke` with JSON naming exactly one of `{"token": "<jwt>"}`,
//!   `{"jti": "<id>"}` or `{"user_id": 42}`, and optionally `"until": <unix seconds>` (default
//!   seven days from now): through the [`Revoker`] the edge was given, by default the cluster
//!   ([`ClusterAdmin`]): every edge of the cluster refuses the token with `Revoked` and closes
//!   the sessions open with it (within a second; in process, this edge only).
//! * `POST /admin/broadcast` with JSON `{"text": "..."}` (1 to 1024 bytes): a `Notice` of kind
//!   `Broadcast` to every connected client of every edge of the cluster.

use crate::auth::MemoryBlacklist;
use crate::connect::bearer;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A revocation an operator asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// One whole token (revoked by its SHA-256).
    pub token: Option<String>,
    /// A token's `jti` claim.
    pub jti: Option<String>,
    /// Every token of one user.
    pub user_id: Option<i64>,
    /// Until when (unix seconds); default [`DEFAULT_REVOCATION_SECS`] from now.
    pub until: Option<i64>,
}

/// How long a revocation without `until` lasts: seven days.
pub const DEFAULT_REVOCATION_SECS: i64 = 7 * 24 * 3600;

impl Revocation {
    /// The cluster's form of it at `now`; `Err` with what is wrong in the request.
    pub fn to_cluster(&self, now: i64) -> Result<starlane_cluster::Revocation, String> {
        use starlane_cluster::RevocationKey;
        let key = match (&self.token, &self.jti, self.user_id) {
            (Some(t), None, None) if !t.is_empty() => {
                RevocationKey::TokenHash(starlane_cluster::token_sha256(t))
            }
            (None, Some(j), None) if !j.is_empty() => RevocationKey::Jti(j.clone()),
            (None, None, Some(u)) => RevocationKey::User(u),
            _ => return Err("name exactly one of token, jti or user_id".into()),
        };
        let until = self.until.unwrap_or(now + DEFAULT_REVOCATION_SECS);
        if until <= now {
            return Err(format!("until {until} is not in the future (now {now})"));
        }
        Ok(starlane_cluster::Revocation { key, until })
    }
}

/// What an admin call's work returns: `Err` with a reason the operator sees.
pub type AdminFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Applies revocations (the cluster, or the in-process blacklist).
pub trait Revoker: Send + Sync + std::fmt::Debug {
    /// Revoke what `r` names.
    fn revoke<'a>(&'a self, r: &'a Revocation) -> AdminFuture<'a>;
}

/// Sends an operator's text to every connected client.
pub trait Broadcaster: Send + Sync + std::fmt::Debug {
    /// Broadcast `text`.
    fn broadcast<'a>(&'a self, text: &'a str) -> AdminFuture<'a>;
}

impl Revoker for MemoryBlacklist {
    fn revoke<'a>(&'a self, r: &'a Revocation) -> AdminFuture<'a> {
        let done = match (&r.token, &r.jti, r.user_id) {
            (Some(t), None, None) if !t.is_empty() => {
                self.revoke_token(t);
                Ok(())
            }
            (None, None, Some(u)) => {
                self.revoke_user(u);
                Ok(())
            }
            _ => Err("name exactly one of token or user_id".into()),
        };
        Box::pin(std::future::ready(done))
    }
}

/// Revocations and broadcasts through the cluster (Redis, or in process), reaching every edge.
#[derive(Debug, Clone)]
pub struct ClusterAdmin(pub starlane_cluster::Cluster);

impl Revoker for ClusterAdmin {
    fn revoke<'a>(&'a self, r: &'a Revocation) -> AdminFuture<'a> {
        Box::pin(async move {
            let revocation = r.to_cluster(crate::auth::unix_now())?;
            self.0.revoke(&revocation).await.map_err(|e| e.to_string())
        })
    }
}

impl Broadcaster for ClusterAdmin {
    fn broadcast<'a>(&'a self, text: &'a str) -> AdminFuture<'a> {
        Box::pin(async move {
            if text.is_empty() || text.len() > starlane_protocol::codec::MAX_NOTICE_LEN {
                return Err(format!(
                    "text must be 1 to {} bytes, not {}",
                    starlane_protocol::codec::MAX_NOTICE_LEN,
                    text.len()
                ));
            }
            let event = starlane_cluster::ClusterEvent::Broadcast { text: text.into() };
            self.0.publish(&event).await.map_err(|e| e.to_string())
        })
    }
}

/// The body of `POST /admin/broadcast`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    /// What every client is shown.
    pub text: String,
}

/// Puts the edge in draining; true if it was not draining before.
pub trait Drainer: Send + Sync + std::fmt::Debug {
    fn drain(&self) -> bool;
}

/// What the admin calls act on.
#[derive(Debug, Clone)]
pub struct AdminState {
    /// The bearer token required (the edge serves no admin listener without one).
    pub token: Option<Arc<str>>,
    pub drainer: Arc<dyn Drainer>,
    pub revoker: Arc<dyn Revoker>,
    pub broadcaster: Arc<dyn Broadcaster>,
}

/// The router of the admin listener.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/admin/drain", post(drain))
        .route("/admin/revoke", post(revoke))
        .route("/admin/broadcast", post(broadcast))
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
    match s.revoker.revoke(&r).await {
        Ok(()) => (StatusCode::OK, "revoked\n").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    }
}

async fn broadcast(State(s): State<AdminState>, Json(b): Json<BroadcastRequest>) -> Response {
    match s.broadcaster.broadcast(&b.text).await {
        Ok(()) => (StatusCode::OK, "broadcast\n").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    }
}
