//! Entropy scripts that make the implementation draw the golden vectors' fixed keys, nonces
//! and cookie secrets, in the draw order of `netcore/SPEC.md`, "Randomness". Shared by the
//! golden-vector tests and the generator (`examples/gen_udp_vectors`, through `#[path]`).

use starlane_netcore::proto::cookie::CookieJar;
use starlane_netcore::proto::entropy::EntropySource;
use std::time::{Duration, Instant};

/// A client's draws: the client nonce (16 bytes), then the init's ephemeral key (32).
pub fn client(nonce: [u8; 16], ephemeral: [u8; 32]) -> EntropySource {
    EntropySource::scripted([nonce.to_vec(), ephemeral.to_vec()])
}

/// A server's draws for one accepted init: the response's ephemeral key (32 bytes).
pub fn server(ephemeral: [u8; 32]) -> EntropySource {
    EntropySource::scripted([ephemeral.to_vec()])
}

/// A jar at rotation `epoch` whose current secret is `current` and previous `previous`: a new
/// jar draws its current then its previous secret, and one new current secret per rotation,
/// so it is rotated `epoch` times with the two wanted secrets drawn last.
pub fn jar_at(
    now: Instant,
    rotate_every: Duration,
    epoch: u32,
    current: &[u8; 32],
    previous: &[u8; 32],
) -> CookieJar {
    let draws = epoch as usize + 2;
    let mut script = vec![vec![0u8; 32]; draws];
    let (at_previous, at_current) = if epoch == 0 {
        (1, 0)
    } else {
        (draws - 2, draws - 1)
    };
    script[at_previous] = previous.to_vec();
    script[at_current] = current.to_vec();
    let mut jar = CookieJar::new(now, rotate_every, EntropySource::scripted(script));
    jar.handle_timeout(now + rotate_every * epoch);
    jar
}
