//! [`FrameFeed`]: what the hub hands one session of the region's entity frames. The hub
//! knows which sessions watch each entity ([`Watchers`](super::watchers)), so it pushes each
//! touched id to the sessions that watch it, and a session reads its own changes instead of
//! filtering every change of the edge against what it tracks: the work per frame is what the
//! sessions see change, not sessions times the edge's changes.

use starlane_protocol::EntityId;
use std::sync::Mutex;
use tokio::sync::Notify;

/// Most ids a feed holds before it gives them up for "look at everything" (a session that
/// stopped reading; its next look rescans what it tracks, which is never wrong).
pub const FEED_MAX_IDS: usize = 1 << 16;

/// One session's entity changes since it last took them, and the wake that announces them.
#[derive(Debug, Default)]
pub struct FrameFeed {
    wake: Notify,
    changes: Mutex<FeedChanges>,
}

/// What a session takes from its feed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FeedChanges {
    /// Ids of watched entities the frames touched (appeared, changed or removed), possibly
    /// repeated.
    pub ids: Vec<EntityId>,
    /// A reset frame came, or the feed overflowed: every tracked entity may have changed.
    pub everything: bool,
}

impl FrameFeed {
    /// Wait for the next push (one stored wake if a push came since the last wait).
    pub async fn notified(&self) {
        self.wake.notified().await;
    }

    /// Take what was pushed since the last take.
    pub fn take(&self) -> FeedChanges {
        std::mem::take(&mut *self.lock())
    }

    /// Push `ids` (moved in when nothing waits to be taken) and wake the session.
    pub(super) fn push(&self, ids: Vec<EntityId>) {
        {
            let mut c = self.lock();
            if !c.everything {
                if c.ids.len() + ids.len() > FEED_MAX_IDS {
                    c.ids = Vec::new();
                    c.everything = true;
                } else if c.ids.is_empty() {
                    c.ids = ids;
                } else {
                    c.ids.extend_from_slice(&ids);
                }
            }
        }
        self.wake.notify_one();
    }

    /// Mark everything changed (a reset frame) and wake the session.
    pub(super) fn push_everything(&self) {
        {
            let mut c = self.lock();
            c.ids = Vec::new();
            c.everything = true;
        }
        self.wake.notify_one();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FeedChanges> {
        // The state is a list and a flag, valid after any panic elsewhere.
        self.changes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_accumulate_until_taken_and_overflow_to_everything() {
        let feed = FrameFeed::default();
        feed.push(vec![1, 2]);
        feed.push(vec![2]);
        assert_eq!(
            feed.take(),
            FeedChanges {
                ids: vec![1, 2, 2],
                everything: false
            }
        );
        assert_eq!(feed.take(), FeedChanges::default(), "taken");
        feed.push(vec![7; FEED_MAX_IDS]);
        feed.push(vec![8]);
        let c = feed.take();
        assert!(c.everything && c.ids.is_empty(), "overflowed");
        feed.push(vec![3]);
        feed.push_everything();
        feed.push(vec![4]);
        assert_eq!(
            feed.take(),
            FeedChanges {
                ids: vec![],
                everything: true
            }
        );
    }
}
