//! Criterion bench of an ES256 token check, the edge's main CPU cost per connecting client
//! (a reconnect storm is thousands at once): the same development token's signature checked
//! by jsonwebtoken's `rust_crypto` backend (the `p256` crate) and by the ring verifier the edge
//! installs (`starlane_edge::jwt_ring`), side by side; each iteration builds the verifier
//! from the key as `jsonwebtoken::decode` does per token. `verify_at` is the edge's whole
//! check of a hello's token (header, key selection, signature, claims) on ring.
//!
//! `cargo bench -p starlane-edge --bench jwt` (about 15 s).

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::crypto::rust_crypto;
use jsonwebtoken::{Algorithm, DecodingKey};
use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::jwt_ring;
use starlane_edge::keys::KeyStore;
use std::hint::black_box;
use std::sync::Arc;

fn verify(c: &mut Criterion) {
    assert!(
        jwt_ring::install(),
        "the ring provider is the first one here"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let issuer = DevIssuer::load_or_create(dir.path()).expect("development issuer");
    let token = issuer.issue("bench").expect("token");
    let pem = issuer.public_key_pem().to_string();
    let key = DecodingKey::from_ec_pem(pem.as_bytes()).expect("public key");
    let (message, sig64) = token.rsplit_once('.').expect("a JWT has three parts");
    let sig = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig64)
            .expect("base64url signature")
    };
    let check = |factory: fn(
        &Algorithm,
        &DecodingKey,
    ) -> jsonwebtoken::errors::Result<
        Box<dyn jsonwebtoken::crypto::JwtVerifier>,
    >| {
        let v = factory(&Algorithm::ES256, black_box(&key)).expect("verifier");
        assert!(signature::Verifier::verify(&*v, message.as_bytes(), black_box(&sig)).is_ok());
    };
    let mut g = c.benchmark_group("jwt/es256_signature");
    g.bench_function("rust_crypto", |b| {
        b.iter(|| check(rust_crypto::DEFAULT_PROVIDER.verifier_factory))
    });
    g.bench_function("ring", |b| b.iter(|| check(jwt_ring::new_verifier)));
    g.finish();

    let keys = KeyStore::from_pem(pem.as_bytes()).expect("key store");
    let verifier = Verifier::new(
        keys,
        issuer.issuer().to_string(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    c.bench_function("jwt/verify_at_ring", |b| {
        b.iter(|| verifier.verify(black_box(&token)).expect("valid token"))
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
