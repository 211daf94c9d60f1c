//! Routing between sessions and the region link.
//!
//! The hub owns the edge's side of the link, an [`EdgeLink`] state machine
//! (`starlane_netcore::proto::link`, LINK.md), which outlives connections: the region link
//! task ([`crate::region_link`]) connects and moves its bytes, sessions queue their frames on it
//! through the hub, and the hub routes its events: entity frames into the [`Mirror`], the rest
//! to their session by [`SessionId`].
//!
//! * **Backpressure** (LINK.md §8.1). The link's queue is bounded (`region_link.queue_capacity`
//!   frames, `region_link.queue_bytes`). From three quarters a command is refused
//!   ([`SendError::Full`]: the client gets `CommandRejected(RateLimited)`); when full a join is
//!   refused (`Reject(RegionUnavailable)`); a leave is deferred until there is room, never lost.
//!   Each case is counted in `starlane_edge_region_link_queue_full_total{frame}`.
//! * **Per-session queues.** Each session's events wait in a queue of
//!   `region_link.session_events`; a session that does not take them is shed: it ends with
//!   `Reject(RegionUnavailable)` and the region is told it left
//!   (`starlane_edge_region_link_sessions_shed_total`).
//! * **Link loss.** When the link drops its sessions stay registered ("held") and each is told
//!   [`RegionEvent::Lost`]; the session decides how long it waits (its grace period). On the next
//!   link every held session is announced again (`Rejoin`) before anything else.
//! * **Frames wake the sessions they concern.** The hub keeps, from the `View` changes it
//!   routes, which sessions see each entity; an `Entities` frame wakes only the sessions that
//!   see an entity it touched, handing each the ids it watches ([`RegionHub::frame_feed`]);
//!   a reset frame wakes all of them to look at everything.

mod feed;
mod route;
mod watchers;

pub use feed::{FEED_MAX_IDS, FeedChanges, FrameFeed};
pub use route::HubSink;

use crate::metrics::RegionLinkMetrics;
use crate::sync::Mirror;
use starlane_netcore::link::SharedLink;
use starlane_netcore::proto::link::{EdgeLink, EdgeLinkConfig, EdgeSendError};
use starlane_protocol::economy::Catalog;
use starlane_protocol::link::{LinkServerMsg, PlayerIdentity, SessionCommand, SessionId};
use starlane_protocol::{EmpireId, MapInfo, NoticeKind, RejectReason};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use tokio::sync::{mpsc, watch};
use watchers::Watchers;

/// Events queued per session by default (`region_link.session_events`).
pub const DEFAULT_SESSION_EVENTS: usize = 256;

/// What the region said about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionEvent {
    /// The session is open (again, after a re-announcement).
    Joined {
        empire: EmpireId,
        tick_rate_hz: u8,
        map: MapInfo,
        /// The region's recipe catalog (sent to the client after the map).
        catalog: Catalog,
    },
    /// The region refused the session.
    JoinRefused(RejectReason),
    /// Messages for the client, in order.
    ToClient(Vec<LinkServerMsg>),
    /// A notice for the client (link version 5: e.g. the region restored its world from a
    /// snapshot), handed on as the client protocol's `Notice`.
    Notice { kind: NoticeKind, text: String },
    /// The region link dropped; the session is held and will be re-announced on the next link.
    Lost,
    /// The hub dropped the session (it did not take its events): it ends now.
    Shed,
}

/// Why a session's frame was not queued for the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The edge->region queue is full (three quarters of it, for commands).
    #[error("the edge->region queue is full")]
    Full,
    /// No link is up, or the session is not registered on it.
    #[error("no region link for the session")]
    Unavailable,
}

impl From<EdgeSendError> for SendError {
    fn from(e: EdgeSendError) -> Self {
        match e {
            EdgeSendError::Full => Self::Full,
            EdgeSendError::Unavailable | EdgeSendError::Duplicate => Self::Unavailable,
        }
    }
}

/// Where a registered session's events go.
#[derive(Debug)]
struct Route {
    /// Its event queue.
    events: mpsc::Sender<RegionEvent>,
    /// The ids of what it sees that entity frames touched, and their wake.
    feed: Arc<FrameFeed>,
}

/// Shared routing state between sessions and the region link task.
#[derive(Debug)]
pub struct RegionHub {
    link: Arc<SharedLink<EdgeLink>>,
    /// Each registered session's route.
    routes: Mutex<HashMap<SessionId, Route>>,
    /// Which sessions see which entity (a superset), to wake them on a frame.
    watchers: Mutex<Watchers>,
    session_events: usize,
    up: watch::Sender<bool>,
    /// The states of the entities this edge's sessions can see, fed by the region's
    /// `Entities` frames and read by every session at its send ticks.
    mirror: RwLock<Mirror>,
    metrics: RegionLinkMetrics,
}

