//! [`LoopRegion`]: a region stand-in in process, for hub and session tests without sockets: a
//! netcore region state machine exchanging bytes directly with the hub's edge state machine.
//! Bytes move when the test pumps (at once when it sends, periodically while it waits).

use starlane_edge::region_hub::RegionHub;
use starlane_netcore::proto::link::{RegionLink, RegionLinkConfig, RegionLinkEvent};
use starlane_protocol::link::RegionToEdge;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long [`LoopRegion::next_event`] waits.
const WAIT: Duration = Duration::from_secs(5);

/// A region on the other end of `hub`'s link, in process.
#[derive(Debug)]
pub struct LoopRegion {
    hub: Arc<RegionHub>,
    pub core: RegionLink,
    events: VecDeque<RegionLinkEvent>,
    /// Whether the region reads what the edge sends.
    pub reading: bool,
}

impl LoopRegion {
    /// Connect `hub`'s link to a new region and bring it up (the hub routes `Up`).
    pub fn connect(hub: &Arc<RegionHub>) -> Self {
        Self::connect_with(hub, RegionLinkConfig::default())
    }

    pub fn connect_with(hub: &Arc<RegionHub>, config: RegionLinkConfig) -> Self {
        let now = Instant::now();
        hub.link().lock().handle_connected(now);
        let mut region = Self {
            hub: hub.clone(),
            core: RegionLink::new(now, config),
            events: VecDeque::new(),
            reading: true,
        };
        region.pump();
        assert!(hub.is_up(), "the link did not come up");
        assert!(matches!(
            region.events.pop_front(),
            Some(RegionLinkEvent::Opened { .. })
        ));
        region
    }

    /// Move bytes both ways until neither side has any, route the hub's events and collect
    /// the region's.
    pub fn pump(&mut self) {
        let now = Instant::now();
        loop {
            let mut moved = false;
            if self.reading {
                while let Some(b) = self.hub.link().lock().poll_transmit() {
                    self.core.handle_bytes(now, &b);
                    moved = true;
                }
            }
            while let Some(b) = self.core.poll_transmit() {
                self.hub.link().lock().handle_bytes(now, &b);
                moved = true;
            }
            self.hub.route_pending();
            while let Some(e) = self.core.poll_event() {
                self.events.push_back(e);
            }
            if !moved {
                return;
            }
        }
    }

    /// Send `msg` to the edge and deliver it.
    pub fn send(&mut self, msg: RegionToEdge) {
        self.core.send(msg).unwrap();
        self.pump();
    }

    /// The next event from the edge, pumping every few milliseconds while sessions work.
    pub async fn next_event(&mut self) -> RegionLinkEvent {
        let end = Instant::now() + WAIT;
        loop {
            self.pump();
            if let Some(e) = self.events.pop_front() {
                return e;
            }
            assert!(Instant::now() < end, "no event from the edge in {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Events received so far and not taken.
    pub fn take_events(&mut self) -> Vec<RegionLinkEvent> {
        self.pump();
        self.events.drain(..).collect()
    }

    /// Lose the connection under the hub's link (its sessions are held).
    pub fn drop_link(&mut self) {
        self.hub
            .link()
            .lock()
            .handle_transport_closed(None, "test dropped the link");
        self.hub.route_pending();
    }
}
