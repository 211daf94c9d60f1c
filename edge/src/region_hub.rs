//! Routing between sessions and the region link.
//!
//! The hub knows whether a link is up, forwards session frames to it and routes the region's
//! frames to sessions by [`SessionId`]. When a link drops every session registered on it is told
//! [`RegionEvent::Lost`] and forgotten.

use crate::sync::Mirror;
use starlane_protocol::link::{
    EdgeToRegion, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId,
};
use starlane_protocol::{EmpireId, MapInfo, RejectReason};
use std::collections::HashMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use tokio::sync::{mpsc, watch};

/// What the region said about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionEvent {
    /// The session is open.
    Joined {
        empire: EmpireId,
        tick_rate_hz: u8,
        map: MapInfo,
    },
    /// The region refused the session.
    JoinRefused(RejectReason),
    /// Messages for the client, in order.
    ToClient(Vec<LinkServerMsg>),
    /// The region link dropped.
    Lost,
}

#[derive(Debug, Default)]
struct HubInner {
    link: Option<(u64, mpsc::UnboundedSender<EdgeToRegion>)>,
    next_generation: u64,
    sessions: HashMap<SessionId, mpsc::UnboundedSender<RegionEvent>>,
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
}

impl Default for RegionHub {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionHub {
    /// A hub with no link.
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(HubInner::default()),
            up: watch::channel(false).0,
            mirror: RwLock::new(Mirror::new()),
            frames: watch::channel(0).0,
        }
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

    /// Attach a link whose frames go to `tx`; returns its generation for [`RegionHub::detach`].
    pub fn attach(&self, tx: mpsc::UnboundedSender<EdgeToRegion>) -> u64 {
        let (generation, stale) = {
            let mut inner = self.lock();
            inner.next_generation += 1;
            let generation = inner.next_generation;
            inner.link = Some((generation, tx));
            (generation, std::mem::take(&mut inner.sessions))
        };
        // A new link's region starts this edge from nothing (its first frame lists everything).
        self.clear_mirror();
        self.up.send_replace(true);
        // Sessions of an earlier link that was never detached cannot continue on this one.
        for tx in stale.values() {
            let _ = tx.send(RegionEvent::Lost);
        }
        generation
    }

    /// Detach the link of `generation` (if still current): its sessions get [`RegionEvent::Lost`].
    pub fn detach(&self, generation: u64) {
        let lost = {
            let mut inner = self.lock();
            if inner.link.as_ref().map(|(g, _)| *g) != Some(generation) {
                return;
            }
            inner.link = None;
            std::mem::take(&mut inner.sessions)
        };
        self.clear_mirror();
        self.up.send_replace(false);
        for tx in lost.values() {
            let _ = tx.send(RegionEvent::Lost);
        }
    }

    /// Register `session` and send its join; `None` if no link is up.
    pub fn join(
        &self,
        session: SessionId,
        player: PlayerIdentity,
    ) -> Option<mpsc::UnboundedReceiver<RegionEvent>> {
        let mut inner = self.lock();
        let link = inner.link.as_ref()?.1.clone();
        if link.send(EdgeToRegion::Join { session, player }).is_err() {
            return None;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        inner.sessions.insert(session, tx);
        Some(rx)
    }

    /// Forward a frame of a registered session; false if the session or the link is gone.
    pub fn send(&self, session: SessionId, msg: EdgeToRegion) -> bool {
        let inner = self.lock();
        if !inner.sessions.contains_key(&session) {
            return false;
        }
        inner
            .link
            .as_ref()
            .is_some_and(|(_, tx)| tx.send(msg).is_ok())
    }

    /// Forget `session` and tell the region it left (if the link is still the same).
    pub fn leave(&self, session: SessionId) {
        let mut inner = self.lock();
        if inner.sessions.remove(&session).is_some()
            && let Some((_, tx)) = inner.link.as_ref()
        {
            let _ = tx.send(EdgeToRegion::Leave { session });
        }
    }

    /// Forget `session` without telling the region (it refused or lost the session).
    pub fn forget(&self, session: SessionId) {
        self.lock().sessions.remove(&session);
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
            .is_some_and(|tx| tx.send(event).is_ok())
    }

    /// Number of sessions registered on the current link.
    pub fn session_count(&self) -> usize {
        self.lock().sessions.len()
    }
}