impl Default for RegionHub {
    fn default() -> Self {
        Self::new(EdgeLinkConfig::default(), DEFAULT_SESSION_EVENTS)
    }
}

impl RegionHub {
    /// A hub with no link, counting into metrics of its own.
    pub fn new(config: EdgeLinkConfig, session_events: usize) -> Self {
        Self::with_metrics(config, session_events, RegionLinkMetrics::unregistered())
    }

    /// A hub with no link, counting into `metrics`.
    pub fn with_metrics(
        config: EdgeLinkConfig,
        session_events: usize,
        metrics: RegionLinkMetrics,
    ) -> Self {
        Self {
            link: SharedLink::new(EdgeLink::new(config)),
            routes: Mutex::new(HashMap::new()),
            watchers: Mutex::new(Watchers::default()),
            session_events: session_events.max(1),
            up: watch::channel(false).0,
            mirror: RwLock::new(Mirror::new()),
            metrics,
        }
    }

    /// The link's state machine, for the region link task (and test stand-ins) to drive.
    pub fn link(&self) -> &Arc<SharedLink<EdgeLink>> {
        &self.link
    }

    /// The region-link metrics the hub counts into.
    pub fn metrics(&self) -> &RegionLinkMetrics {
        &self.metrics
    }

    /// Read access to the entity mirror. Hold it only for a synchronous step.
    pub fn mirror(&self) -> RwLockReadGuard<'_, Mirror> {
        self.mirror.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The feed a registered session takes its entity changes from, woken when an entity
    /// frame touched an entity it sees (so it can send right after); `None` for a session
    /// not registered.
    pub fn frame_feed(&self, session: SessionId) -> Option<Arc<FrameFeed>> {
        self.routes().get(&session).map(|r| r.feed.clone())
    }

    /// Whether a region link is up.
    pub fn is_up(&self) -> bool {
        *self.up.borrow()
    }

    /// Watch the link state.
    pub fn subscribe_up(&self) -> watch::Receiver<bool> {
        self.up.subscribe()
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, Route>> {
        self.routes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn watchers(&self) -> std::sync::MutexGuard<'_, Watchers> {
        self.watchers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drop `session`'s route and what it watched.
    fn unroute(&self, session: SessionId) {
        self.routes().remove(&session);
        self.watchers().forget(session);
    }

    /// Register `session` and queue its join; its events arrive on the returned queue.
    pub fn join(
        &self,
        session: SessionId,
        player: PlayerIdentity,
    ) -> Result<mpsc::Receiver<RegionEvent>, SendError> {
        let (tx, rx) = mpsc::channel(self.session_events);
        // The route exists before the join can be answered.
        let route = Route {
            events: tx,
            feed: Arc::new(FrameFeed::default()),
        };
        self.routes().insert(session, route);
        let joined = self.link.lock().join(session, player);
        if let Err(e) = joined {
            self.unroute(session);
            if e == EdgeSendError::Full {
                self.metrics.queue_full.with_label_values(&["join"]).inc();
            }
            return Err(e.into());
        }
        self.link.wake();
        Ok(rx)
    }

    /// Queue a command of a registered session (refused from three quarters of the queue).
    pub fn command(&self, command: SessionCommand) -> Result<(), SendError> {
        let sent = self.link.lock().command(command);
        match sent {
            Ok(()) => {
                self.link.wake();
                Ok(())
            }
            Err(e) => {
                if e == EdgeSendError::Full {
                    self.metrics
                        .queue_full
                        .with_label_values(&["command"])
                        .inc();
                }
                Err(e.into())
            }
        }
    }

    /// Forget `session` and tell the region it left (if the link carries its join). The
    /// leave is never dropped for a full queue (it is deferred).
    pub fn leave(&self, session: SessionId) {
        self.unroute(session);
        let deferred = {
            let mut link = self.link.lock();
            let before = link.counters().leaves_deferred;
            link.leave(session);
            self.metrics.sessions_held.set(link.held_count() as i64);
            link.counters().leaves_deferred > before
        };
        if deferred {
            self.metrics.queue_full.with_label_values(&["leave"]).inc();
        }
        self.link.wake();
    }

    /// Forget `session` without telling the region (it refused the session, or never had it).
    pub fn forget(&self, session: SessionId) {
        self.unroute(session);
        let mut link = self.link.lock();
        link.forget(session);
        self.metrics.sessions_held.set(link.held_count() as i64);
    }

    /// Number of registered sessions (on the link, or held while it is down).
    pub fn session_count(&self) -> usize {
        self.link.lock().session_count()
    }
}
