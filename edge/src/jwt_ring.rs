//! ES256 signature checks on ring, the crypto the edge already links for rustls, quinn and
//! WebTransport.
//!
//! jsonwebtoken 11 takes its cryptography from a process-wide [`CryptoProvider`]. Its
//! `rust_crypto` backend (the `p256` crate) verifies about 3,000 ES256 signatures per second
//! per core on the reference machine; ring's P-256 is several times faster (criterion:
//! `edge/benches/jwt.rs`), and a reconnect storm is thousands of verifications at once.
//! [`install`] puts a provider in place that checks ES256 with ring and hands every other
//! algorithm, every signer and the JWK helpers to the `rust_crypto` provider unchanged.
//! Claims and their validation stay jsonwebtoken's: only the signature arithmetic moves.

use jsonwebtoken::crypto::{CryptoProvider, JwtVerifier, rust_crypto};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use std::sync::LazyLock;

/// The provider [`install`] installs.
static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    verifier_factory: new_verifier,
    ..rust_crypto::DEFAULT_PROVIDER.clone()
});

/// Make ring check ES256 signatures in this process, once; later calls do nothing. Returns
/// false when another provider was installed first (its verifier then stays in use; the
/// edge logs that).
pub fn install() -> bool {
    static INSTALLED: LazyLock<bool> =
        LazyLock::new(|| LazyLock::force(&PROVIDER).install_default().is_ok());
    *INSTALLED
}

/// The verifier for `algorithm` and `key`: ring for ES256, `rust_crypto` for the rest (the
/// installed provider's factory; public for the criterion bench).
pub fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    match algorithm {
        Algorithm::ES256 => Ok(Box::new(Es256::new(key)?)),
        other => (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(other, key),
    }
}

/// An ES256 public key (an uncompressed SEC1 P-256 point), checked by ring.
struct Es256(UnparsedPublicKey<Vec<u8>>);

impl Es256 {
    fn new(key: &DecodingKey) -> Result<Self> {
        if key.family() != AlgorithmFamily::Ec {
            return Err(ErrorKind::InvalidKeyFormat.into());
        }
        let point = key.try_get_as_bytes()?;
        // An uncompressed P-256 point; ring checks that it lies on the curve when verifying.
        if point.len() != 65 || point.first() != Some(&4) {
            return Err(ErrorKind::InvalidEcdsaKey.into());
        }
        Ok(Self(UnparsedPublicKey::new(
            &ECDSA_P256_SHA256_FIXED,
            point.to_vec(),
        )))
    }
}

impl signature::Verifier<Vec<u8>> for Es256 {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        self.0.verify(msg, sig).map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Es256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, Validation};
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    fn keys() -> (EncodingKey, DecodingKey) {
        // Random bytes are a valid P-256 scalar but with negligible probability.
        let secret = loop {
            if let Ok(k) = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
                break k;
            }
        };
        let private = secret.to_pkcs8_pem(LineEnding::LF).expect("pkcs8 pem");
        let public = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("spki pem");
        let enc = EncodingKey::from_ec_pem(private.as_bytes()).expect("encoding key");
        let dec = DecodingKey::from_ec_pem(public.as_bytes()).expect("decoding key");
        (enc, dec)
    }

    fn token(enc: &EncodingKey, sub: &str) -> String {
        let claims = serde_json::json!({ "sub": sub });
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, enc).expect("sign")
    }

    fn check(token: &str, dec: &DecodingKey) -> bool {
        let mut v = Validation::new(Algorithm::ES256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        jsonwebtoken::decode::<serde_json::Value>(token, dec, &v).is_ok()
    }

    /// The installed provider's verdict on `token`'s signature, and the `rust_crypto` one's.
    fn verdicts(token: &str, dec: &DecodingKey) -> (bool, bool) {
        use base64::Engine;
        let (message, sig) = token.rsplit_once('.').expect("three parts");
        let ours = jsonwebtoken::crypto::verify(sig, message.as_bytes(), dec, Algorithm::ES256)
            .unwrap_or(false);
        let Ok(raw) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
            return (ours, false);
        };
        let reference = (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(&Algorithm::ES256, dec)
            .expect("rust_crypto verifier");
        let theirs = signature::Verifier::verify(&*reference, message.as_bytes(), &raw).is_ok();
        (ours, theirs)
    }

    #[test]
    fn ring_accepts_what_rust_crypto_signed_and_refuses_any_change() {
        assert!(
            install(),
            "no other provider is installed in this test binary"
        );
        let (enc, dec) = keys();
        let good = token(&enc, "alice");
        assert!(check(&good, &dec));
        assert_eq!(verdicts(&good, &dec), (true, true));
        // Another key, a changed signature byte, another payload: refused by both backends.
        let (_, other) = keys();
        assert!(!check(&good, &other));
        assert_eq!(verdicts(&good, &other), (false, false));
        let (head, sig) = good.rsplit_once('.').expect("three parts");
        let mut flipped = sig.as_bytes().to_vec();
        flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
        let flipped = format!("{head}.{}", String::from_utf8(flipped).expect("ascii"));
        assert!(!check(&flipped, &dec));
        assert_eq!(verdicts(&flipped, &dec), (false, false));
        let bob = token(&enc, "bob");
        let mut parts: Vec<&str> = good.split('.').collect();
        parts[1] = bob.split('.').nth(1).expect("payload");
        let spliced = parts.join(".");
        assert!(!check(&spliced, &dec));
        assert_eq!(verdicts(&spliced, &dec), (false, false));
        // A truncated signature is refused, not a panic.
        assert!(!check(&good[..good.len() - 8], &dec));
    }

    #[test]
    fn a_key_that_is_not_a_p256_point_is_refused() {
        let hmac = DecodingKey::from_secret(b"secret");
        assert!(Es256::new(&hmac).is_err());
        assert!(new_verifier(&Algorithm::ES256, &hmac).is_err());
    }
}
