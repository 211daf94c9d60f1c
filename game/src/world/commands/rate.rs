//! Per-user token buckets, refilled per tick.

use bevy_ecs::prelude::*;
use std::collections::HashMap;

/// A token bucket, refilled per tick.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_tick: u32,
}

/// Per-user token buckets.
#[derive(Resource, Debug, Default)]
pub struct RateLimits {
    buckets: HashMap<i64, Bucket>,
}

impl RateLimits {
    /// Take one token for `user` at `tick`; false when the user is over the limit.
    pub(crate) fn allow(&mut self, user: i64, tick: u32, per_tick: f64, burst: f64) -> bool {
        let b = self.buckets.entry(user).or_insert(Bucket {
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
        self.buckets.retain(|_, b| {
            b.tokens + f64::from(tick.saturating_sub(b.last_tick)) * per_tick < burst
        });
    }
}
