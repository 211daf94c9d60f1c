//! Development token issuer: signs ES256 tokens with a key generated on first start.
//!
//! Never enabled in production configs. The key pair lives in the data directory as PEM
//! (`dev_issuer_private.pem`, PKCS#8; `dev_issuer_public.pem`, SPKI), so tokens stay valid
//! across restarts. Like a login service that rotates keys, it names its key with a `kid`
//! (the key's RFC 7638 thumbprint), puts it in every token's header and publishes its key as
//! a JWKS ([`DevIssuer::jwks`]) besides the PEM.

use crate::auth::{Claims, unix_now};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use std::path::{Path, PathBuf};

/// File name of the private key inside the data directory.
pub const PRIVATE_KEY_FILE: &str = "dev_issuer_private.pem";
/// File name of the public key inside the data directory.
pub const PUBLIC_KEY_FILE: &str = "dev_issuer_public.pem";
/// Issuer used by [`DevIssuer::load_or_create`].
pub const DEFAULT_ISSUER: &str = "login-server";
/// Lifetime of issued tokens.
pub const TOKEN_LIFETIME_SECS: i64 = 3600;

/// Errors of the dev issuer.
#[derive(Debug, thiserror::Error)]
pub enum DevIssuerError {
    #[error("cannot access {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid dev issuer key in {path}: {reason}")]
    BadKey { path: PathBuf, reason: String },
    #[error("cannot sign token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
    #[error("username must be 1 to 64 characters")]
    BadUsername,
    #[error("cannot write the dev issuer's JWKS: {0}")]
    Jwks(String),
}

/// Signs development tokens.
pub struct DevIssuer {
    issuer: String,
    encoding: EncodingKey,
    public_pem: String,
    kid: String,
    jwks: String,
}

impl std::fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIssuer")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl DevIssuer {
    /// Load the key pair from `dir`, generating it on first use; issuer `login-server`.
    pub fn load_or_create(dir: &Path) -> Result<Self, DevIssuerError> {
        Self::load_or_create_with_issuer(dir, DEFAULT_ISSUER)
    }

    /// Like [`DevIssuer::load_or_create`] with a chosen `iss`.
    pub fn load_or_create_with_issuer(dir: &Path, issuer: &str) -> Result<Self, DevIssuerError> {
        // Signing fixes jsonwebtoken's process-wide provider: put the ring one in place first,
        // so that a process that issues before it verifies still checks ES256 with ring.
        crate::jwt_ring::install();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DevIssuerError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let priv_path = dir.join(PRIVATE_KEY_FILE);
        let secret = if priv_path.exists() {
            let pem = std::fs::read_to_string(&priv_path).map_err(io(&priv_path))?;
            p256::SecretKey::from_pkcs8_pem(&pem).map_err(|e| DevIssuerError::BadKey {
                path: priv_path.clone(),
                reason: e.to_string(),
            })?
        } else {
            let secret = generate_secret();
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| DevIssuerError::BadKey {
                    path: priv_path.clone(),
                    reason: e.to_string(),
                })?;
            write_private(&priv_path, pem.as_bytes()).map_err(io(&priv_path))?;
            secret
        };
        let pub_path = dir.join(PUBLIC_KEY_FILE);
        let public_pem = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| DevIssuerError::BadKey {
                path: pub_path.clone(),
                reason: e.to_string(),
            })?;
        std::fs::write(&pub_path, &public_pem).map_err(io(&pub_path))?;
        let private_pem =
            secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| DevIssuerError::BadKey {
                    path: priv_path.clone(),
                    reason: e.to_string(),
                })?;
        let encoding = EncodingKey::from_ec_pem(private_pem.as_bytes())?;
        let (kid, jwks) = jwks_of(&public_pem)?;
        Ok(Self {
            issuer: issuer.to_string(),
            encoding,
            public_pem,
            kid,
            jwks,
        })
    }

    /// The `kid` of this issuer's key (its RFC 7638 thumbprint), in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS document (`{"keys":[{"kty":"EC","crv":"P-256","kid":..}]}`).
    pub fn jwks(&self) -> String {
        self.jwks.clone()
    }

    /// The issuer (`iss`) this issuer signs with.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The public key (SPKI PEM) that verifies this issuer's tokens.
    pub fn public_key_pem(&self) -> &str {
        &self.public_pem
    }

    /// A one-hour token for `username`, with a user id derived stably from the name.
    pub fn issue(&self, username: &str) -> Result<String, DevIssuerError> {
        self.issue_for(user_id_for(username), username)
    }

    /// A one-hour token for the given user id and name.
    pub fn issue_for(&self, user_id: i64, username: &str) -> Result<String, DevIssuerError> {
        if username.is_empty() || username.chars().count() > 64 {
            return Err(DevIssuerError::BadUsername);
        }
        let now = unix_now();
        let claims = Claims {
            user_id,
            username: username.to_string(),
            email: format!("{username}@dev.invalid"),
            permissions: 0,
            user_type: "user".into(),
            auth_method: "dev".into(),
            activated: now,
            iss: self.issuer.clone(),
            iat: now,
            exp: now + TOKEN_LIFETIME_SECS,
            nbf: None,
            // Unique per token, for revocation by `jti`.
            jti: Some(format!("{:032x}", rand::random::<u128>())),
        };
        self.sign(&claims)
    }

    /// Sign arbitrary claims (tests use this to build expired, banned, ... tokens); the
    /// header names this issuer's `kid`.
    pub fn sign(&self, claims: &Claims) -> Result<String, DevIssuerError> {
        self.sign_with_kid(claims, Some(&self.kid))
    }

    /// Sign `claims` with a header naming `kid`, or none (tests of key selection).
    pub fn sign_with_kid(
        &self,
        claims: &Claims,
        kid: Option<&str>,
    ) -> Result<String, DevIssuerError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid.map(str::to_string);
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

/// The `kid` (RFC 7638 SHA-256 thumbprint) of a public key and a JWKS holding it alone.
fn jwks_of(public_pem: &str) -> Result<(String, String), DevIssuerError> {
    let key = DecodingKey::from_ec_pem(public_pem.as_bytes())?;
    let mut jwk = Jwk::from_decoding_key(&key, Some(Algorithm::ES256))?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256)?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let set = JwkSet { keys: vec![jwk] };
    // A JwkSet of plain strings always serializes.
    let jwks = serde_json::to_string(&set).map_err(|e| DevIssuerError::Jwks(e.to_string()))?;
    Ok((kid, jwks))
}

/// A positive user id (at most 2^53 - 1) derived from the SHA-256 of the username.
pub fn user_id_for(username: &str) -> i64 {
    let digest = ring::digest::digest(&ring::digest::SHA256, username.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&digest.as_ref()[..8]);
    // Keep 53 bits (what clients hold exactly); 0 maps to 1 so ids are always positive.
    (i64::from_le_bytes(b) & crate::auth::MAX_USER_ID).max(1)
}

fn generate_secret() -> p256::SecretKey {
    loop {
        let bytes: [u8; 32] = rand::random();
        // Fails only for zero or values >= the curve order (probability ~2^-32).
        if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
            return k;
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)
    }
}
