//! A sans-IO byte budget: an exact integer token bucket the edge's packer draws on per client.
//!
//! Tokens are kept in nano-bytes (1 byte = 10^9 units), so a rate in bytes per second accrues
//! exactly `rate * elapsed_ns` units: no rounding, no remainder to carry and no drift however
//! often the bucket is polled. All arithmetic is in `u128` and saturating, so every `u64` rate
//! and burst (including `u64::MAX`) is accepted without panicking.
//!
//! # Guarantee
//!
//! With a fixed rate `r` (bytes per second) and burst `b` (bytes), the bucket grants at most
//! `b + r * T` bytes in any window of length `T`: it holds at most `b` at the window's start
//! and accrues at most `r * T` inside it. So with `b <= r / 20`, no 1 s window exceeds the rate by
//! more than 5%. After [`ByteBudget::set_rate`], windows that start at or after the change obey
//! the new rate and burst; a window spanning the change is bounded by the larger burst plus the
//! bytes each rate accrues over its part of the window.
//!
//! Time never goes backwards inside: an instant earlier than the latest one seen is treated as
//! the latest one seen.

use std::time::{Duration, Instant};

/// Token units per byte (tokens are kept in nano-bytes).
const SCALE: u128 = 1_000_000_000;

/// Counters of what a [`ByteBudget`] granted and refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetStats {
    /// Total bytes granted (saturating).
    pub granted_bytes: u64,
    /// Successful [`ByteBudget::try_consume`] calls and non-zero [`ByteBudget::consume_up_to`] grants.
    pub grants: u64,
    /// [`ByteBudget::try_consume`] calls refused for lack of tokens.
    pub refusals: u64,
}

/// A token bucket in bytes, driven by caller-supplied instants; starts full.
#[derive(Debug, Clone)]
pub struct ByteBudget {
    /// Refill rate in bytes per second.
    rate: u64,
    /// Capacity in bytes.
    burst: u64,
    /// Tokens in nano-bytes as of `last`; never above `burst * SCALE`.
    tokens: u128,
    /// Latest instant seen.
    last: Instant,
    stats: BudgetStats,
}

impl ByteBudget {
    /// A bucket refilling at `bytes_per_sec`, holding at most `burst_bytes`, full at `now`.
    ///
    /// A zero rate never refills; a zero burst grants nothing but zero-byte requests.
    pub fn new(bytes_per_sec: u64, burst_bytes: u64, now: Instant) -> Self {
        Self {
            rate: bytes_per_sec,
            burst: burst_bytes,
            tokens: cap(burst_bytes),
            last: now,
            stats: BudgetStats::default(),
        }
    }

    /// Refill rate in bytes per second.
    pub fn rate(&self) -> u64 {
        self.rate
    }

    /// Capacity in bytes.
    pub fn burst(&self) -> u64 {
        self.burst
    }

    /// What was granted and refused so far.
    pub fn stats(&self) -> BudgetStats {
        self.stats
    }

    /// Whole bytes available at `now`.
    pub fn available(&self, now: Instant) -> u64 {
        whole_bytes(self.tokens_at(now))
    }

    /// Takes `bytes` if all of them are available at `now`; otherwise takes nothing, counts a
    /// refusal and returns `false`.
    pub fn try_consume(&mut self, now: Instant, bytes: u64) -> bool {
        self.refill(now);
        let need = u128::from(bytes) * SCALE;
        if self.tokens < need {
            self.stats.refusals = self.stats.refusals.saturating_add(1);
            return false;
        }
        self.tokens -= need;
        self.record_grant(bytes);
        true
    }

    /// Gives back `bytes` taken earlier but not used (a datagram came out smaller than the
    /// size planned for it), up to the burst. What the bucket grants over any window stays
    /// within `burst + rate × window` of what was actually used.
    pub fn refund(&mut self, now: Instant, bytes: u64) {
        self.refill(now);
        self.tokens = (self.tokens + u128::from(bytes) * SCALE).min(cap(self.burst));
        self.stats.granted_bytes = self.stats.granted_bytes.saturating_sub(bytes);
    }

