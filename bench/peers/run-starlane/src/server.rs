//! The platform's server for the replay: a real edge ([`starlane_edge::Edge`], the code a
//! deployment runs, with its delta sync, bandwidth profile and encrypted UDP) whose region is
//! the script. The script region speaks the real QUIC link through netcore's region state
//! machine ([`RegionPeer`]): it answers each `Join` and sends each tick's entity frame and
//! view changes as a region does (LINK.md), so the edge cannot tell it from one.
//!
//! Everything runs on one current-thread tokio runtime on the driver's server thread (the
//! edge's tasks, the link, quinn), except the encrypted UDP loop, which netcore runs on a
//! thread of its own (`starlane-udp-server`): the runner declares it, so its CPU and heap
//! count as the server's.

use crate::Published;
use anyhow::{Context, bail};
use peers_scenario::driver::{Routes, ServerStack};
use peers_scenario::script::{Header, Tick};
use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::{RegionLinkConfig, RegionLinkEvent};
use starlane_netcore::tls::pki::{Purpose, self_signed};
use starlane_netcore::tls::quic_server_crypto;
use starlane_protocol::economy::Catalog;
use starlane_protocol::link::{
    EntityFrame, Joined, LINK_ALPN, LinkServerMsg, RegionToEdge, SessionId, ToClient, ViewChange,
};
use starlane_protocol::{EntityChange, EntityKind, EntityState, Hex, MapInfo};
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

/// The thread netcore's encrypted UDP server runs its loop on.
pub const UDP_THREAD: &str = "starlane-udp-server";
/// How long the edge has to bring its link up.
const LINK_TIMEOUT: Duration = Duration::from_secs(20);

/// The edge and the script region, on one runtime.
#[derive(Debug)]
pub struct StarlaneServer {
    rt: Runtime,
    region: ScriptRegion,
    edge: Option<EdgeHandle>,
}

/// The region's side: the link, and which script session each edge session plays.
#[derive(Debug)]
struct ScriptRegion {
    peer: RegionPeer,
    _endpoint: quinn::Endpoint,
    tick_hz: u8,
    /// Edge session of each script session, once joined.
    sessions: Vec<Option<SessionId>>,
    joined: usize,
    /// Frames the link refused (it was shed or closed): the replay is void if any.
    refused: u64,
}

/// Settings of the edge for the run.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// The bandwidth profile native clients get (by its rate, from the embedded set).
    pub profile: String,
    pub issuer: Arc<DevIssuer>,
    pub jwt_issuer: String,
}

impl StarlaneServer {
    /// Start the script region and the edge, its encrypted UDP on the driver's server address
    /// (the socket is closed and its address bound again by the edge), and publish the
    /// address and key for the clients.
    pub fn start(
        socket: UdpSocket,
        routes: &Routes,
        header: &Header,
        settings: &ServerSettings,
        dir: &Path,
        published: &Published,
    ) -> anyhow::Result<Self> {
        let udp_addr = socket.local_addr()?;
        drop(socket);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("build the server's runtime")?;
        let (region, edge) = rt.block_on(async {
            let cert = self_signed(&["localhost"], Purpose::Region)?;
            let cert_file = dir.join("region.pem");
            std::fs::write(&cert_file, &cert.cert_pem)?;
            let crypto = quic_server_crypto(&cert.identity()?, None, LINK_ALPN)?;
            let endpoint = quinn::Endpoint::server(
                quinn::ServerConfig::with_crypto(crypto),
                "127.0.0.1:0".parse()?,
            )?;
            let cfg = edge_config(dir, udp_addr, endpoint.local_addr()?, cert_file, settings);
            let edge = Edge::start(cfg, Some(settings.issuer.clone())).await?;
            let peer = link_up(&endpoint, &edge).await?;
            let region = ScriptRegion {
                peer,
                _endpoint: endpoint,
                tick_hz: u8::try_from(header.tick_hz).unwrap_or(u8::MAX),
                sessions: vec![None; routes.seen.len()],
                joined: 0,
                refused: 0,
            };
            anyhow::Ok((region, edge))
        })?;
        published.set(edge.udp_addr(), edge.udp_public_key());
        Ok(Self {
            rt,
            region,
            edge: Some(edge),
        })
    }
}

fn edge_config(
    dir: &Path,
    udp: SocketAddr,
    region: SocketAddr,
    region_cert_file: std::path::PathBuf,
    settings: &ServerSettings,
) -> EdgeConfig {
    let mut cfg = EdgeConfig::default();
    let local: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    cfg.edge_id = "peers".into();
    cfg.data_dir = dir.join("edge");
    cfg.udp.bind = udp;
    cfg.webtransport.bind = local;
    cfg.quic.bind = local;
    cfg.websocket.enabled = false;
    cfg.http.bind = local;
    cfg.region_link.addr = region;
    cfg.region_link.region_cert_file = region_cert_file;
    cfg.dev_issuer.enabled = true;
    cfg.jwt.issuer = settings.jwt_issuer.clone();
    cfg.bandwidth.native = settings.profile.clone();
    cfg
}

