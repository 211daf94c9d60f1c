//! A session across a lost region link: held for a grace period, re-announced on the next
//! link, and resynchronised when the region answers.
//!
//! While the link is down the client keeps its connection; its commands are answered with
//! `CommandRejected(RateLimited)` ("not accepted now, retry") because no region can take them.
//! When the region accepts the re-announced session it sends, like for any fresh join, the
//! session's whole view: every visible entity as entered, the vision of every cell it does not
//! consider shroud, and the resources. [`Relink::reconcile`] turns that into a change against
//! what the client already holds: entities it holds that are not in the new view are made to
//! leave, and cells it was told are visible but the new view does not mention become fog.

use starlane_protocol::delta::Event;
use starlane_protocol::link::{LinkServerMsg, ViewChange};
use starlane_protocol::{EntityId, Hex, Visibility, VisionChange};
use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

/// Lost-link state of one session.
#[derive(Debug)]
pub(super) struct Relink {
    /// How long the session waits for the region after losing the link.
    grace: Duration,
    /// Set while waiting: the session is closed when it passes.
    deadline: Option<Instant>,
    /// The next full view from the region must be reconciled.
    resync: bool,
    /// Entities the region put in the client's view (entered, not yet left).
    ids: BTreeSet<EntityId>,
    /// Cells the client was told are visible.
    visible: HashSet<Hex>,
    /// Command answers produced before the session's delta sync exists.
    held: Vec<Event>,
    /// Commands forwarded to the region and not answered yet, by seq: if the link drops
    /// they will never be (the region ends the link's sessions), so they are answered here.
    in_flight: BTreeSet<u32>,
}

/// Most command answers kept for a session not welcomed yet.
const MAX_HELD_EVENTS: usize = 256;
/// Most unanswered commands remembered per session (the oldest is forgotten beyond it; the
/// edge-to-region queue and the region's rate limit keep the real number far below).
const MAX_IN_FLIGHT: usize = 4096;

impl Relink {
    pub(super) fn new(grace: Duration) -> Self {
        Self {
            grace,
            deadline: None,
            resync: false,
            ids: BTreeSet::new(),
            visible: HashSet::new(),
            held: Vec::new(),
            in_flight: BTreeSet::new(),
        }
    }

    /// Command `seq` was handed to the region link.
    pub(super) fn forwarded(&mut self, seq: u32) {
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            self.in_flight.pop_first();
        }
        self.in_flight.insert(seq);
    }

    /// Command `seq` did not reach the link after all (it was refused at the edge).
    pub(super) fn not_forwarded(&mut self, seq: u32) {
        self.in_flight.remove(&seq);
    }

    /// The commands forwarded and not answered: the link that carried them is gone.
    pub(super) fn take_in_flight(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.in_flight).into_iter().collect()
    }

    /// Keep a command answer until the delta sync exists (bounded: a client flooding commands
    /// before its welcome gets no more answers).
    pub(super) fn hold(&mut self, event: Event) {
        if self.held.len() < MAX_HELD_EVENTS {
            self.held.push(event);
        }
    }

    /// The held command answers, oldest first.
    pub(super) fn take_held(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.held)
    }

    pub(super) fn set_grace(&mut self, grace: Duration) {
        self.grace = grace;
    }

    /// The link dropped at `now`: false when the session must close at once (no grace).
    pub(super) fn on_lost(&mut self, now: Instant) -> bool {
        if self.grace.is_zero() {
            return false;
        }
        // A second loss while waiting keeps the first deadline: the wait stays bounded.
        self.deadline.get_or_insert(now + self.grace);
        true
    }

    /// Whether the session waits for a re-announcement.
    pub(super) fn waiting(&self) -> bool {
        self.deadline.is_some()
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub(super) fn expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }

    /// The region accepted the re-announced session: stop waiting, resync its next full view.
    pub(super) fn on_rejoined(&mut self) {
        self.deadline = None;
        self.resync = true;
    }

    /// Remember what `msgs` put in the client's view; the first full view after a re-join is
    /// first turned into a change against what the client holds.
    pub(super) fn observe(&mut self, msgs: &mut Vec<LinkServerMsg>) {
        if self.resync && msgs.iter().any(is_full_sync) {
            self.resync = false;
            self.reconcile(msgs);
        }
        for msg in msgs.iter() {
            if let LinkServerMsg::CommandAck { seq } | LinkServerMsg::CommandRejected { seq, .. } =
                msg
            {
                self.in_flight.remove(seq);
            }
            if let LinkServerMsg::View(v) = msg {
                for id in &v.left {
                    self.ids.remove(id);
                }
                self.ids.extend(v.entered.iter().copied());
                for c in &v.vision {
                    if c.state == Visibility::Visible {
                        self.visible.insert(c.hex);
                    } else {
                        self.visible.remove(&c.hex);
                    }
                }
            }
        }
    }

    /// Add to the first view of `msgs` (creating one) the entities and visible cells the
    /// client holds that the region's full view leaves out.
    fn reconcile(&mut self, msgs: &mut Vec<LinkServerMsg>) {
        let mut entered = HashSet::new();
        let mut cells = HashSet::new();
        let mut tick = 0;
        for msg in msgs.iter() {
            if let LinkServerMsg::View(v) = msg {
                entered.extend(v.entered.iter().copied());
                cells.extend(v.vision.iter().map(|c| c.hex));
                tick = v.tick;
            }
        }
        let gone: Vec<EntityId> = self
            .ids
            .iter()
            .filter(|id| !entered.contains(*id))
            .copied()
            .collect();
        let mut fogged: Vec<Hex> = self
            .visible
            .iter()
            .filter(|h| !cells.contains(*h))
            .copied()
            .collect();
        fogged.sort_by_key(|h| (h.q, h.r));
        if gone.is_empty() && fogged.is_empty() {
            return;
        }
        let index = match msgs
            .iter()
            .position(|m| matches!(m, LinkServerMsg::View(_)))
        {
            Some(i) => i,
            None => {
                msgs.insert(
                    0,
                    LinkServerMsg::View(ViewChange {
                        tick,
                        ..ViewChange::default()
                    }),
                );
                0
            }
        };
        if let Some(LinkServerMsg::View(view)) = msgs.get_mut(index) {
            view.left.extend(gone);
            view.left.sort_unstable();
            view.vision
                .extend(fogged.into_iter().map(|hex| VisionChange {
                    hex,
                    state: Visibility::Fog,
                }));
        }
    }
}

