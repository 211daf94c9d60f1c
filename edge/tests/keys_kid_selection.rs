//! Which key verifies a token: with a JWKS, the key its header `kid` names; a token without a
//! `kid` uses the key without one, or the only key; with a PEM key (no `kid`s at all), every
//! token, whatever `kid` it names, as before key rotation existed.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::KeyStore;
use starlane_protocol::RejectReason;
use std::sync::Arc;

fn verifier(keys: KeyStore) -> Verifier {
    Verifier::new(
        keys,
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    )
}

/// One JWKS with the keys of every document given (each a JWKS), dropping `kid`s if asked.
fn merged(docs: &[String], keep_kid: bool) -> String {
    let mut keys = Vec::new();
    for doc in docs {
        let v: serde_json::Value = serde_json::from_str(doc).unwrap();
        for mut k in v["keys"].as_array().unwrap().clone() {
            if !keep_kid {
                k.as_object_mut().unwrap().remove("kid");
            }
            keys.push(k);
        }
    }
    serde_json::json!({ "keys": keys }).to_string()
}

#[test]
fn the_header_kid_selects_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let a = DevIssuer::load_or_create(&dir.path().join("a")).unwrap();
    let b = DevIssuer::load_or_create(&dir.path().join("b")).unwrap();
    let claims = |i: &DevIssuer| {
        let t = i.issue("ada").unwrap();
        verifier(KeyStore::from_document(&i.jwks()).unwrap())
            .verify(&t)
            .unwrap()
            .claims
    };
    let (ca, cb) = (claims(&a), claims(&b));

    // Two named keys: each token verifies with the key its kid names.
    let both = verifier(KeyStore::from_document(&merged(&[a.jwks(), b.jwks()], true)).unwrap());
    assert!(both.verify(&a.sign(&ca).unwrap()).is_ok());
    assert!(both.verify(&b.sign(&cb).unwrap()).is_ok());
    // A's signature under B's kid does not verify; nor does an unknown kid or, with two
    // named keys, no kid at all.
    let swapped = a.sign_with_kid(&ca, Some(b.kid())).unwrap();
    let unknown = a.sign_with_kid(&ca, Some("retired")).unwrap();
    let no_kid = a.sign_with_kid(&ca, None).unwrap();
    for token in [&swapped, &unknown, &no_kid] {
        assert_eq!(both.verify(token).unwrap_err(), RejectReason::BadSignature);
    }

    // One named key: a token without a kid uses it.
    let only_a = verifier(KeyStore::from_document(&a.jwks()).unwrap());
    assert!(only_a.verify(&no_kid).is_ok());
    assert_eq!(
        only_a.verify(&unknown).unwrap_err(),
        RejectReason::BadSignature
    );

    // A JWKS entry without a kid serves kid-less tokens beside named keys.
    let mixed = merged(&[merged(&[a.jwks()], false), b.jwks()], true);
    let mixed = verifier(KeyStore::from_document(&mixed).unwrap());
    assert!(mixed.verify(&no_kid).is_ok());
    assert!(mixed.verify(&b.sign(&cb).unwrap()).is_ok());
    assert_eq!(
        mixed.verify(&unknown).unwrap_err(),
        RejectReason::BadSignature
    );

    // A PEM key has no kid: every token of its issuer verifies, whatever kid it names.
    let pem = verifier(KeyStore::from_pem(a.public_key_pem().as_bytes()).unwrap());
    for token in [&a.sign(&ca).unwrap(), &unknown, &no_kid] {
        assert!(pem.verify(token).is_ok());
    }
    assert_eq!(
        pem.verify(&b.sign(&cb).unwrap()).unwrap_err(),
        RejectReason::BadSignature
    );

    // Entries that are not ES256 signing keys are skipped; none left is an error.
    let rsa = r#"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}"#;
    assert!(KeyStore::from_document(rsa).is_err());
    let with_rsa = merged(&[rsa.to_string(), a.jwks()], true);
    let with_rsa = verifier(KeyStore::from_document(&with_rsa).unwrap());
    assert!(with_rsa.verify(&a.sign(&ca).unwrap()).is_ok());
}
