//! Routing between sessions and the region link.
//!
//! The hub knows whether a link is up, queues session frames for it and routes the region's
//! frames to sessions by [`SessionId`]. All of an edge's sessions share the one link.
//!
//! * **Backpressure.** A link's queue is bounded ([`LinkSender::Bounded`], capacity
//!   `region_link.queue_capacity`). Commands may use three quarters of it: beyond that
//!   [`RegionHub::send`] returns [`SendError::Full`] and the session rejects the command
//!   (`CommandRejected(RateLimited)`). A join that finds the queue full is refused (the client
//!   gets `Reject(RegionUnavailable)`). A leave is never lost: when the queue is full it is
//!   deferred and written once the queue has drained. Each case is counted in
//!   `starlane_edge_region_link_queue_full_total{frame}`.
//! * **Link loss.** When a link drops, its sessions stay registered ("held") and each is told
//!   [`RegionEvent::Lost`]; the session decides how long it waits (its grace period).
//! * **Re-announcement.** When a new link attaches, every held session is announced again
//!   with the same `Join` (session id, verified player) that opened it; the link writes those
//!   joins before anything else, so each session's later frames follow its join. The region
//!   treats them as fresh joins and answers `Joined`.

mod queue;

pub use queue::{LinkSender, SendError};

use crate::metrics::RegionLinkMetrics;
use crate::sync::Mirror;
use queue::Queued;
use starlane_protocol::link::{
    EdgeToRegion, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId,
};
use starlane_protocol::{EmpireId, MapInfo, RejectReason};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use tokio::sync::{Notify, mpsc, watch};

/// What the region said about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionEvent {
    /// The session is open (again, after a re-announcement).
    Joined {
        empire: EmpireId,
        tick_rate_hz: u8,
        map: MapInfo,
    },
    /// The region refused the session.
    JoinRefused(RejectReason),
    /// Messages for the client, in order.
    ToClient(Vec<LinkServerMsg>),
    /// The region link dropped; the session is held and will be re-announced on the next link.
    Lost,
}

#[derive(Debug)]
struct HubSession {
    events: mpsc::UnboundedSender<RegionEvent>,
    player: PlayerIdentity,
    /// Whether the current link carries (or is about to carry) the session's `Join`.
    announced: bool,
}

#[derive(Debug)]
struct AttachedLink {
    generation: u64,
    tx: LinkSender,
    /// Joins of held sessions the link's writer has not taken yet.
    rejoins: BTreeMap<SessionId, PlayerIdentity>,
    /// Leaves that found the queue full, written once it has drained.
    deferred_leaves: Vec<SessionId>,
}

#[derive(Debug, Default)]
struct HubInner {
    link: Option<AttachedLink>,
    next_generation: u64,
    sessions: HashMap<SessionId, HubSession>,
}

/// Shared routing state between sessions and the region link task.
#[derive(Debug)]
pub struct RegionHub {
    inner: Mutex<HubInner>,
    up: watch::Sender<bool>,
    /// The states of the entities this edge's sessions can see, fed by the region's
    /// `Entities` frames and read by every session at its send ticks.
    mirror: RwLock<Mirror>,
    /// Counts entity frames applied to the mirror, so sessions can send right after one.
    frames: watch::Sender<u64>,
    /// Wakes the link writer when a leave was deferred.
    leaves: Notify,
    metrics: RegionLinkMetrics,
}

impl Default for RegionHub {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionHub {
    /// A hub with no link, counting into metrics of its own.
    pub fn new() -> Self {
        Self::with_metrics(RegionLinkMetrics::unregistered())
    }

    /// A hub with no link, counting into `metrics`.
    pub fn with_metrics(metrics: RegionLinkMetrics) -> Self {
        Self {
            inner: Mutex::new(HubInner::default()),
            up: watch::channel(false).0,
            mirror: RwLock::new(Mirror::new()),
            frames: watch::channel(0).0,
            leaves: Notify::new(),
            metrics,
        }
    }

    /// The region-link metrics the hub counts into.
    pub fn metrics(&self) -> &RegionLinkMetrics {
        &self.metrics
    }