/// The region's first sync of a (re-)joined session carries its resources and its view.
fn is_full_sync(msg: &LinkServerMsg) -> bool {
    matches!(msg, LinkServerMsg::View(_) | LinkServerMsg::Resources(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(entered: &[EntityId], visible: &[Hex]) -> LinkServerMsg {
        LinkServerMsg::View(ViewChange {
            tick: 1,
            entered: entered.to_vec(),
            left: Vec::new(),
            vision: visible
                .iter()
                .map(|&hex| VisionChange {
                    hex,
                    state: Visibility::Visible,
                })
                .collect(),
        })
    }

    #[test]
    fn full_view_after_rejoin_drops_what_the_region_no_longer_shows() {
        let mut r = Relink::new(Duration::from_secs(10));
        let (a, b) = (Hex::new(0, 0), Hex::new(1, 0));
        r.observe(&mut vec![view(&[1, 2, 3], &[a, b])]);
        assert!(r.on_lost(Instant::now()));
        r.on_rejoined();
        // An ack alone is not the full view: nothing is reconciled yet.
        let mut acks = vec![LinkServerMsg::CommandAck { seq: 1 }];
        r.observe(&mut acks);
        assert_eq!(acks.len(), 1);
        let mut msgs = vec![view(&[2], &[a]), LinkServerMsg::Resources(Vec::new())];
        r.observe(&mut msgs);
        let Some(LinkServerMsg::View(v)) = msgs.first() else {
            panic!("expected a view")
        };
        assert_eq!(v.left, vec![1, 3]);
        assert!(v.vision.contains(&VisionChange {
            hex: b,
            state: Visibility::Fog
        }));
        assert_eq!(r.ids.iter().copied().collect::<Vec<_>>(), vec![2]);
        // Only the first full view is reconciled.
        let mut later = vec![view(&[], &[])];
        r.observe(&mut later);
        assert!(matches!(&later[0], LinkServerMsg::View(v) if v.left.is_empty()));
    }

    #[test]
    fn grace_is_bounded_and_zero_closes_at_once() {
        let now = Instant::now();
        let mut r = Relink::new(Duration::from_secs(2));
        assert!(r.on_lost(now));
        assert!(r.on_lost(now + Duration::from_secs(1)));
        assert_eq!(r.deadline(), Some(now + Duration::from_secs(2)));
        assert!(r.expired(now + Duration::from_secs(2)));
        assert!(!Relink::new(Duration::ZERO).on_lost(now));
    }
}