    /// Takes as many whole bytes as are available at `now`, up to `max`, and returns that count.
    pub fn consume_up_to(&mut self, now: Instant, max: u64) -> u64 {
        self.refill(now);
        let granted = whole_bytes(self.tokens).min(max);
        self.tokens -= u128::from(granted) * SCALE;
        if granted > 0 {
            self.record_grant(granted);
        }
        granted
    }

    /// The earliest instant at which `bytes` will be available, assuming nothing else is taken
    /// meanwhile: [`ByteBudget::try_consume`] succeeds at that instant and fails 1 ns earlier
    /// (unless it is `now` or the latest instant seen, when the bytes are available already).
    ///
    /// `None` if that never happens (`bytes` exceeds the burst, or the rate is zero and the
    /// bytes are not available now) or the instant is not representable.
    pub fn next_ready(&self, now: Instant, bytes: u64) -> Option<Instant> {
        let at = now.max(self.last);
        let need = u128::from(bytes) * SCALE;
        let tokens = self.tokens_at(at);
        if tokens >= need {
            return Some(at);
        }
        if bytes > self.burst || self.rate == 0 {
            return None;
        }
        let nanos = (need - tokens).div_ceil(u128::from(self.rate));
        let secs = u64::try_from(nanos / SCALE).ok()?;
        // The remainder is below 10^9, so it fits in u32.
        let wait = Duration::new(secs, (nanos % SCALE) as u32);
        at.checked_add(wait)
    }

    /// Changes rate and burst at `now` (profile reload): tokens accrued so far at the old rate
    /// are kept, capped at the new burst.
    pub fn set_rate(&mut self, now: Instant, bytes_per_sec: u64, burst_bytes: u64) {
        self.refill(now);
        self.rate = bytes_per_sec;
        self.burst = burst_bytes;
        self.tokens = self.tokens.min(cap(burst_bytes));
    }

    /// Tokens (nano-bytes) the bucket would hold at `now`, without changing it.
    fn tokens_at(&self, now: Instant) -> u128 {
        let elapsed = now.saturating_duration_since(self.last).as_nanos();
        let accrued = u128::from(self.rate).saturating_mul(elapsed);
        self.tokens.saturating_add(accrued).min(cap(self.burst))
    }

    /// Accrues tokens up to `now` and remembers it as the latest instant seen.
    fn refill(&mut self, now: Instant) {
        self.tokens = self.tokens_at(now);
        self.last = self.last.max(now);
    }

    fn record_grant(&mut self, bytes: u64) {
        self.stats.granted_bytes = self.stats.granted_bytes.saturating_add(bytes);
        self.stats.grants = self.stats.grants.saturating_add(1);
    }
}

/// Capacity in nano-bytes; `u64::MAX * 10^9` fits in `u128`.
fn cap(burst: u64) -> u128 {
    u128::from(burst) * SCALE
}

/// Whole bytes in `tokens` nano-bytes; the bucket never holds more than `u64::MAX` bytes.
fn whole_bytes(tokens: u128) -> u64 {
    u64::try_from(tokens / SCALE).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_accrual_is_kept() {
        let t0 = Instant::now();
        let mut b = ByteBudget::new(3, 10, t0);
        assert!(b.try_consume(t0, 10));
        // 3 B/s: a byte every 333_333_333.3 ns; three polls a third of a second apart sum to 1 s.
        let third = Duration::from_nanos(333_333_333);
        for i in 1..=3 {
            b.refill(t0 + third * i);
        }
        assert_eq!(b.tokens, 2_999_999_997);
        assert_eq!(b.available(t0 + third * 3), 2);
        assert_eq!(b.available(t0 + Duration::from_secs(1)), 3);
    }
}
