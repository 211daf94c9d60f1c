//! Every reject reason of token verification, with tokens signed by generated P-256 keys.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use starlane_edge::auth::{Claims, MemoryBlacklist, Verifier, unix_now};
use starlane_edge::dev_issuer::{DevIssuer, PRIVATE_KEY_FILE};
use starlane_edge::keys::{KeySource, KeyStore};
use starlane_protocol::RejectReason;
use std::sync::Arc;

struct Fixture {
    _dir: tempfile::TempDir,
    issuer: DevIssuer,
    verifier: Verifier,
    blacklist: Arc<MemoryBlacklist>,
    private_pem: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let issuer = DevIssuer::load_or_create(dir.path()).unwrap();
    let keys = KeyStore::from_pem(issuer.public_key_pem().as_bytes()).unwrap();
    let blacklist = Arc::new(MemoryBlacklist::default());
    let verifier = Verifier::new(keys, "login-server".into(), 30, blacklist.clone());
    let private_pem = std::fs::read_to_string(dir.path().join(PRIVATE_KEY_FILE)).unwrap();
    Fixture {
        _dir: dir,
        issuer,
        verifier,
        blacklist,
        private_pem,
    }
}

fn claims() -> Claims {
    let now = unix_now();
    Claims {
        user_id: 123,
        username: "johndoe".into(),
        email: "john@example.com".into(),
        permissions: 55,
        user_type: "user".into(),
        auth_method: "password".into(),
        activated: 1_697_123_456_789_000_000,
        iss: "login-server".into(),
        iat: now,
        exp: now + 3600,
        nbf: None,
        jti: None,
    }
}

fn verify_claims(f: &Fixture, c: &Claims) -> Result<i64, RejectReason> {
    let token = f.issuer.sign(c).unwrap();
    f.verifier.verify(&token).map(|p| p.claims.user_id)
}

#[test]
fn valid_token_is_accepted_with_its_claims() {
    let f = fixture();
    let token = f.issuer.sign(&claims()).unwrap();
    let player = f.verifier.verify(&token).unwrap();
    assert_eq!(player.claims, claims_with_times(&claims(), &player.claims));
    assert_eq!(player.identity().user_id, 123);
    assert_eq!(player.identity().username, "johndoe");
}

fn claims_with_times(c: &Claims, got: &Claims) -> Claims {
    Claims {
        iat: got.iat,
        exp: got.exp,
        ..c.clone()
    }
}

#[test]
fn dev_issuer_tokens_verify() {
    let f = fixture();
    let token = f.issuer.issue("ada").unwrap();
    let p = f.verifier.verify(&token).unwrap();
    assert_eq!(p.claims.username, "ada");
    assert_eq!(
        p.claims.user_id,
        starlane_edge::dev_issuer::user_id_for("ada")
    );
    assert!(p.claims.user_id > 0);
    assert!(p.claims.exp - p.claims.iat == 3600);
}

#[test]
fn garbage_is_malformed() {
    let f = fixture();
    for t in [
        "",
        "not a jwt",
        "a.b.c",
        "eyJhbGciOiJFUzI1NiJ9.e30",
        ".....",
    ] {
        assert_eq!(
            f.verifier.verify(t).unwrap_err(),
            RejectReason::MalformedToken,
            "{t:?}"
        );
    }
}

#[test]
fn missing_claims_are_malformed() {
    let f = fixture();
    let key = EncodingKey::from_ec_pem(f.private_pem.as_bytes()).unwrap();
    let mut v = serde_json::to_value(claims()).unwrap();
    v.as_object_mut().unwrap().remove("email");
    let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &v, &key).unwrap();
    assert_eq!(
        f.verifier.verify(&token).unwrap_err(),
        RejectReason::MalformedToken
    );
    // A claim of the wrong type is malformed too.
    let mut v = serde_json::to_value(claims()).unwrap();
    v["user_id"] = serde_json::json!("123");
    let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &v, &key).unwrap();
    assert_eq!(
        f.verifier.verify(&token).unwrap_err(),
        RejectReason::MalformedToken
    );
}

#[test]
fn other_key_or_tampering_is_bad_signature() {
    let f = fixture();
    let other_dir = tempfile::tempdir().unwrap();
    let other = DevIssuer::load_or_create(other_dir.path()).unwrap();
    let token = other.sign(&claims()).unwrap();
    assert_eq!(
        f.verifier.verify(&token).unwrap_err(),
        RejectReason::BadSignature
    );

    // Swap the payload of a valid token for one with another user id.
    let good = f.issuer.sign(&claims()).unwrap();
    let forged_src = f
        .issuer
        .sign(&Claims {
            user_id: 1,
            ..claims()
        })
        .unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let forged_payload = forged_src.split('.').nth(1).unwrap();
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(
        f.verifier.verify(&forged).unwrap_err(),
        RejectReason::BadSignature
    );

    // An HMAC token (algorithm confusion) does not verify either.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(f.issuer.public_key_pem().as_bytes()),
    )
    .unwrap();
    assert_eq!(
        f.verifier.verify(&hs).unwrap_err(),
        RejectReason::BadSignature
    );
}

