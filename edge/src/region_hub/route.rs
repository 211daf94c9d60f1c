//! How the hub hands on the link's events: entity frames into the mirror (waking the sessions
//! that see what they changed), session events to their session's bounded queue (shedding a
//! session whose queue is full; view changes also update who watches what), the link's state
//! to the `up` watch and the metrics.

use super::{RegionEvent, RegionHub};
use starlane_netcore::link::EventSink;
use starlane_netcore::proto::link::EdgeLinkEvent;
use starlane_protocol::link::{EntityFrame, LinkServerMsg, SessionId};
use std::sync::Arc;
use tokio::sync::mpsc::error::TrySendError;

impl RegionHub {
    /// Hand one event of the link on.
    pub fn route(&self, event: EdgeLinkEvent) {
        match event {
            EdgeLinkEvent::Up {
                version,
                region_id,
                instance,
            } => {
                tracing::info!(version, region_id, instance, "region link up");
                self.metrics.welcomed_by(&region_id);
                // A new link's region starts this edge from nothing (its first frame lists
                // everything).
                self.mirror
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .clear();
                self.metrics.sessions_held.set(0);
                let reannounced = self.link.lock().counters().reannounced;
                let counted = self.metrics.reannounced.get();
                self.metrics
                    .reannounced
                    .inc_by(reannounced.saturating_sub(counted));
                self.up.send_replace(true);
            }
            EdgeLinkEvent::Down(closed) => {
                tracing::warn!(code = closed.label(), reason = %closed.reason, by_peer = closed.by_peer, "region link down");
                self.metrics
                    .closes
                    .with_label_values(&[closed.label()])
                    .inc();
                self.up.send_replace(false);
                let sessions: Vec<SessionId> = self.routes().keys().copied().collect();
                for session in sessions {
                    self.to_session(session, RegionEvent::Lost);
                }
                let held = self.link.lock().held_count();
                self.metrics.sessions_held.set(held as i64);
            }
            EdgeLinkEvent::Entities(frame) => {
                self.mirror
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply(&frame);
                self.wake_concerned(&frame);
            }
            EdgeLinkEvent::Joined(j) => self.to_session(
                j.session,
                RegionEvent::Joined {
                    empire: j.empire,
                    tick_rate_hz: j.tick_rate_hz,
                    map: j.map,
                    catalog: j.catalog,
                },
            ),
            EdgeLinkEvent::JoinRefused(r) => {
                self.to_session(r.session, RegionEvent::JoinRefused(r.reason))
            }
            EdgeLinkEvent::ToClient(t) => {
                let views = t.msgs.iter().filter_map(|m| match m {
                    LinkServerMsg::View(v) => Some(v),
                    _ => None,
                });
                {
                    let mut watchers = self.watchers();
                    for view in views {
                        watchers.view(t.session, view);
                    }
                }
                self.to_session(t.session, RegionEvent::ToClient(t.msgs))
            }
            EdgeLinkEvent::Notice(n) => match n.notice_kind() {
                Some(kind) => {
                    let event = RegionEvent::Notice { kind, text: n.text };
                    self.to_session(n.session, event);
                }
                // A kind of a later version: dropped and counted, the link stays up.
                None => self
                    .metrics
                    .dropped
                    .with_label_values(&["unknown_notice_kind"])
                    .inc(),
            },
        }
    }

    /// Route every event the link has queued (after driving it by hand: tests, stand-ins).
    pub fn route_pending(&self) {
        loop {
            let event = self.link.lock().poll_event();
            match event {
                Some(e) => self.route(e),
                None => return,
            }
        }
    }

    /// Hand the sessions that see an entity `frame` touched the ids they see, and wake them
    /// (every session, to look at everything, for a reset).
    fn wake_concerned(&self, frame: &EntityFrame) {
        let routes = self.routes();
        if frame.reset {
            routes.values().for_each(|r| r.feed.push_everything());
            return;
        }
        for (session, ids) in self.watchers().concerned(frame) {
            if let Some(r) = routes.get(&session) {
                r.feed.push(ids);
            }
        }
    }

    /// Queue `event` for `session`; a session whose queue is full is shed: its queue is
    /// closed (it ends with [`RegionEvent::Shed`]) and the region is told it left.
    fn to_session(&self, session: SessionId, event: RegionEvent) {
        let full = {
            let routes = self.routes();
            let Some(tx) = routes.get(&session) else {
                self.metrics
                    .dropped
                    .with_label_values(&["unknown_session"])
                    .inc();
                return;
            };
            matches!(tx.events.try_send(event), Err(TrySendError::Full(_)))
        };
        if full {
            tracing::warn!(session, "session does not take its region events; shed it");
            self.metrics.sessions_shed.inc();
            self.leave(session);
        }
    }
}

/// The region link task's event sink: the hub.
#[derive(Debug, Clone)]
pub struct HubSink(pub Arc<RegionHub>);

impl EventSink<EdgeLinkEvent> for HubSink {
    async fn deliver(&mut self, event: EdgeLinkEvent) {
        self.0.route(event);
    }
}
