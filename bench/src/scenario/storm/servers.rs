//! The servers of a reconnect storm, all in this process: one region and `edges` edges on
//! free loopback ports, sharing a development issuer and the development link PKI. The edges
//! can be restarted (stopped, then started again from the same data directories, so with the
//! same UDP static key and issuer): the storm's clients then all come back at once.
//!
//! The region runs on a runtime of its own ([`RegionRuntime`]), as it runs in a process of its
//! own in production: its link tasks do not queue behind the edges' thousands of session
//! tasks, and its CPU is counted apart.

use crate::scenario::region_runtime::RegionRuntime;
use crate::scenario::storm::config::StormSection;
use anyhow::Context;
use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use starlane_game::{LoadConfig, RegionConfig, RegionHandle};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// How long an edge may take to be welcomed by the region.
const LINK_UP_TIMEOUT: Duration = Duration::from_secs(30);

const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// Where a storm client connects: an edge's encrypted UDP address and static key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The edge's UDP address.
    pub addr: SocketAddr,
    /// Its static public key.
    pub key: [u8; 32],
}

/// The running region and edges.
pub struct StormServers {
    region: RegionHandle,
    region_rt: RegionRuntime,
    edges: Vec<EdgeHandle>,
    configs: Vec<EdgeConfig>,
    issuer: Arc<DevIssuer>,
    _dir: TempDir,
}

impl std::fmt::Debug for StormServers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StormServers")
            .field("edges", &self.edges.len())
            .finish_non_exhaustive()
    }
}

fn region_config(storm: &StormSection, dir: &Path) -> anyhow::Result<RegionConfig> {
    let mut cfg = RegionConfig::load(None)?;
    cfg.data_dir = dir.join("region");
    cfg.link_bind = LOOPBACK;
    cfg.http.bind = LOOPBACK;
    cfg.units_per_empire = storm.units_per_empire;
    cfg.load = LoadConfig {
        npc_count: 0,
        ..LoadConfig::default()
    };
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("cannot create {}", cfg.data_dir.display()))?;
    Ok(cfg)
}

fn edge_config(base: &EdgeConfig, dir: &Path, i: usize) -> EdgeConfig {
    let mut cfg = base.clone();
    cfg.edge_id = format!("storm-{i}");
    cfg.data_dir = dir.join(format!("edge-{i}"));
    cfg.udp.bind = LOOPBACK;
    cfg.webtransport.bind = LOOPBACK;
    cfg.quic.bind = LOOPBACK;
    cfg.websocket.enabled = false;
    cfg.http.bind = LOOPBACK;
    cfg
}

async fn start_edge(cfg: &EdgeConfig, issuer: &Arc<DevIssuer>) -> anyhow::Result<EdgeHandle> {
    let edge = Edge::start(cfg.clone(), Some(issuer.clone()))
        .await
        .with_context(|| format!("edge {}", cfg.edge_id))?;
    let mut up = edge.subscribe_region_link();
    if tokio::time::timeout(LINK_UP_TIMEOUT, up.wait_for(|up| *up))
        .await
        .is_err()
    {
        anyhow::bail!(
            "edge {}'s link to the region did not come up within {LINK_UP_TIMEOUT:?}",
            cfg.edge_id
        );
    }
    Ok(edge)
}

impl StormServers {
    /// Start the region, then the edges, each welcomed by the region before this returns.
    pub async fn start(storm: &StormSection) -> anyhow::Result<StormServers> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let mut region_cfg = region_config(storm, dir.path())?;
        let mut base = EdgeConfig::default();
        // The edges check tokens with the shared development issuer's key.
        base.dev_issuer.enabled = true;
        let pki = starlane_local::dev_link_pki(dir.path())?;
        starlane_local::use_dev_link_pki(&pki, &mut region_cfg, &mut base);
        let (region_rt, region) = RegionRuntime::start(region_cfg.clone()).await?;
        base.region_link.addr = region.link_addr();
        base.region_link.region_cert_file = region_cfg.effective_cert_paths().0;
        let issuer = Arc::new(DevIssuer::load_or_create_with_issuer(
            &dir.path().join("dev-issuer"),
            &base.jwt.issuer,
        )?);
        let configs: Vec<EdgeConfig> = (0..storm.edges as usize)
            .map(|i| edge_config(&base, dir.path(), i))
            .collect();
        let mut edges = Vec::new();
        for cfg in &configs {
            edges.push(start_edge(cfg, &issuer).await?);
        }
        Ok(StormServers {
            region,
            region_rt,
            edges,
            configs,
            issuer,
            _dir: dir,
        })
    }

    /// A development token for `username`.
    pub fn token(&self, username: &str) -> anyhow::Result<String> {
        Ok(self.issuer.issue(username)?)
    }

    /// Where clients reach each edge now.
    pub fn targets(&self) -> Vec<Target> {
        self.edges
            .iter()
            .map(|e| Target {
                addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), e.udp_addr().port()),
                key: e.udp_public_key(),
            })
            .collect()
    }

    /// The running edges (their metrics start at zero with each start).
    pub fn edges(&self) -> &[EdgeHandle] {
        &self.edges
    }

    /// The region's HTTP address (`/metrics`).
    pub fn region_http(&self) -> SocketAddr {
        self.region.http_addr()
    }

    /// Stop every edge (their sessions end; the region drops the links' sessions).
    pub async fn stop_edges(&mut self) {
        for edge in self.edges.drain(..) {
            edge.shutdown().await;
        }
    }

    /// Start every edge again from its data directory (same UDP key, new ports).
    pub async fn start_edges(&mut self) -> anyhow::Result<()> {
        for cfg in &self.configs {
            self.edges.push(start_edge(cfg, &self.issuer).await?);
        }
        Ok(())
    }

    /// Stop everything.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.stop_edges().await;
        self.region_rt.stop(self.region).await?;
        Ok(())
    }
}
