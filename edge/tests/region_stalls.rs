//! An edge whose region stalls (it stops reading the link and sends nothing), while three
//! players flood commands. The edge's queue to the region fills up to the command mark (three
//! quarters of `region_link.queue_bytes`, which binds before `queue_capacity` here); every
//! further command is answered at once with `CommandRejected(RateLimited)`, counted in
//! `starlane_edge_region_link_queue_full_total{frame="command"}`. The bytes the edge holds for
//! the link never exceed `queue_bytes` (the link's high-water mark says so; LINK.md §8.1
//! allows one frame more, which commands never need). No session is shed or closed. When the
//! region reads again, every command not refused reaches it, in order, and every player
//! receives the region's next tick.
//!
//! Sessions run as in the edge, over in-process client links (the test plays each client's
//! driver) and an in-process region stand-in: nothing else holds the link's bytes.

#![allow(clippy::unwrap_used)]

use crate::common::loop_region::LoopRegion;
use crate::common::session_harness::dev_verifier;
use starlane_edge::config::EdgeConfig;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::region_link::RegionLinkConfig;
use starlane_edge::session::{SessionContext, run_session};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::{
    DriverSide, LinkEvent, Outgoing, QueueLimits, TransportKind, link_pair,
};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::Event;
use starlane_protocol::link::{
    EntityFrame, Join, Joined, LinkServerMsg, RegionToEdge, SessionId, ToClient, ViewChange,
};
use starlane_protocol::{
    Command, CommandError, EntityChange, EntityKind, EntityState, Hex, MapInfo, PROTOCOL_VERSION,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// `region_link.queue_bytes`: the smallest the configuration accepts.
const QUEUE_BYTES: usize = 64 * 1024;
/// `region_link.queue_capacity`: large enough that the byte bound binds first.
const QUEUE_FRAMES: usize = 16_384;
/// Commands each player sends while the region is stalled (about twice what the queue takes).
const COMMANDS: u32 = 1_500;
const UNIT: u32 = 8;
const WAIT: Duration = Duration::from_secs(20);

/// One client, played by the test through its link's driver side.
struct Player {
    driver: DriverSide,
    session: SessionId,
    /// Commands the edge answered `CommandRejected(RateLimited)`.
    rejected: BTreeSet<u32>,
    /// Newest region tick of a packet that carried the unit.
    tick: Option<u32>,
    pongs: usize,
}

impl Player {
    /// Acknowledge a packet; an acknowledgement that finds the queue full is lost, as a
    /// datagram may be.
    fn ack(&self, seq: u16) {
        let ack = ClientMsg::Ack {
            newest: seq,
            mask: 0,
        };
        let _ = self
            .driver
            .events
            .try_deliver(LinkEvent::Datagram(ack.encode()));
    }

    /// Take what the edge sent: acknowledge packets, note rejections, ticks and pongs.
    fn take(&mut self) {
        while let Ok(out) = self.driver.outgoing.try_recv() {
            let msg = match out {
                Outgoing::Reliable(b) | Outgoing::Datagram(b) => ServerMsg::decode(&b).unwrap(),
                Outgoing::Close(code) => panic!("session {} closed: {code}", self.session),
            };
            match msg {
                ServerMsg::EntityPacket(p) => {
                    self.ack(p.seq);
                    for e in p.events {
                        if let Event::CommandRejected { seq, error } = e.event {
                            assert_eq!(error, CommandError::RateLimited);
                            self.rejected.insert(seq);
                        }
                    }
                    if p.entities.iter().any(|r| r.id == UNIT) {
                        self.tick = self.tick.max(Some(p.tick));
                    }
                }
                ServerMsg::Pong { .. } => self.pongs += 1,
                ServerMsg::Welcome { .. }
                | ServerMsg::Map(_)
                | ServerMsg::Catalog(_)
                | ServerMsg::ResumeTicket { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

/// Pump the region and the players until `done` holds.
async fn until(
    region: &mut LoopRegion,
    players: &mut [Player],
    what: &str,
    done: impl Fn(&[Player]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        region.pump();
        players.iter_mut().for_each(Player::take);
        if done(players) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn entities(tick: u32, appeared: Vec<EntityState>) -> RegionToEdge {
    let changed = vec![EntityChange {
        id: UNIT,
        pos: Some(Hex::new(tick as i32 % 8, 2)),
        health: None,
    }];
    RegionToEdge::Entities(EntityFrame {
        tick,
        appeared,
        changed,
        ..EntityFrame::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_region_costs_at_most_its_queue_and_the_sessions_continue() {
    let mut cfg = EdgeConfig::default();
    cfg.dev_issuer.enabled = true;
    cfg.region_link.queue_bytes = QUEUE_BYTES;
    cfg.region_link.queue_capacity = QUEUE_FRAMES;
    cfg.validate().unwrap();
    let link = RegionLinkConfig::from_section(&cfg.region_link, "edge-a");
    let hub = Arc::new(RegionHub::new(
        link.core_config(),
        cfg.region_link.session_events,
    ));
    let mut region = LoopRegion::connect(&hub);
    let (_dir, issuer, verifier) = dev_verifier();
    let (_shutdown, shutdown_rx) = watch::channel(false);
    let ctx = Arc::new(SessionContext::new(
        verifier,
        hub.clone(),
        EdgeMetrics::new(),
        WAIT,
        shutdown_rx,
    ));

    let mut players = Vec::new();
    for (i, name) in ["ada", "bo", "cy"].into_iter().enumerate() {
        let (link, driver) = link_pair(
            "127.0.0.1:5000".parse().unwrap(),
            TransportKind::Udp,
            QueueLimits::DEFAULT,
        );
        tokio::spawn(run_session(link, ctx.clone()));
        let hello = ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: issuer.issue(name).unwrap(),
        };
        driver
            .events
            .try_deliver(LinkEvent::Reliable(hello.encode()))
            .unwrap();
        let RegionLinkEvent::Join {
            join: Join { session, .. },
            ..
        } = region.next_event().await
        else {
            panic!("expected a join")
        };
        let map = MapInfo {
            chunk_radius: 9,
            chunks: vec![Hex::new(0, 0)],
            blocked: Vec::new(),
        };
        region.send(RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session,
            empire: i as u32 + 1,
            tick_rate_hz: 20,
            map,
        }));
        players.push(Player {
            driver,
            session,
            rejected: BTreeSet::new(),
            tick: None,
            pongs: 0,
        });
    }
    let unit = EntityState {
        id: UNIT,
        kind: EntityKind::Scout,
        owner: 9,
        pos: Hex::new(0, 2),
        health: 10,
    };
    region.send(entities(1, vec![unit]));
    for p in &players {
        let view = ViewChange {
            tick: 1,
            entered: vec![UNIT],
            ..ViewChange::default()
        };
        let msgs = vec![LinkServerMsg::View(view)];
        let session = p.session;
        region.send(RegionToEdge::ToClient(ToClient { session, msgs }));
    }
    until(&mut region, &mut players, "the first tick", |ps| {
        ps.iter().all(|p| p.tick == Some(1))
    })
    .await;

    // The region stalls; the players flood commands.
    region.reading = false;
    let queued = || hub.link().lock().queued();
    for seq in 0..COMMANDS {
        for p in &players {
            let command = Command::Move {
                unit: 1,
                to: Hex::new(seq as i32 % 5, 1),
            };
            let msg = ClientMsg::Command { seq, command }.encode();
            let delivered = p.driver.events.deliver(LinkEvent::Reliable(msg));
            assert!(tokio::time::timeout(WAIT, delivered).await.unwrap());
        }
        let (frames, bytes, _) = queued();
        assert!(
            frames <= QUEUE_FRAMES && bytes <= QUEUE_BYTES,
            "{frames} {bytes}"
        );
        if seq % 100 == 0 {
            players.iter_mut().for_each(Player::take);
        }
    }
    // A ping answered means every command before it was handled.
    for p in &players {
        let ping = LinkEvent::Reliable(ClientMsg::Ping { nonce: 1 }.encode());
        assert!(p.driver.events.deliver(ping).await);
    }
    let full = hub.metrics().queue_full.with_label_values(&["command"]);
    until(&mut region, &mut players, "every refusal answered", |ps| {
        let answered: usize = ps.iter().map(|p| p.rejected.len()).sum();
        ps.iter().all(|p| p.pongs == 1) && answered as u64 == full.get()
    })
    .await;

    let counters = hub.link().lock().counters();
    let mark = (QUEUE_BYTES - QUEUE_BYTES / 4) as u64;
    assert!(
        counters.queued_bytes_peak <= QUEUE_BYTES as u64 && counters.queued_bytes_peak >= mark,
        "held at most {} bytes: the command mark is {mark}, the bound {QUEUE_BYTES}",
        counters.queued_bytes_peak
    );
    assert!(counters.queued_frames_peak < QUEUE_FRAMES as u64);
    let refused = full.get();
    assert!(refused > 0, "the queue never filled");
    assert_eq!(hub.metrics().sessions_shed.get(), 0);
    assert_eq!(hub.session_count(), 3);

    // The region reads again: what was not refused arrives, in order; the next tick reaches
    // every player.
    region.reading = true;
    let events = region.take_events();
    for p in &players {
        let forwarded: Vec<u32> = events
            .iter()
            .filter_map(|e| match e {
                RegionLinkEvent::Command(c) if c.session == p.session => Some(c.seq),
                _ => None,
            })
            .collect();
        assert!(forwarded.windows(2).all(|w| w[0] < w[1]), "in order");
        let all: BTreeSet<u32> = forwarded.iter().chain(&p.rejected).copied().collect();
        assert_eq!(all.len(), COMMANDS as usize, "never lost");
        assert_eq!(forwarded.len() + p.rejected.len(), all.len(), "never both");
    }
    assert_eq!(hub.link().lock().queued(), (0, 0, 0));
    region.send(entities(2, Vec::new()));
    until(
        &mut region,
        &mut players,
        "the tick after the stall",
        |ps| ps.iter().all(|p| p.tick == Some(2)),
    )
    .await;
    println!(
        "{refused} of {} commands refused; the queue held at most {} bytes in {} frames",
        3 * COMMANDS,
        counters.queued_bytes_peak,
        counters.queued_frames_peak
    );
}
