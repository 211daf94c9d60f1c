//! Exactly-once commands across edges: per `(user, command stream)` the region remembers the
//! result of each recent command `seq`, so a client that moved to another edge (resuming its
//! stream, LINK.md §6.3) and sends an unanswered command again gets the first answer back
//! instead of a second application.
//!
//! A command is recorded when it passes the rate limit and answered from the window when it
//! comes again: at once if its result is known, or after this tick's results if the first
//! copy arrived in the same tick. A `RateLimited` refusal is not recorded (the command was
//! not applied; the client may send it again with the same `seq`). Stream `0` is not
//! deduplicated.

use bevy_ecs::prelude::*;
use starlane_protocol::CommandError;
use std::collections::{BTreeMap, HashMap};

/// Most `seq`s remembered per stream (the oldest is forgotten beyond it). Clients send again
/// only commands still unanswered, which the edge and region queues and the per-user rate
/// limit keep far below this.
pub const DEDUP_WINDOW: usize = 1024;

/// Ticks a stream's window is kept after its last command.
pub const DEDUP_IDLE_TICKS: u32 = 20 * 600;

/// What the window knows of one `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Taken this tick; its result comes with the tick's replies.
    Pending,
    /// Answered with this result.
    Done(Result<(), CommandError>),
}

#[derive(Debug, Default)]
struct Window {
    seqs: BTreeMap<u32, Seen>,
    last_tick: u32,
}

/// The windows of every recent command stream.
#[derive(Resource, Debug, Default)]
pub struct CommandDedup {
    windows: HashMap<(i64, u64), Window>,
    /// Commands answered from a window instead of being applied again.
    pub duplicates: u64,
}

impl CommandDedup {
    /// Check `seq` of `(user, stream)` at `tick`: `None` if it is new (now recorded as
    /// pending), else what is known of its first copy.
    pub fn check(&mut self, user: i64, stream: u64, seq: u32, tick: u32) -> Option<Seen> {
        if stream == 0 {
            return None;
        }
        let w = self.windows.entry((user, stream)).or_default();
        w.last_tick = tick;
        if let Some(seen) = w.seqs.get(&seq) {
            self.duplicates += 1;
            return Some(*seen);
        }
        if w.seqs.len() >= DEDUP_WINDOW {
            w.seqs.pop_first();
        }
        w.seqs.insert(seq, Seen::Pending);
        None
    }

    /// The result of a recorded command; a `RateLimited` one is forgotten (not applied).
    pub fn record(&mut self, user: i64, stream: u64, seq: u32, result: Result<(), CommandError>) {
        let Some(w) = self.windows.get_mut(&(user, stream)) else {
            return;
        };
        if result == Err(CommandError::RateLimited) {
            w.seqs.remove(&seq);
        } else if let Some(seen) = w.seqs.get_mut(&seq) {
            *seen = Seen::Done(result);
        }
    }

    /// The recorded result of `seq`, if known.
    pub fn result(&self, user: i64, stream: u64, seq: u32) -> Option<Result<(), CommandError>> {
        match self.windows.get(&(user, stream))?.seqs.get(&seq)? {
            Seen::Done(r) => Some(*r),
            Seen::Pending => None,
        }
    }

    /// Forget windows idle for [`DEDUP_IDLE_TICKS`].
    pub fn prune(&mut self, tick: u32) {
        self.windows
            .retain(|_, w| tick.saturating_sub(w.last_tick) < DEDUP_IDLE_TICKS);
    }

    /// Streams remembered.
    pub fn streams(&self) -> usize {
        self.windows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seq_is_applied_once_and_its_result_replayed() {
        let mut d = CommandDedup::default();
        assert_eq!(d.check(1, 9, 5, 0), None);
        assert_eq!(d.check(1, 9, 5, 0), Some(Seen::Pending));
        d.record(1, 9, 5, Ok(()));
        assert_eq!(d.check(1, 9, 5, 1), Some(Seen::Done(Ok(()))));
        // Another stream or another user is not the same command.
        assert_eq!(d.check(1, 10, 5, 1), None);
        assert_eq!(d.check(2, 9, 5, 1), None);
        // Stream 0 is never deduplicated.
        assert_eq!(d.check(1, 0, 5, 1), None);
        assert_eq!(d.check(1, 0, 5, 1), None);
        assert_eq!(d.duplicates, 2);
    }

    #[test]
    fn rate_limited_commands_may_come_again_and_windows_are_bounded() {
        let mut d = CommandDedup::default();
        assert_eq!(d.check(1, 9, 1, 0), None);
        d.record(1, 9, 1, Err(CommandError::RateLimited));
        assert_eq!(d.check(1, 9, 1, 0), None);
        for seq in 2..=(DEDUP_WINDOW as u32 + 1) {
            d.check(1, 9, seq, 0);
        }
        // Seq 1, the oldest, was forgotten.
        assert_eq!(d.check(1, 9, 1, 0), None);
        d.prune(DEDUP_IDLE_TICKS);
        assert_eq!(d.streams(), 0);
    }
}