    /// Read access to the entity mirror. Hold it only for a synchronous step.
    pub fn mirror(&self) -> RwLockReadGuard<'_, Mirror> {
        self.mirror.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Watch the count of entity frames applied to the mirror.
    pub fn subscribe_frames(&self) -> watch::Receiver<u64> {
        self.frames.subscribe()
    }

    fn clear_mirror(&self) {
        self.mirror
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a region link is attached.
    pub fn is_up(&self) -> bool {
        *self.up.borrow()
    }

    /// Watch the link state.
    pub fn subscribe_up(&self) -> watch::Receiver<bool> {
        self.up.subscribe()
    }

    /// Attach a link whose frames go to `tx`; returns its generation for
    /// [`RegionHub::detach`]. Every registered session is re-announced on it: a bounded link's
    /// writer takes the joins with [`RegionHub::take_rejoins`]; an unbounded queue gets them now.
    pub fn attach(&self, tx: impl Into<LinkSender>) -> u64 {
        let tx = tx.into();
        let mut inner = self.lock();
        // Sessions of an earlier link that was never detached learn it is gone first.
        if inner.link.take().is_some() {
            for s in inner.sessions.values() {
                let _ = s.events.send(RegionEvent::Lost);
            }
        }
        inner.next_generation += 1;
        let generation = inner.next_generation;
        let mut rejoins = BTreeMap::new();
        for (id, s) in inner.sessions.iter_mut() {
            s.announced = true;
            rejoins.insert(*id, s.player.clone());
        }
        if let LinkSender::Unbounded(queue) = &tx {
            self.metrics.reannounced.inc_by(rejoins.len() as u64);
            for (session, player) in std::mem::take(&mut rejoins) {
                let _ = queue.send(EdgeToRegion::Join { session, player });
            }
        }
        inner.link = Some(AttachedLink {
            generation,
            tx,
            rejoins,
            deferred_leaves: Vec::new(),
        });
        self.metrics.sessions_held.set(0);
        drop(inner);
        // A new link's region starts this edge from nothing (its first frame lists everything).
        self.clear_mirror();
        self.up.send_replace(true);
        generation
    }

    /// The joins re-announcing the held sessions on link `generation` (once), in session
    /// order. The link writes them before any queued frame.
    pub fn take_rejoins(&self, generation: u64) -> Vec<EdgeToRegion> {
        let mut inner = self.lock();
        let Some(link) = inner.link.as_mut().filter(|l| l.generation == generation) else {
            return Vec::new();
        };
        let joins: Vec<EdgeToRegion> = std::mem::take(&mut link.rejoins)
            .into_iter()
            .map(|(session, player)| EdgeToRegion::Join { session, player })
            .collect();
        self.metrics.reannounced.inc_by(joins.len() as u64);
        joins
    }

    /// The leaves deferred on link `generation` because its queue was full.
    pub fn take_deferred_leaves(&self, generation: u64) -> Vec<EdgeToRegion> {
        let mut inner = self.lock();
        let Some(link) = inner.link.as_mut().filter(|l| l.generation == generation) else {
            return Vec::new();
        };
        std::mem::take(&mut link.deferred_leaves)
            .into_iter()
            .map(|session| EdgeToRegion::Leave { session })
            .collect()
    }

    /// Resolves when a leave was deferred (see [`RegionHub::take_deferred_leaves`]).
    pub async fn leave_deferred(&self) {
        self.leaves.notified().await
    }

    /// Detach the link of `generation` (if still current). Its sessions are held: each gets
    /// [`RegionEvent::Lost`] and is re-announced when the next link attaches.
    pub fn detach(&self, generation: u64) {
        let mut inner = self.lock();
        if inner.link.as_ref().map(|l| l.generation) != Some(generation) {
            return;
        }
        inner.link = None;
        for s in inner.sessions.values_mut() {
            s.announced = false;
            let _ = s.events.send(RegionEvent::Lost);
        }
        self.metrics.sessions_held.set(inner.sessions.len() as i64);
        drop(inner);
        self.up.send_replace(false);
    }

    /// Register `session` and queue its join; `None` if no link is up or its queue is full.
    pub fn join(
        &self,
        session: SessionId,
        player: PlayerIdentity,
    ) -> Option<mpsc::UnboundedReceiver<RegionEvent>> {
        let mut inner = self.lock();
        let link = inner.link.as_ref()?;
        let join = EdgeToRegion::Join {
            session,
            player: player.clone(),
        };
        match link.tx.try_send(join, false) {
            Queued::Sent => {}
            Queued::Full(_) => {
                self.metrics.queue_full.with_label_values(&["join"]).inc();
                return None;
            }
            Queued::Closed(_) => return None,
        }
        let (events, rx) = mpsc::unbounded_channel();
        inner.sessions.insert(
            session,
            HubSession {
                events,
                player,
                announced: true,
            },
        );
        Some(rx)
    }

    /// Queue a frame of a registered session (commands may use three quarters of the queue).
    pub fn send(&self, session: SessionId, msg: EdgeToRegion) -> Result<(), SendError> {
        let inner = self.lock();
        let announced = inner.sessions.get(&session).is_some_and(|s| s.announced);
        let Some(link) = inner.link.as_ref().filter(|_| announced) else {
            return Err(SendError::Unavailable(msg));
        };
        match link.tx.try_send(msg, true) {
            Queued::Sent => Ok(()),
            Queued::Full(m) => {
                self.metrics
                    .queue_full
                    .with_label_values(&["command"])
                    .inc();
                Err(SendError::Full(m))
            }
            Queued::Closed(m) => Err(SendError::Unavailable(m)),
        }
    }

    /// Forget `session` and tell the region it left, if the current link carries its join.
    /// The leave is never dropped for a full queue (it is deferred).
    pub fn leave(&self, session: SessionId) {
        let mut inner = self.lock();
        let Some(s) = inner.sessions.remove(&session) else {
            return;
        };
        self.update_held(&inner);
        let Some(link) = inner.link.as_mut().filter(|_| s.announced) else {
            return;
        };
        // A join not written yet never needs its leave.
        if link.rejoins.remove(&session).is_some() {
            return;
        }
        if let Queued::Full(_) = link.tx.try_send(EdgeToRegion::Leave { session }, false) {
            self.metrics.queue_full.with_label_values(&["leave"]).inc();
            link.deferred_leaves.push(session);
            self.leaves.notify_one();
        }
    }

    /// Forget `session` without telling the region (it refused the session, or never had it).
    pub fn forget(&self, session: SessionId) {
        let mut inner = self.lock();
        inner.sessions.remove(&session);
        if let Some(link) = inner.link.as_mut() {
            link.rejoins.remove(&session);
        }
        self.update_held(&inner);
    }

    fn update_held(&self, inner: &HubInner) {
        if inner.link.is_none() {
            self.metrics.sessions_held.set(inner.sessions.len() as i64);
        }
    }

    /// Route a frame from the region: entity frames update the mirror, the others go to their
    /// session. Returns false if the frame's session is unknown.
    pub fn dispatch(&self, msg: RegionToEdge) -> bool {
        let (session, event) = match msg {
            RegionToEdge::Entities(frame) => {
                self.mirror
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply(&frame);
                self.frames.send_modify(|n| *n = n.wrapping_add(1));
                return true;
            }
            RegionToEdge::Joined {
                session,
                empire,
                tick_rate_hz,
                map,
            } => (
                session,
                RegionEvent::Joined {
                    empire,
                    tick_rate_hz,
                    map,
                },
            ),
            RegionToEdge::JoinRefused { session, reason } => {
                (session, RegionEvent::JoinRefused(reason))
            }
            RegionToEdge::ToClient { session, msgs } => (session, RegionEvent::ToClient(msgs)),
        };
        let inner = self.lock();
        inner
            .sessions
            .get(&session)
            .is_some_and(|s| s.events.send(event).is_ok())
    }

    /// Number of registered sessions (on the link, or held while it is down).
    pub fn session_count(&self) -> usize {
        self.lock().sessions.len()
    }
}
