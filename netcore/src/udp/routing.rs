//! The driver's side of its links: endpoint events become [`LinkEvent`]s, and what the
//! application queues on a [`LinkSender`](crate::transport::LinkSender) becomes endpoint sends.
//!
//! Each link's outgoing queue is drained by a small forwarder task on the loop's runtime into
//! one bounded queue the loop waits on, so a message queued on any link wakes the loop at
//! once; a forwarder waits while that queue is full, so its link's own queue fills behind it.
//! A link whose event queue is full is shed (closed with [`SLOW_CONSUMER`]): one client that
//! the edge does not read from cannot hold up the loop that serves every client.

use super::driver::{Driver, LinkSink};
use crate::proto::conn::reliable::PushError;
use crate::proto::conn::{CloseCause, ConnStats, SendError, codes};
use crate::proto::endpoint::EndpointEvent;
use crate::transport::{
    ACCEPT_QUEUE_FULL, CloseReason, DriverSide, EventSender, Handover, LinkControl, LinkEvent,
    LinkStats, Outgoing, OutgoingReceiver, SLOW_CONSUMER, TransportKind,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What a link's forwarder hands the loop: the link's id (the loop knows where its connection
/// is now: a roaming client moves it; a later connection from the same address has another
/// id), and the message (`None`: the application dropped its link).
pub(crate) type Queued = (u64, Option<Outgoing>);

/// One live link as the loop holds it.
pub(crate) struct Slot {
    id: u64,
    events: EventSender,
    stats: Arc<LinkStats>,
    forwarder: JoinHandle<()>,
    /// Shed for a full event queue: its events are dropped until its close.
    shed: bool,
}

impl Slot {
    /// Copy the connection's counters into the link's stats.
    pub fn copy_stats(&self, s: &ConnStats) {
        let st = &self.stats;
        st.bytes_in.store(s.bytes_in, Ordering::Relaxed);
        st.bytes_out.store(s.bytes_out, Ordering::Relaxed);
        st.packets_in.store(s.packets_in, Ordering::Relaxed);
        st.packets_out.store(s.packets_out, Ordering::Relaxed);
        st.packets_lost.store(s.packets_lost, Ordering::Relaxed);
        if let Some(srtt) = s.srtt {
            st.set_rtt(srtt, s.rttvar);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Drops the link's outgoing queue: the application's sends now report a gone link.
        self.forwarder.abort();
    }
}

/// Move one link's queued messages to the loop, in order; a close-at-once request (a shed)
/// overtakes them.
async fn forward(
    id: u64,
    mut outgoing: OutgoingReceiver,
    control: Arc<LinkControl>,
    to_loop: mpsc::Sender<Queued>,
) {
    loop {
        let (out, last) = tokio::select! {
            biased;
            code = control.aborted() => (Some(Outgoing::Close(code)), true),
            out = outgoing.recv() => (out, false),
        };
        let end = last || out.is_none();
        if to_loop.send((id, out)).await.is_err() || end {
            return;
        }
    }
}

impl<S: LinkSink> Driver<S> {
    /// Hand one queued message to the endpoint.
    pub(super) fn apply(&mut self, now: Instant, (id, out): Queued) {
        let Some(&peer) = self.link_addrs.get(&id) else {
            // The link it was queued on is gone.
            return;
        };
        let r = match out {
            Some(Outgoing::Reliable(bytes)) => self.endpoint.send_reliable(now, peer, &bytes),
            Some(Outgoing::Datagram(bytes)) => self.endpoint.send_datagram(now, peer, &bytes),
            Some(Outgoing::Close(code)) => {
                self.endpoint.close(now, peer, code);
                return;
            }
            None => {
                // The application dropped its Link: close politely.
                self.endpoint.close(now, peer, codes::NORMAL);
                return;
            }
        };
        match r {
            Ok(()) | Err(SendError::DatagramTooLarge(_)) => {}
            Err(SendError::Push(PushError::TooLarge(len))) => {
                tracing::warn!(%peer, len, "reliable message over the limit dropped");
            }
            Err(SendError::Push(PushError::QueueFull)) => {
                self.endpoint.close(now, peer, codes::OVERLOADED);
            }
            Err(e) => tracing::debug!(%peer, "send failed: {e}"),
        }
    }

    /// Route endpoint events to links; returns false if the loop should end.
    pub(super) fn events(&mut self) -> bool {
        while let Some(ev) = self.endpoint.poll_event() {
            match ev {
                EndpointEvent::Connected { peer, rtt } => {
                    if !self.connected(peer, rtt) && self.single {
                        // The client's caller gave up waiting.
                        return false;
                    }
                }
                EndpointEvent::Message { peer, bytes } => {
                    self.deliver(peer, LinkEvent::Reliable(bytes))
                }
                EndpointEvent::Datagram { peer, bytes } => {
                    self.deliver(peer, LinkEvent::Datagram(bytes))
                }
                EndpointEvent::FirstMessageTooLarge { peer, len } => {
                    self.deliver(peer, LinkEvent::FirstMessageTooLarge(len))
                }
                EndpointEvent::Closed { peer, cause } => {
                    let reason = match cause {
                        CloseCause::Local(code) => CloseReason::Local(code),
                        CloseCause::Peer(code) => CloseReason::Peer(code),
                        CloseCause::IdleTimeout => CloseReason::Timeout,
                    };
                    if let Some(slot) = self.links.remove(&peer) {
                        self.link_addrs.remove(&slot.id);
                        slot.events.closed(reason);
                    }
                }
                EndpointEvent::Migrated { from, to } => {
                    if let Some(slot) = self.links.remove(&from) {
                        tracing::debug!(%from, %to, "connection moved to the client's new address");
                        self.link_addrs.insert(slot.id, to);
                        self.links.insert(to, slot);
                    }
                }
                EndpointEvent::ConnectFailed(e) => {
                    self.sink.failed(e);
                    return !self.single;
                }
            }
        }
        true
    }

    /// Make a link for a new connection and hand it over; false if nobody took it.
    fn connected(&mut self, peer: SocketAddr, rtt: Option<std::time::Duration>) -> bool {
        let (link, side) = crate::transport::link_pair(peer, TransportKind::Udp, self.limits);
        let DriverSide {
            events,
            outgoing,
            stats,
            control,
        } = side;
        if let Some(rtt) = rtt {
            stats.set_rtt(rtt, rtt / 2);
        }
        match self.sink.link(link) {
            Handover::Accepted => {}
            Handover::Full => {
                self.shared.accept_refused.fetch_add(1, Ordering::Relaxed);
                self.endpoint.close(Instant::now(), peer, ACCEPT_QUEUE_FULL);
                return true;
            }
            Handover::Gone => {
                self.endpoint.close(Instant::now(), peer, codes::NORMAL);
                return false;
            }
        }
        let id = self.next_link_id;
        self.next_link_id += 1;
        let to_loop = self.queued_tx.clone();
        let forwarder = tokio::spawn(forward(id, outgoing, control, to_loop));
        let slot = Slot {
            id,
            events,
            stats,
            forwarder,
            shed: false,
        };
        self.links.insert(peer, slot);
        self.link_addrs.insert(id, peer);
        self.started = true;
        true
    }

    /// Hand an event to the peer's link; a full event queue sheds the connection.
    fn deliver(&mut self, peer: SocketAddr, ev: LinkEvent) {
        let Some(slot) = self.links.get_mut(&peer) else {
            return;
        };
        if slot.shed || slot.events.try_deliver(ev).is_ok() {
            return;
        }
        slot.shed = true;
        LinkStats::bump(&slot.stats.shed_events_full);
        self.shared.shed_events_full.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(%peer, "link shed: its event queue is full");
        self.endpoint.close(Instant::now(), peer, SLOW_CONSUMER);
    }
}
