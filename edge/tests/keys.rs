//! The login service's key fetched over HTTP, and the last good key kept on failure.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::{KeySource, KeyStore};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serve `body` to `n` requests on a loopback port, then stop listening.
async fn serve(body: String, n: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..n {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await.unwrap();
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(resp.as_bytes()).await.unwrap();
        }
    });
    format!("http://{addr}/api/public-key")
}

#[tokio::test]
async fn key_from_url_verifies_and_survives_a_failed_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = DevIssuer::load_or_create(dir.path()).unwrap();
    let url = serve(issuer.public_key_pem().to_string(), 1).await;
    let keys = KeyStore::default();
    assert!(!keys.is_loaded());
    keys.load(&KeySource::Url(url.clone())).await.unwrap();
    let v = Verifier::new(
        keys.clone(),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());

    // The server is gone now: the refresh fails and the key stays.
    assert!(keys.load(&KeySource::Url(url)).await.is_err());
    // A bad document fails too, without replacing the key.
    let bad = serve("not a key".into(), 1).await;
    assert!(keys.load(&KeySource::Url(bad)).await.is_err());
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());
}

#[tokio::test]
async fn key_from_file_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let a = DevIssuer::load_or_create(&dir.path().join("a")).unwrap();
    let b = DevIssuer::load_or_create(&dir.path().join("b")).unwrap();
    let file = dir.path().join("login.pem");
    std::fs::write(&file, a.public_key_pem()).unwrap();
    let keys = KeyStore::default();
    keys.load(&KeySource::File(file.clone())).await.unwrap();
    let v = Verifier::new(
        keys.clone(),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    assert!(v.verify(&a.issue("x").unwrap()).is_ok());
    std::fs::write(&file, b.public_key_pem()).unwrap();
    keys.load(&KeySource::File(file)).await.unwrap();
    assert!(v.verify(&b.issue("x").unwrap()).is_ok());
    assert!(v.verify(&a.issue("x").unwrap()).is_err());
}
