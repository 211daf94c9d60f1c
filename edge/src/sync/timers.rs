//! [`ResendTimers`]: the resend deadlines of one session's in-flight entity states.
//!
//! Every packet arms one deadline for all the entities it carried (`sent_at + RTO`), so the
//! deadlines are kept per packet rather than per entity: arming costs one map insert per
//! packet and a send tick pops whole batches. A batch remembers when its packet was sent, so
//! an entity sent again since (whose newer packet armed a deadline of its own) is skipped
//! cheaply when the older batch fires.

use starlane_protocol::EntityId;
use std::collections::BTreeMap;
use std::time::Instant;

/// A batch's key: its deadline, then the send instant of the packet that armed it.
type Key = (Instant, Instant);

/// Resend deadlines, batched by the packet (or re-arm) that set them.
#[derive(Debug, Default)]
pub(super) struct ResendTimers {
    batches: BTreeMap<Key, Vec<EntityId>>,
}

/// One fired batch: the entities whose state sent at `sent_at` timed out.
#[derive(Debug)]
pub(super) struct Fired {
    pub(super) sent_at: Instant,
    pub(super) ids: Vec<EntityId>,
}

impl ResendTimers {
    /// Arms `deadline` for `ids`, whose states were sent at `sent_at`.
    pub(super) fn arm(
        &mut self,
        deadline: Instant,
        sent_at: Instant,
        ids: impl IntoIterator<Item = EntityId>,
    ) {
        self.batches
            .entry((deadline, sent_at))
            .or_default()
            .extend(ids);
    }

    /// The earliest deadline.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.batches
            .first_key_value()
            .map(|((deadline, _), _)| *deadline)
    }

    /// Removes and returns the earliest batch whose deadline is at or before `now`.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<Fired> {
        let entry = self.batches.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let ((_, sent_at), ids) = entry.remove_entry();
        Some(Fired { sent_at, ids })
    }

    /// Armed entries (an entity may be in several batches).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.batches.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn batches_fire_in_deadline_order_and_only_when_due() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timers = ResendTimers::default();
        timers.arm(t0 + ms(100), t0, [3, 1]);
        timers.arm(t0 + ms(60), t0 + ms(10), [2]);
        timers.arm(t0 + ms(100), t0, [4]);
        assert_eq!(timers.len(), 4);
        assert_eq!(timers.next_deadline(), Some(t0 + ms(60)));
        assert!(timers.pop_due(t0 + ms(59)).is_none());
        let first = timers
            .pop_due(t0 + ms(100))
            .expect("the 60 ms batch is due");
        assert_eq!((first.sent_at, first.ids), (t0 + ms(10), vec![2]));
        let second = timers
            .pop_due(t0 + ms(100))
            .expect("the 100 ms batch is due");
        assert_eq!((second.sent_at, second.ids), (t0, vec![3, 1, 4]));
        assert!(timers.pop_due(t0 + ms(500)).is_none());
        assert_eq!(timers.next_deadline(), None);
    }
}