/// Accept the edge's link, see its `Hello`, and wait until the edge reports it up.
async fn link_up(endpoint: &quinn::Endpoint, edge: &EdgeHandle) -> anyhow::Result<RegionPeer> {
    let accept = async {
        let incoming = endpoint.accept().await.context("the endpoint closed")?;
        let conn = incoming.await.context("the edge's link handshake")?;
        let mut peer = RegionPeer::accept(conn, RegionLinkConfig::default(), 1 << 16)
            .await
            .context("the edge's link stream")?;
        match peer.next_event().await {
            Some(RegionLinkEvent::Opened { .. }) => {}
            other => bail!("the edge's link did not open: {other:?}"),
        }
        while !edge.region_link_up() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::Ok(peer)
    };
    tokio::time::timeout(LINK_TIMEOUT, accept)
        .await
        .with_context(|| format!("the edge's link did not come up in {LINK_TIMEOUT:?}"))?
}

impl ScriptRegion {
    /// Answer what the edge sent: a `Join` of client `i` (its token's user id is `i + 1`)
    /// opens script session `i`.
    fn handle_events(&mut self) {
        while let Some(Some(event)) = tokio_now(self.peer.next_event()) {
            match event {
                RegionLinkEvent::Join { join, .. } => {
                    let index = usize::try_from(join.player.user_id - 1).ok();
                    let Some(slot) = index.and_then(|i| self.sessions.get_mut(i)) else {
                        eprintln!(
                            "run-starlane: a join of unknown user {}",
                            join.player.user_id
                        );
                        continue;
                    };
                    if slot.replace(join.session).is_none() {
                        self.joined += 1;
                    }
                    let joined = Joined {
                        session: join.session,
                        empire: u32::try_from(join.player.user_id).unwrap_or(u32::MAX),
                        tick_rate_hz: self.tick_hz,
                        map: MapInfo {
                            chunk_radius: 0,
                            chunks: Vec::new(),
                            blocked: Vec::new(),
                        },
                        catalog: Catalog::default(),
                    };
                    self.send(RegionToEdge::Joined(joined));
                }
                RegionLinkEvent::Leave(leave) => {
                    for slot in &mut self.sessions {
                        if *slot == Some(leave.session) {
                            *slot = None;
                            self.joined -= 1;
                        }
                    }
                }
                // The replaying clients send no commands; nothing else needs an answer.
                RegionLinkEvent::Command(_) | RegionLinkEvent::Opened { .. } => {}
                RegionLinkEvent::Closed(why) => eprintln!("run-starlane: the link closed: {why:?}"),
            }
        }
    }

    fn send(&mut self, msg: RegionToEdge) {
        if let Err(e) = self.peer.send(msg) {
            if self.refused == 0 {
                eprintln!("run-starlane: the link refused a frame: {e}");
            }
            self.refused += 1;
        }
    }

    /// One tick: the entity frame for the edge's mirror, then each joined session's view.
    fn send_tick(&mut self, tick: &Tick) {
        let frame = EntityFrame {
            tick: tick.tick,
            reset: false,
            appeared: tick
                .appeared
                .iter()
                .filter_map(|(id, s)| {
                    Some(EntityState {
                        id: *id,
                        kind: EntityKind::from_u8(s.kind)?,
                        owner: s.owner,
                        pos: Hex::new(s.q, s.r),
                        health: s.health,
                    })
                })
                .collect(),
            changed: tick
                .changed
                .iter()
                .map(|c| EntityChange {
                    id: c.id,
                    pos: c.q.zip(c.r).map(|(q, r)| Hex::new(q, r)),
                    health: c.health,
                })
                .collect(),
            removed: tick.removed.clone(),
        };
        self.send(RegionToEdge::Entities(frame));
        for v in &tick.views {
            let Some(Some(session)) = self.sessions.get(v.session).copied() else {
                continue;
            };
            let view = ViewChange {
                tick: tick.tick,
                entered: v.entered.clone(),
                left: v.left.clone(),
                vision: Vec::new(),
            };
            self.send(RegionToEdge::ToClient(ToClient {
                session,
                msgs: vec![LinkServerMsg::View(view)],
            }));
        }
    }
}

/// `fut` if it is ready at once (the runtime's tasks have run before this is called).
fn tokio_now<F: std::future::Future>(fut: F) -> Option<F::Output> {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

impl ServerStack for StarlaneServer {
    /// Run the edge's tasks for a millisecond, answering the link's events on either side.
    fn poll(&mut self) {
        let region = &mut self.region;
        self.rt.block_on(async {
            region.handle_events();
            tokio::time::sleep(Duration::from_millis(1)).await;
            region.handle_events();
        });
    }

    fn ready(&self) -> usize {
        self.region.joined
    }

    fn tick(&mut self, tick: &Tick) {
        let region = &mut self.region;
        self.rt.block_on(async {
            region.handle_events();
            region.send_tick(tick);
            // Let the link and the sessions take the tick before the driver's clock runs on.
            tokio::task::yield_now().await;
        });
    }

    /// [`StarlaneServer::poll`] waits on the runtime itself: the driver need not sleep.
    fn idle(&self) -> Duration {
        Duration::ZERO
    }
}

impl Drop for StarlaneServer {
    fn drop(&mut self) {
        if self.region.refused > 0 {
            eprintln!(
                "run-starlane: {} frames refused by the link: the replay is incomplete",
                self.region.refused
            );
        }
        if let Some(edge) = self.edge.take() {
            self.rt.block_on(edge.shutdown());
        }
    }
}
