//! Randomness, injected through configuration.
//!
//! Nothing in [`crate::proto`] draws randomness by itself: the handshake's client nonce and
//! ephemeral keys, the cookie secrets and generated static keys all come from an
//! [`EntropySource`] handed in with the configuration. Production uses the default,
//! [`EntropySource::os`] (the operating system's generator behind rand's thread RNG, as
//! before). Tests and the golden-vector generator supply [`EntropySource::seeded`] (a
//! reproducible stream) or [`EntropySource::scripted`] (exact bytes, in draw order; the order
//! is documented in `netcore/SPEC.md`, "Randomness").

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// A generator of random bytes. Implementations must be cryptographically secure for
/// production use; [`EntropySource::seeded`] and [`EntropySource::scripted`] are not, and are
/// for tests only.
pub trait Entropy: Send + std::fmt::Debug {
    /// Fill `dest` entirely with random bytes.
    fn fill(&mut self, dest: &mut [u8]);
}

/// The operating system's generator (rand's thread RNG, reseeded from the OS).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        rand::fill(dest);
    }
}

/// A reproducible stream from a 64-bit seed (tests only: anyone who knows the seed knows
/// every key).
#[derive(Debug)]
pub struct SeededEntropy(StdRng);

impl SeededEntropy {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
}

/// Exact bytes for the first draws, then a seeded stream (tests only). Each draw takes the
/// next scripted chunk, which must have exactly the length drawn: a mismatch means the test's
/// script and the implementation's draw order disagree, and panics with both lengths.
#[derive(Debug)]
pub struct ScriptedEntropy {
    script: VecDeque<Vec<u8>>,
    then: SeededEntropy,
}

impl ScriptedEntropy {
    /// `script` in draw order; afterwards the stream of seed 0.
    pub fn new(script: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self {
            script: script.into_iter().collect(),
            then: SeededEntropy::new(0),
        }
    }
}

impl Entropy for ScriptedEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        match self.script.pop_front() {
            Some(chunk) => {
                assert_eq!(
                    chunk.len(),
                    dest.len(),
                    "scripted entropy: the next chunk does not match the size of the draw"
                );
                dest.copy_from_slice(&chunk);
            }
            None => self.then.fill(dest),
        }
    }
}

/// A shared handle to an [`Entropy`] generator: what configurations carry. Cheap to clone;
/// clones draw from the same generator (in the order the draws happen).
#[derive(Debug, Clone)]
pub struct EntropySource(Arc<Mutex<dyn Entropy>>);

impl Default for EntropySource {
    /// [`EntropySource::os`].
    fn default() -> Self {
        Self::os()
    }
}

impl EntropySource {
    /// Wrap any generator.
    pub fn new(entropy: impl Entropy + 'static) -> Self {
        Self(Arc::new(Mutex::new(entropy)))
    }

    /// The operating system's generator: the production default.
    pub fn os() -> Self {
        Self::new(OsEntropy)
    }

    /// A reproducible stream (tests only).
    pub fn seeded(seed: u64) -> Self {
        Self::new(SeededEntropy::new(seed))
    }

    /// Exact bytes for the first draws, then a seeded stream (tests only).
    pub fn scripted(script: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self::new(ScriptedEntropy::new(script))
    }

    fn lock(&self) -> MutexGuard<'_, dyn Entropy + 'static> {
        // A generator that panicked mid-draw left no invariant to break: keep using it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fill `dest` with random bytes (one draw).
    pub fn fill(&self, dest: &mut [u8]) {
        self.lock().fill(dest);
    }

    /// `N` random bytes (one draw).
    pub fn array<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_bytes_come_first_then_a_seeded_stream() {
        let s = EntropySource::scripted([vec![1, 2], vec![3; 4]]);
        assert_eq!(s.array::<2>(), [1, 2]);
        assert_eq!(s.array::<4>(), [3; 4]);
        let after = s.array::<8>();
        assert_eq!(after, EntropySource::seeded(0).array::<8>());
    }

    #[test]
    fn seeded_streams_repeat_and_clones_share_one_stream() {
        let (a, b) = (EntropySource::seeded(7), EntropySource::seeded(7));
        assert_eq!(a.array::<16>(), b.array::<16>());
        let c = a.clone();
        assert_ne!(
            a.array::<16>(),
            c.array::<16>(),
            "a clone continues the stream"
        );
        assert_ne!(EntropySource::os().array::<16>(), [0u8; 16]);
    }

    #[test]
    #[should_panic(expected = "does not match the size")]
    fn a_script_of_the_wrong_size_is_a_test_bug() {
        EntropySource::scripted([vec![1, 2, 3]]).array::<2>();
    }
}
