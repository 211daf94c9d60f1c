//! JWT verification (ES256) and the token blacklist.
//!
//! Checks run in the seed's order: parse, signature, issuer, expiry (and `nbf`, when the
//! token carries it), activation, blacklist, revocation (the cluster's, `crate::cluster`). Each failure maps to a distinct [`RejectReason`].
//! The signature is checked with the key the token's header `kid` selects ([`KeySet::select`]);
//! a `kid` the keys do not hold is a bad signature, after at most one refresh of the keys
//! ([`Verifier::verify_refreshing`]).
//!
//! [`KeySet::select`]: crate::keys::KeySet::select

use crate::keys::KeyStore;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use starlane_protocol::RejectReason;
use starlane_protocol::link::PlayerIdentity;
use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest user id accepted (the client protocol carries at most 2^53 - 1).
pub const MAX_USER_ID: i64 = starlane_protocol::codec::MAX_USER_ID as i64;

/// The login service's claims (seed 004, "JWT Token Structure"). All are required but `nbf`,
/// the registered "not before" claim, which is honoured when present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub user_id: i64,
    pub username: String,
    pub email: String,
    /// Bit flags.
    pub permissions: i64,
    pub user_type: String,
    /// `password` or `oauth`.
    pub auth_method: String,
    /// 0 = not activated, -1 = banned, > 0 = activation timestamp.
    pub activated: i64,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before (unix seconds): the token is refused until then (`NotYetValid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// JWT id: names this token alone, for revocation by `jti` (tokens without one are
    /// revoked by their SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// A player whose token passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPlayer {
    pub claims: Claims,
}

impl VerifiedPlayer {
    /// The identity sent to the region.
    pub fn identity(&self) -> PlayerIdentity {
        PlayerIdentity {
            user_id: self.claims.user_id,
            username: self.claims.username.clone(),
            command_stream: 0,
        }
    }
}

/// Revoked tokens. Synchronous on purpose: session setup must be bounded by signature
/// verification, so a shared store (Redis) is mirrored into memory by its implementation.
pub trait TokenBlacklist: Send + Sync + std::fmt::Debug {
    /// Whether this token (already verified, with these claims) is blacklisted.
    fn is_blacklisted(&self, token: &str, claims: &Claims) -> bool;
    /// Whether this token was revoked (by `jti`, SHA-256 or user; refused as `Revoked`).
    fn is_revoked(&self, _token: &str, _claims: &Claims) -> bool {
        false
    }
}

/// In-process blacklist of whole tokens and of users.
#[derive(Debug, Default)]
pub struct MemoryBlacklist {
    tokens: RwLock<HashSet<String>>,
    users: RwLock<HashSet<i64>>,
}

impl MemoryBlacklist {
    /// Revoke one token.
    pub fn revoke_token(&self, token: &str) {
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_string());
    }
    /// Revoke every token of a user.
    pub fn revoke_user(&self, user_id: i64) {
        self.users
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user_id);
    }
}

impl TokenBlacklist for MemoryBlacklist {
    fn is_blacklisted(&self, token: &str, claims: &Claims) -> bool {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(token)
            || self
                .users
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&claims.user_id)
    }
}

/// Verifies client tokens.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: KeyStore,
    issuer: String,
    leeway_secs: u64,
    blacklist: Arc<dyn TokenBlacklist>,
}

impl Verifier {
    /// A verifier using the keys in `keys`.
    pub fn new(
        keys: KeyStore,
        issuer: String,
        leeway_secs: u64,
        blacklist: Arc<dyn TokenBlacklist>,
    ) -> Self {
        if !crate::jwt_ring::install() {
            tracing::warn!(
                "another jsonwebtoken crypto provider was installed first: ES256 tokens are \
                 verified with it rather than ring"
            );
        }
        Self {
            keys,
            issuer,
            leeway_secs,
            blacklist,
        }
    }

    /// Verify `token` at the current wall-clock time.
    pub fn verify(&self, token: &str) -> Result<VerifiedPlayer, RejectReason> {
        self.verify_at(token, unix_now())
    }

    /// Verify `token` at the current wall-clock time; if its `kid` names a key the store does
    /// not hold, refresh the keys first (at most once per
    /// [`UNKNOWN_KID_REFRESH`](crate::keys::UNKNOWN_KID_REFRESH), see
    /// [`KeyStore::refresh_for_unknown_kid`]) and then verify it against them.
    pub async fn verify_refreshing(&self, token: &str) -> Result<VerifiedPlayer, RejectReason> {
        match self.verify(token) {
            Err(RejectReason::BadSignature) if self.names_unknown_kid(token) => {
                self.keys.refresh_for_unknown_kid().await;
                self.verify(token)
            }
            other => other,
        }
    }

    /// Whether `token`'s header names a `kid` no loaded key answers to.
    fn names_unknown_kid(&self, token: &str) -> bool {
        jsonwebtoken::decode_header(token)
            .ok()
            .and_then(|h| h.kid)
            .is_some_and(|kid| self.keys.select(Some(&kid)).is_none())
    }

    /// Verify `token` as of `now` (unix seconds).
    pub fn verify_at(&self, token: &str, now: i64) -> Result<VerifiedPlayer, RejectReason> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| map_error(e.kind()))?;
        // Without a key for the token nothing can be verified: a signature failure.
        let key = self
            .keys
            .select(header.kid.as_deref())
            .ok_or(RejectReason::BadSignature)?;
        let claims = check_signature(token, &key)?;
        if claims.iss != self.issuer {
            return Err(RejectReason::WrongIssuer);
        }
        let leeway = i64::try_from(self.leeway_secs).unwrap_or(i64::MAX);
        if claims.exp.saturating_add(leeway) <= now {
            return Err(RejectReason::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(leeway))
        {
            return Err(RejectReason::NotYetValid);
        }
        check_activation(claims.activated)?;
        // Clients hold user ids as JavaScript numbers: 0..=2^53-1 on the wire.
        if !(0..=MAX_USER_ID).contains(&claims.user_id) {
            return Err(RejectReason::MalformedToken);
        }
        if self.blacklist.is_blacklisted(token, &claims) {
            return Err(RejectReason::Blacklisted);
        }
        if self.blacklist.is_revoked(token, &claims) {
            return Err(RejectReason::Revoked);
        }
        Ok(VerifiedPlayer { claims })
    }
}

/// Verify the ES256 signature and deserialize the claims (no claim checks).
fn check_signature(token: &str, key: &DecodingKey) -> Result<Claims, RejectReason> {
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| map_error(e.kind()))
}

fn map_error(kind: &ErrorKind) -> RejectReason {
    match kind {
        ErrorKind::InvalidSignature
        | ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidKeyFormat => RejectReason::BadSignature,
        ErrorKind::InvalidIssuer => RejectReason::WrongIssuer,
        ErrorKind::ExpiredSignature => RejectReason::Expired,
        _ => RejectReason::MalformedToken,
    }
}

fn check_activation(activated: i64) -> Result<(), RejectReason> {
    match activated {
        -1 => Err(RejectReason::Banned),
        a if a <= 0 => Err(RejectReason::NotActivated),
        _ => Ok(()),
    }
}

/// Seconds since the unix epoch (0 if the clock is before it).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
