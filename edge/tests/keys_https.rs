//! The key fetched over HTTPS with certificate verification: a key server whose certificate
//! the configured CA (`jwt.ca_file`) signed is trusted, for a JWKS or a PEM; without the CA
//! file the private CA is not (webpki's roots are); a server presenting a certificate the CA
//! did not sign is refused with an error that says so, and the last good key stays.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::key_server::KeyServer;
use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::{KeyError, KeySource, KeyStore, KeyUrl};
use starlane_netcore::tls::pki::{DevCa, Purpose};
use starlane_protocol::RejectReason;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_key_server_is_verified_against_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("login ca").unwrap();
    let ca_file = ca.write_cert_in(dir.path(), "login-ca").unwrap();
    let cert = ca
        .issue(&["localhost", "127.0.0.1"], Purpose::Region)
        .unwrap();
    let issuer = DevIssuer::load_or_create(&dir.path().join("login")).unwrap();
    let server = KeyServer::start(&cert, issuer.jwks()).await;

    // Trusting the CA file: the JWKS loads and the issuer's tokens verify.
    let url = KeyUrl::new(&server.url(), Some(&ca_file), false).unwrap();
    let keys = KeyStore::new(KeySource::Url(url));
    keys.load().await.unwrap();
    let v = Verifier::new(
        keys.clone(),
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());
    // The same server may serve the PEM.
    server.set_body(issuer.public_key_pem().to_string());
    keys.load().await.unwrap();
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());
    assert_eq!(server.requests(), 2);

    // Without the CA file only webpki's roots are trusted: the private CA is not.
    let webpki = KeyStore::new(KeySource::Url(
        KeyUrl::new(&server.url(), None, false).unwrap(),
    ));
    let err = webpki.load().await.unwrap_err();
    assert!(matches!(err, KeyError::Fetch { .. }), "{err}");
    assert!(!webpki.is_loaded());

    // Someone on the path answers with a certificate of another CA and their own key: the
    // fetch is refused, saying why, and the key the edge had stays in use.
    let rogue_ca = DevCa::generate("rogue ca").unwrap();
    let rogue_cert = rogue_ca
        .issue(&["localhost", "127.0.0.1"], Purpose::Region)
        .unwrap();
    let rogue = DevIssuer::load_or_create(&dir.path().join("rogue")).unwrap();
    server.set_cert(&rogue_cert);
    server.set_body(rogue.jwks());
    let err = keys.load().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, KeyError::Fetch { .. }), "{text}");
    assert!(
        text.contains(&server.url()) && text.to_lowercase().contains("certificate"),
        "the error names the URL and the certificate problem: {text}"
    );
    assert_eq!(server.requests(), 2, "nothing was served to the edge");
    assert!(v.verify(&issuer.issue("ada").unwrap()).is_ok());
    assert_eq!(
        v.verify(&rogue.issue("mallory").unwrap()).unwrap_err(),
        RejectReason::BadSignature
    );

    // A CA file that holds no certificate is refused when the source is made.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let err = KeyUrl::new(&server.url(), Some(&empty), false).unwrap_err();
    assert!(matches!(err, KeyError::CaFile { .. }), "{err}");
    assert!(err.to_string().contains("jwt.ca_file"), "{err}");
}
