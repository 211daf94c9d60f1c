//! Token buckets refilled per tick: one per user ([`RateLimits`]), and one per user and
//! command kind ([`KindLimits`]).

use bevy_ecs::prelude::*;
use std::collections::HashMap;
use std::hash::Hash;

/// A token bucket, refilled per tick.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_tick: u32,
}

/// Token buckets by key.
#[derive(Resource, Debug)]
pub struct Buckets<K: Send + Sync + 'static> {
    buckets: HashMap<K, Bucket>,
}

impl<K: Send + Sync + 'static> Default for Buckets<K> {
    fn default() -> Self {
        Self {
            buckets: HashMap::new(),
        }
    }
}

/// Per-user token buckets (`command_rate`, `command_burst`).
pub type RateLimits = Buckets<i64>;

/// Per-user, per-command-kind token buckets (`[command_kinds]`): the kind is the index in
/// `Command::KIND_NAMES`.
pub type KindLimits = Buckets<(i64, u8)>;

impl<K: Eq + Hash + Send + Sync + 'static> Buckets<K> {
    /// Take one token for `key` at `tick`; false when it is over the limit.
    pub(crate) fn allow(&mut self, key: K, tick: u32, per_tick: f64, burst: f64) -> bool {
        let b = self.buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            last_tick: tick,
        });
        let elapsed = f64::from(tick.saturating_sub(b.last_tick));
        b.tokens = (b.tokens + elapsed * per_tick).min(burst);
        b.last_tick = tick;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forget buckets that have refilled completely (their users are idle).
    pub(crate) fn prune(&mut self, tick: u32, per_tick: f64, burst: f64) {
        self.prune_by(tick, |_| Some((per_tick, burst)));
    }

    /// [`Buckets::prune`] with each key's own rate (`None`: no limit, forget it).
    pub(crate) fn prune_by(&mut self, tick: u32, rate: impl Fn(&K) -> Option<(f64, f64)>) {
        self.buckets.retain(|key, b| {
            rate(key).is_some_and(|(per_tick, burst)| {
                b.tokens + f64::from(tick.saturating_sub(b.last_tick)) * per_tick < burst
            })
        });
    }
}
