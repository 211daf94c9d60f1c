//! Key rotation by `kid`: the login service's JWKS switches from key A to key B. A token
//! signed with B names a `kid` the edge does not hold yet: it causes one refresh and is
//! accepted; a token with A's `kid` is refused once A is gone; and unknown `kid`s do not cause
//! more than one refresh per 10 s.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::key_server::KeyServer;
use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::{KeySource, KeyStore, KeyUrl};
use starlane_netcore::tls::pki::{DevCa, Purpose};
use starlane_protocol::RejectReason;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_kid_is_fetched_once_and_the_old_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("login ca").unwrap();
    let ca_file = ca.write_cert_in(dir.path(), "login-ca").unwrap();
    let cert = ca.issue(&["127.0.0.1"], Purpose::Region).unwrap();
    let a = DevIssuer::load_or_create(&dir.path().join("a")).unwrap();
    let b = DevIssuer::load_or_create(&dir.path().join("b")).unwrap();
    assert_ne!(a.kid(), b.kid());
    let server = KeyServer::start(&cert, a.jwks()).await;
    let url = KeyUrl::new(&server.url(), Some(&ca_file), false).unwrap();
    let keys = KeyStore::new(KeySource::Url(url));
    keys.load().await.unwrap();
    assert_eq!(keys.keys().unwrap().kids(), vec![a.kid().to_string()]);
    let v = Verifier::new(
        keys.clone(),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    let token_a = a.issue("ada").unwrap();
    let token_b = b.issue("bob").unwrap();
    assert!(v.verify_refreshing(&token_a).await.is_ok());
    assert_eq!(server.requests(), 1, "a known kid fetches nothing");

    // The login service rotates to B.
    server.set_body(b.jwks());
    // Without a refresh B is unknown: the plain check refuses it.
    assert_eq!(v.verify(&token_b).unwrap_err(), RejectReason::BadSignature);
    // B's kid is unknown: one refresh, then it verifies.
    let player = v.verify_refreshing(&token_b).await.unwrap();
    assert_eq!(player.claims.username, "bob");
    assert_eq!(server.requests(), 2);
    assert_eq!(keys.keys().unwrap().kids(), vec![b.kid().to_string()]);

    // A is gone: its tokens are refused, and the refresh they ask for is not due yet.
    assert_eq!(
        v.verify_refreshing(&token_a).await.unwrap_err(),
        RejectReason::BadSignature
    );
    // Neither do many unknown kids at once fetch again within 10 s.
    let claims = v.verify(&token_b).unwrap().claims;
    let unknown: Vec<String> = (0..8)
        .map(|i| b.sign_with_kid(&claims, Some(&format!("kid-{i}"))).unwrap())
        .collect();
    let tries: Vec<_> = unknown
        .into_iter()
        .map(|t| {
            let v = v.clone();
            tokio::spawn(async move { v.verify_refreshing(&t).await })
        })
        .collect();
    for t in tries {
        assert_eq!(t.await.unwrap().unwrap_err(), RejectReason::BadSignature);
    }
    assert_eq!(server.requests(), 2, "at most one refresh per 10 s");
    // B's tokens go on verifying without fetching.
    assert!(v.verify_refreshing(&token_b).await.is_ok());
    assert_eq!(server.requests(), 2);
}
