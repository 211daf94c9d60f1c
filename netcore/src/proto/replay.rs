//! A sliding replay window over packet counters.

/// Number of counters the window remembers below the highest one seen.
pub const REPLAY_WINDOW: u64 = 1024;
const WORDS: usize = (REPLAY_WINDOW / 64) as usize;

/// Why a counter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("counter already seen")]
    Replayed,
    #[error("counter older than the replay window")]
    TooOld,
}

/// Remembers which of the last [`REPLAY_WINDOW`] counters were accepted.
///
/// Use [`ReplayWindow::check`] before authenticating a packet and [`ReplayWindow::accept`]
/// after, so forged packets never move the window.
#[derive(Debug, Clone, Default)]
pub struct ReplayWindow {
    /// One more than the highest accepted counter (0: nothing accepted yet).
    next: u64,
    /// Bit `i` set: counter `next - 1 - i` was accepted.
    bits: [u64; WORDS],
}

impl ReplayWindow {
    /// Whether `counter` would be accepted.
    pub fn check(&self, counter: u64) -> Result<(), ReplayError> {
        if counter >= self.next {
            return Ok(());
        }
        let age = self.next - 1 - counter;
        if age >= REPLAY_WINDOW {
            return Err(ReplayError::TooOld);
        }
        if self.bit(age) {
            Err(ReplayError::Replayed)
        } else {
            Ok(())
        }
    }

    /// Check and record `counter`.
    pub fn accept(&mut self, counter: u64) -> Result<(), ReplayError> {
        self.check(counter)?;
        if counter >= self.next {
            let shift = counter - self.next + 1;
            self.shift(shift);
            self.next = counter.saturating_add(1);
            self.set(0);
        } else {
            self.set(self.next - 1 - counter);
        }
        Ok(())
    }

    fn bit(&self, age: u64) -> bool {
        let (w, b) = ((age / 64) as usize, age % 64);
        self.bits.get(w).is_some_and(|word| word & (1 << b) != 0)
    }

    fn set(&mut self, age: u64) {
        let (w, b) = ((age / 64) as usize, age % 64);
        if let Some(word) = self.bits.get_mut(w) {
            *word |= 1 << b;
        }
    }

    /// Age every remembered counter by `by`.
    fn shift(&mut self, by: u64) {
        if by >= REPLAY_WINDOW {
            self.bits = [0; WORDS];
            return;
        }
        let words = (by / 64) as usize;
        let bits = (by % 64) as u32;
        let mut out = [0u64; WORDS];
        for (i, slot) in out.iter_mut().enumerate().skip(words) {
            let src = i - words;
            let lo = self.bits.get(src).copied().unwrap_or(0) << bits;
            let carry = if bits == 0 || src == 0 {
                0
            } else {
                self.bits.get(src - 1).copied().unwrap_or(0) >> (64 - bits)
            };
            *slot = lo | carry;
        }
        self.bits = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_fresh_and_rejects_replays() {
        let mut w = ReplayWindow::default();
        assert_eq!(w.accept(0), Ok(()));
        assert_eq!(w.accept(0), Err(ReplayError::Replayed));
        assert_eq!(w.accept(5), Ok(()));
        assert_eq!(w.accept(3), Ok(()));
        assert_eq!(w.accept(3), Err(ReplayError::Replayed));
        assert_eq!(w.accept(5), Err(ReplayError::Replayed));
        assert_eq!(w.accept(4), Ok(()));
    }

    #[test]
    fn old_counters_fall_out() {
        let mut w = ReplayWindow::default();
        w.accept(10).expect("fresh counter");
        w.accept(10 + REPLAY_WINDOW).expect("fresh counter");
        assert_eq!(w.check(10), Err(ReplayError::TooOld));
        assert_eq!(w.check(11), Ok(()));
        w.accept(11).expect("fresh counter");
        assert_eq!(w.check(11), Err(ReplayError::Replayed));
    }

    #[test]
    fn shifts_across_words_keep_bits() {
        let mut w = ReplayWindow::default();
        for c in (0..2000).step_by(7) {
            w.accept(c).expect("fresh counter");
        }
        for c in (0..2000u64).step_by(7) {
            let expect = if 1995 - c >= REPLAY_WINDOW {
                Err(ReplayError::TooOld)
            } else {
                Err(ReplayError::Replayed)
            };
            assert_eq!(w.check(c), expect, "counter {c}");
        }
        assert_eq!(w.check(1994), Ok(()));
    }

    #[test]
    fn huge_jump_clears() {
        let mut w = ReplayWindow::default();
        w.accept(1).expect("fresh counter");
        w.accept(u64::MAX - 1).expect("fresh counter");
        assert_eq!(w.check(1), Err(ReplayError::TooOld));
        assert_eq!(w.check(u64::MAX - 2), Ok(()));
    }
}