#[test]
fn wrong_issuer() {
    let f = fixture();
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                iss: "someone-else".into(),
                ..claims()
            }
        ),
        Err(RejectReason::WrongIssuer)
    );
}

#[test]
fn expired_beyond_leeway() {
    let f = fixture();
    let now = unix_now();
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                exp: now - 31,
                ..claims()
            }
        ),
        Err(RejectReason::Expired)
    );
    // Within the 30 s leeway the token still passes.
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                exp: now - 10,
                ..claims()
            }
        ),
        Ok(123)
    );
}

#[test]
fn banned_and_not_activated() {
    let f = fixture();
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                activated: -1,
                ..claims()
            }
        ),
        Err(RejectReason::Banned)
    );
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                activated: 0,
                ..claims()
            }
        ),
        Err(RejectReason::NotActivated)
    );
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                activated: -7,
                ..claims()
            }
        ),
        Err(RejectReason::NotActivated)
    );
}

#[test]
fn blacklisted_token_or_user() {
    let f = fixture();
    let token = f.issuer.sign(&claims()).unwrap();
    f.blacklist.revoke_token(&token);
    assert_eq!(
        f.verifier.verify(&token).unwrap_err(),
        RejectReason::Blacklisted
    );
    let other = f
        .issuer
        .sign(&Claims {
            user_id: 9,
            ..claims()
        })
        .unwrap();
    assert!(f.verifier.verify(&other).is_ok());
    f.blacklist.revoke_user(9);
    assert_eq!(
        f.verifier.verify(&other).unwrap_err(),
        RejectReason::Blacklisted
    );
}

#[test]
fn checks_run_in_seed_order() {
    let f = fixture();
    let now = unix_now();
    // Issuer before expiry, expiry before activation, activation before the blacklist.
    let c = Claims {
        iss: "x".into(),
        exp: now - 3600,
        activated: -1,
        ..claims()
    };
    assert_eq!(verify_claims(&f, &c), Err(RejectReason::WrongIssuer));
    let c = Claims {
        exp: now - 3600,
        activated: -1,
        ..claims()
    };
    assert_eq!(verify_claims(&f, &c), Err(RejectReason::Expired));
    let c = Claims {
        activated: -1,
        ..claims()
    };
    let token = f.issuer.sign(&c).unwrap();
    f.blacklist.revoke_token(&token);
    assert_eq!(f.verifier.verify(&token).unwrap_err(), RejectReason::Banned);
}

#[test]
fn no_key_loaded_rejects_as_bad_signature() {
    let f = fixture();
    let v = Verifier::new(
        KeyStore::new(KeySource::Fixed(String::new())),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    let token = f.issuer.sign(&claims()).unwrap();
    assert_eq!(v.verify(&token).unwrap_err(), RejectReason::BadSignature);
}

#[test]
fn dev_issuer_key_persists_across_loads() {
    let dir = tempfile::tempdir().unwrap();
    let a = DevIssuer::load_or_create(dir.path()).unwrap();
    let b = DevIssuer::load_or_create(dir.path()).unwrap();
    assert_eq!(a.public_key_pem(), b.public_key_pem());
    let keys = KeyStore::from_pem(b.public_key_pem().as_bytes()).unwrap();
    let v = Verifier::new(
        keys,
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    assert!(v.verify(&a.issue("bob").unwrap()).is_ok());
    assert!(a.issue("").is_err());
}

#[test]
fn user_ids_clients_cannot_hold_are_malformed() {
    let f = fixture();
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                user_id: -3,
                ..claims()
            }
        ),
        Err(RejectReason::MalformedToken)
    );
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                user_id: 1 << 53,
                ..claims()
            }
        ),
        Err(RejectReason::MalformedToken)
    );
    assert_eq!(
        verify_claims(
            &f,
            &Claims {
                user_id: (1 << 53) - 1,
                ..claims()
            }
        ),
        Ok((1 << 53) - 1)
    );
    for name in ["a", "dave", "zoë", "a-very-long-player-name"] {
        let id = starlane_edge::dev_issuer::user_id_for(name);
        assert!((1..1 << 53).contains(&id), "{name}: {id}");
    }
}

#[test]
fn a_token_not_valid_yet_is_refused_with_its_own_reason() {
    let f = fixture();
    let now = unix_now();
    // An hour ahead: refused at once, as NotYetValid (not accepted, not another reason).
    let later = Claims {
        nbf: Some(now + 3600),
        jti: None,
        ..claims()
    };
    assert_eq!(verify_claims(&f, &later), Err(RejectReason::NotYetValid));
    // Already valid, or valid now: accepted.
    for nbf in [now - 3600, now] {
        let c = Claims {
            nbf: Some(nbf),
            jti: None,
            ..claims()
        };
        assert_eq!(verify_claims(&f, &c), Ok(123), "nbf {nbf}");
    }
    // The leeway applies as it does to `exp` (30 s here): a token valid in 20 s passes.
    let soon = Claims {
        nbf: Some(now + 20),
        jti: None,
        ..claims()
    };
    assert_eq!(verify_claims(&f, &soon), Ok(123));
}
