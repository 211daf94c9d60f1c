//! A session under test: `run_session` on a `link_pair` (the test plays the client's
//! transport driver), a hub with an in-process region ([`LoopRegion`]), and helpers that read
//! what reaches the client.

use super::loop_region::LoopRegion;
use starlane_edge::auth::{MemoryBlacklist, Verifier};
use starlane_edge::dev_issuer::DevIssuer;
use starlane_edge::keys::KeyStore;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::session::{SessionContext, run_session};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::{
    DriverSide, LinkEvent, Outgoing, QueueLimits, TransportKind, link_pair,
};
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::delta::EntityPacket;
use starlane_protocol::link::{Join, Joined, RegionToEdge, SessionId};
use starlane_protocol::{Hex, MapInfo, PROTOCOL_VERSION, RejectReason};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A session task on a `link_pair`, a hub with an in-process region, and the metrics.
pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub issuer: DevIssuer,
    pub hub: Arc<RegionHub>,
    pub region: LoopRegion,
    pub metrics: EdgeMetrics,
    pub ctx: Arc<SessionContext>,
    pub shutdown: watch::Sender<bool>,
}

/// A development token issuer in a temporary directory and a verifier that trusts it (issuer
/// `login-server`, no leeway, an empty blacklist).
pub fn dev_verifier() -> (tempfile::TempDir, DevIssuer, Verifier) {
    let dir = tempfile::tempdir().unwrap();
    let issuer = DevIssuer::load_or_create(dir.path()).unwrap();
    let keys = KeyStore::from_pem(issuer.public_key_pem().as_bytes()).unwrap();
    let verifier = Verifier::new(
        keys,
        "login-server".into(),
        0,
        Arc::new(MemoryBlacklist::default()),
    );
    (dir, issuer, verifier)
}

pub fn harness(hello_timeout: Duration) -> Harness {
    let (dir, issuer, verifier) = dev_verifier();
    let hub = Arc::new(RegionHub::default());
    let region = LoopRegion::connect(&hub);
    let metrics = EdgeMetrics::new();
    let (shutdown, shutdown_rx) = watch::channel(false);
    // Sessions held after a region link loss give up quickly here.
    let ctx = Arc::new(
        SessionContext::new(
            verifier,
            hub.clone(),
            metrics.clone(),
            hello_timeout,
            shutdown_rx,
        )
        .with_region_grace(Duration::from_millis(200)),
    );
    Harness {
        _dir: dir,
        issuer,
        hub,
        region,
        metrics,
        ctx,
        shutdown,
    }
}

impl Harness {
    pub fn connect(&self) -> (DriverSide, tokio::task::JoinHandle<()>) {
        let (link, driver) = link_pair(
            "127.0.0.1:5000".parse().unwrap(),
            TransportKind::Udp,
            QueueLimits::DEFAULT,
        );
        (driver, tokio::spawn(run_session(link, self.ctx.clone())))
    }

    pub async fn region_event(&mut self) -> RegionLinkEvent {
        self.region.next_event().await
    }
}

pub fn hello(token: &str) -> LinkEvent {
    LinkEvent::Reliable(
        ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token: token.into(),
        }
        .encode(),
    )
}

pub async fn out(d: &mut DriverSide) -> Outgoing {
    loop {
        let o = tokio::time::timeout(Duration::from_secs(5), d.outgoing.recv())
            .await
            .unwrap()
            .unwrap();
        if !is_resume_ticket(&o) {
            return o;
        }
    }
}

pub async fn reliable(d: &mut DriverSide) -> ServerMsg {
    match out(d).await {
        Outgoing::Reliable(b) => ServerMsg::decode(&b).unwrap(),
        other => panic!("expected a reliable message, got {other:?}"),
    }
}

/// Whether `o` is a resume ticket (sent after every welcome and renewed; tests that do not
/// look at resumption pass over them).
pub fn is_resume_ticket(o: &Outgoing) -> bool {
    matches!(o, Outgoing::Reliable(b)
        if matches!(ServerMsg::decode(b), Ok(ServerMsg::ResumeTicket { .. })))
}

pub async fn datagram(d: &mut DriverSide) -> EntityPacket {
    match out(d).await {
        Outgoing::Datagram(b) => match ServerMsg::decode(&b).unwrap() {
            ServerMsg::EntityPacket(p) => p,
            other => panic!("expected an entity packet, got {other:?}"),
        },
        other => panic!("expected a datagram, got {other:?}"),
    }
}

pub async fn expect_reject(d: &mut DriverSide, reason: RejectReason) {
    assert_eq!(reliable(d).await, ServerMsg::Reject { reason });
    assert_eq!(out(d).await, Outgoing::Close(reason as u8));
}

pub fn map() -> MapInfo {
    MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: vec![],
    }
}

pub fn counter(m: &EdgeMetrics, name: &str, label: &str) -> u64 {
    m.registry()
        .gather()
        .iter()
        .filter(|f| f.name() == name)
        .flat_map(|f| f.get_metric().iter())
        .filter(|m| m.get_label().iter().any(|l| l.value() == label))
        .map(|m| m.get_counter().get_value() as u64)
        .sum()
}

/// Open a session for `user` (empire 3) and return its client side and its session id.
pub async fn open_session(h: &mut Harness, user: i64) -> (DriverSide, SessionId) {
    let (mut d, _task) = h.connect();
    let token = h.issuer.issue_for(user, "player").unwrap();
    d.events.try_deliver(hello(&token)).unwrap();
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = h.region_event().await
    else {
        panic!("expected a join")
    };
    h.region.send(RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 3,
        tick_rate_hz: 20,
        map: map(),
    }));
    assert!(matches!(reliable(&mut d).await, ServerMsg::Welcome { .. }));
    assert!(matches!(reliable(&mut d).await, ServerMsg::Map(_)));
    assert!(matches!(reliable(&mut d).await, ServerMsg::Catalog(_)));
    (d, session)
}
