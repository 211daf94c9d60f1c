//! X25519 for snow: snow's ring resolver has no Diffie-Hellman, so [`resolver`] answers DH with
//! curve25519-dalek, SHA-256 and AES-GCM with ring, and randomness (the ephemeral keys) from
//! the injected [`EntropySource`].

use crate::proto::entropy::EntropySource;
use curve25519_dalek::montgomery::MontgomeryPoint;
use snow::params::{CipherChoice, DHChoice, HashChoice};
use snow::resolvers::{BoxedCryptoResolver, CryptoResolver, RingResolver};
use snow::types::{Cipher, Dh, Hash, Random};
use zeroize::Zeroizing;

/// The X25519 public key of a private key.
pub fn public_key_of(private: &[u8; 32]) -> [u8; 32] {
    MontgomeryPoint::mul_base_clamped(*private).to_bytes()
}

#[derive(Default)]
struct X25519 {
    private: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl X25519 {
    fn set_key(&mut self, key: [u8; 32]) {
        self.public = public_key_of(&key);
        *self.private = key;
    }
}

impl Dh for X25519 {
    fn name(&self) -> &'static str {
        "25519"
    }
    fn pub_len(&self) -> usize {
        32
    }
    fn priv_len(&self) -> usize {
        32
    }
    fn set(&mut self, privkey: &[u8]) {
        let mut key = [0u8; 32];
        let n = privkey.len().min(32);
        key[..n].copy_from_slice(&privkey[..n]);
        self.set_key(key);
    }
    fn generate(&mut self, rng: &mut dyn Random) -> Result<(), snow::Error> {
        let mut key = [0u8; 32];
        rng.try_fill_bytes(&mut key)?;
        self.set_key(key);
        Ok(())
    }
    fn pubkey(&self) -> &[u8] {
        &self.public
    }
    fn privkey(&self) -> &[u8] {
        &self.private[..]
    }
    fn dh(&self, pubkey: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        let point: [u8; 32] = pubkey
            .get(..32)
            .and_then(|s| s.try_into().ok())
            .ok_or(snow::Error::Dh)?;
        let shared = MontgomeryPoint(point).mul_clamped(*self.private).to_bytes();
        // A low-order peer point gives an all-zero secret: refuse it.
        if shared == [0u8; 32] {
            return Err(snow::Error::Dh);
        }
        out.get_mut(..32)
            .ok_or(snow::Error::Dh)?
            .copy_from_slice(&shared);
        Ok(())
    }
}

/// snow's randomness drawn from an [`EntropySource`].
struct SourceRng(EntropySource);

impl Random for SourceRng {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

/// snow's randomness replaying one drawn 32-byte secret: the client's ephemeral key, so each
/// Noise state rebuilt for a candidate response generates the same key as the init did.
struct ReplayRng(Zeroizing<[u8; 32]>);

impl Random for ReplayRng {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        // snow draws exactly one X25519 private key (32 bytes) per NK run.
        let src = self.0.get(..dest.len()).ok_or(snow::Error::Rng)?;
        dest.copy_from_slice(src);
        Ok(())
    }
}

enum RngChoice {
    Source(EntropySource),
    Replay(Zeroizing<[u8; 32]>),
}

struct Resolver(RngChoice);

impl CryptoResolver for Resolver {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        Some(match &self.0 {
            RngChoice::Source(entropy) => Box::new(SourceRng(entropy.clone())),
            RngChoice::Replay(secret) => Box::new(ReplayRng(secret.clone())),
        })
    }
    fn resolve_dh(&self, choice: &DHChoice) -> Option<Box<dyn Dh>> {
        match choice {
            DHChoice::Curve25519 => Some(Box::<X25519>::default()),
            _ => None,
        }
    }
    fn resolve_hash(&self, choice: &HashChoice) -> Option<Box<dyn Hash>> {
        RingResolver.resolve_hash(choice)
    }
    fn resolve_cipher(&self, choice: &CipherChoice) -> Option<Box<dyn Cipher>> {
        RingResolver.resolve_cipher(choice)
    }
}

/// The snow resolver of the handshake, generating ephemeral keys from `entropy`.
pub fn resolver(entropy: EntropySource) -> BoxedCryptoResolver {
    Box::new(Resolver(RngChoice::Source(entropy)))
}

/// The snow resolver whose randomness replays `secret`: a Noise state built with it
/// generates `secret` as its ephemeral private key.
pub fn replaying_resolver(secret: &Zeroizing<[u8; 32]>) -> BoxedCryptoResolver {
    Box::new(Resolver(RngChoice::Replay(secret.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7748_vector() {
        // RFC 7748 section 6.1, Alice's keys.
        let private: [u8; 32] =
            hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .expect("literal hex")
                .try_into()
                .expect("32 bytes");
        let public = hex::encode(public_key_of(&private));
        assert_eq!(
            public,
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
    }

    #[test]
    fn low_order_point_is_refused() {
        let mut dh = X25519::default();
        dh.set(&[7u8; 32]);
        let mut out = [0u8; 32];
        assert!(dh.dh(&[0u8; 32], &mut out).is_err());
        assert!(dh.dh(&[1u8; 5], &mut out).is_err());
    }
}
