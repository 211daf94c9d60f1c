//! Key sources: a file re-read on refresh, and a plain `http://` URL, refused unless
//! `jwt.allow_insecure_http` opts in; the last good key is kept when a refresh fails.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::{KeyError, KeySource, KeyStore, KeyUrl};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serve `body` to `n` requests on a loopback port over plain HTTP, then stop listening.
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

fn verifier(keys: &KeyStore) -> Verifier {
    Verifier::new(
        keys.clone(),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    )
}

#[tokio::test]
async fn plain_http_needs_the_opt_in_and_a_failed_refresh_keeps_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = DevIssuer::load_or_create(dir.path()).unwrap();
    let url = serve(issuer.public_key_pem().to_string(), 1).await;
    // Without the opt-in the URL is refused, and the error names the setting.
    let refused = KeyUrl::new(&url, None, false).unwrap_err();
    assert!(matches!(refused, KeyError::InsecureUrl(_)));
    assert!(
        refused
            .to_string()
            .contains("jwt.allow_insecure_http = true"),
        "{refused}"
    );
    assert!(matches!(
        KeyUrl::new("ftp://login/key.pem", None, true),
        Err(KeyError::UnsupportedUrl(_))
    ));

    let keys = KeyStore::new(KeySource::Url(KeyUrl::new(&url, None, true).unwrap()));
    assert!(!keys.is_loaded());
    keys.load().await.unwrap();
    let v = verifier(&keys);
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());

    // The server is gone now: the refresh fails and the key stays.
    assert!(matches!(keys.load().await, Err(KeyError::Fetch { .. })));
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());
}

#[tokio::test]
async fn key_from_file_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let a = DevIssuer::load_or_create(&dir.path().join("a")).unwrap();
    let b = DevIssuer::load_or_create(&dir.path().join("b")).unwrap();
    let file = dir.path().join("login.pem");
    std::fs::write(&file, a.public_key_pem()).unwrap();
    let keys = KeyStore::new(KeySource::File(file.clone()));
    keys.load().await.unwrap();
    let v = verifier(&keys);
    assert!(v.verify(&a.issue("x").unwrap()).is_ok());
    // The file now holds b's key, as a JWKS.
    std::fs::write(&file, b.jwks()).unwrap();
    keys.load().await.unwrap();
    assert!(v.verify(&b.issue("x").unwrap()).is_ok());
    assert!(v.verify(&a.issue("x").unwrap()).is_err());
    // A bad document fails, without replacing the key.
    for bad in [
        "not a key",
        "{\"keys\": []}",
        "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"AAAA\", \"y\": \"AAAA\"}]}",
    ] {
        std::fs::write(&file, bad).unwrap();
        assert!(keys.load().await.is_err(), "{bad}");
        assert!(v.verify(&b.issue("x").unwrap()).is_ok());
    }
}
