//! Stateless handshake cookies.
//!
//! The server answers a hello with a cookie that proves, when the client echoes it in its
//! init, that the client receives datagrams at its source address. The server keeps no
//! per-client state for this: a cookie is `epoch (u32 LE) || HMAC-SHA256(secret(epoch),
//! epoch || address || client nonce)[..16]`. Secrets rotate every `rotate_every`; a cookie is
//! accepted while its epoch is the current or the previous one, so it lives between one and
//! two rotation periods. The jar holds two secrets at any time, wiped when replaced.

use crate::proto::entropy::EntropySource;
use crate::proto::packet::{CLIENT_NONCE_LEN, COOKIE_LEN};
use ring::hmac;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Default cookie rotation period.
pub const DEFAULT_ROTATE_EVERY: Duration = Duration::from_secs(5);

/// Issues and checks cookies.
pub struct CookieJar {
    entropy: EntropySource,
    current: hmac::Key,
    previous: hmac::Key,
    epoch: u32,
    rotate_every: Duration,
    next_rotation: Instant,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieJar")
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

/// A new secret: one 32-byte draw.
fn fresh_key(entropy: &EntropySource) -> hmac::Key {
    let mut secret = zeroize::Zeroizing::new([0u8; 32]);
    entropy.fill(&mut secret[..]);
    hmac::Key::new(hmac::HMAC_SHA256, &secret[..])
}

/// The address as 18 bytes: IPv6 (IPv4 as mapped) and port, so a dual-stack socket and an
/// IPv4 one agree.
fn address_bytes(addr: SocketAddr) -> [u8; 18] {
    let ip = match addr.ip() {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    let mut out = [0u8; 18];
    out[..16].copy_from_slice(&ip.octets());
    out[16..].copy_from_slice(&addr.port().to_le_bytes());
    out
}

impl CookieJar {
    /// A jar at epoch 0, rotating every `rotate_every`, with secrets drawn from `entropy`:
    /// the current secret, then the previous one, now, and one new secret per rotation.
    pub fn new(now: Instant, rotate_every: Duration, entropy: EntropySource) -> Self {
        let current = fresh_key(&entropy);
        let previous = fresh_key(&entropy);
        Self {
            entropy,
            current,
            previous,
            epoch: 0,
            rotate_every,
            next_rotation: now + rotate_every,
        }
    }

    fn mac(key: &hmac::Key, epoch: u32, addr: SocketAddr, nonce: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(key);
        ctx.update(&epoch.to_le_bytes());
        ctx.update(&address_bytes(addr));
        ctx.update(nonce);
        ctx.sign()
    }

    /// Rotate the secrets if their time has come.
    pub fn handle_timeout(&mut self, now: Instant) {
        while now >= self.next_rotation {
            self.previous = std::mem::replace(&mut self.current, fresh_key(&self.entropy));
            self.epoch = self.epoch.wrapping_add(1);
            self.next_rotation += self.rotate_every;
        }
    }

    /// When the secrets rotate next.
    pub fn poll_timeout(&self) -> Instant {
        self.next_rotation
    }

    /// A cookie for `addr` and the client's nonce.
    pub fn issue(&self, addr: SocketAddr, nonce: &[u8; CLIENT_NONCE_LEN]) -> [u8; COOKIE_LEN] {
        let tag = Self::mac(&self.current, self.epoch, addr, nonce);
        let mut out = [0u8; COOKIE_LEN];
        out[..4].copy_from_slice(&self.epoch.to_le_bytes());
        out[4..].copy_from_slice(&tag.as_ref()[..COOKIE_LEN - 4]);
        out
    }

    /// Whether `cookie` was issued by this jar, recently, for `addr` and `nonce`.
    pub fn verify(&self, addr: SocketAddr, nonce: &[u8], cookie: &[u8]) -> bool {
        let (Some(epoch), Some(mac)) = (cookie.first_chunk::<4>(), cookie.get(4..COOKIE_LEN))
        else {
            return false;
        };
        let epoch = u32::from_le_bytes(*epoch);
        let key = if epoch == self.epoch {
            &self.current
        } else if epoch == self.epoch.wrapping_sub(1) {
            &self.previous
        } else {
            return false;
        };
        let tag = Self::mac(key, epoch, addr, nonce);
        // Constant time: the comparison must not tell a forger how many bytes matched.
        let expected = tag.as_ref().get(..COOKIE_LEN - 4).unwrap_or_default();
        expected.len() == mac.len()
            && expected
                .iter()
                .zip(mac)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("literal address")
    }

    #[test]
    fn cookie_binds_address_nonce_and_time() {
        let now = Instant::now();
        let mut jar = CookieJar::new(now, Duration::from_secs(5), EntropySource::seeded(1));
        let a = addr("10.0.0.1:4000");
        let nonce = [7u8; CLIENT_NONCE_LEN];
        let c = jar.issue(a, &nonce);
        assert!(jar.verify(a, &nonce, &c));
        assert!(jar.verify(addr("[::ffff:10.0.0.1]:4000"), &nonce, &c));
        assert!(!jar.verify(addr("10.0.0.1:4001"), &nonce, &c));
        assert!(!jar.verify(a, &[8u8; CLIENT_NONCE_LEN], &c));
        let mut forged = c;
        forged[10] ^= 1;
        assert!(!jar.verify(a, &nonce, &forged));
        assert!(!jar.verify(a, &nonce, &c[..10]));
        jar.handle_timeout(now + Duration::from_secs(5));
        assert!(jar.verify(a, &nonce, &c), "previous epoch still accepted");
        jar.handle_timeout(now + Duration::from_secs(10));
        assert!(!jar.verify(a, &nonce, &c), "two rotations later it expired");
    }
}
