//! A region with two edges in one process, as `starlane-local` puts one together, on free
//! loopback ports: edges `a` and `b` share the development issuer and the resume key, and
//! `b` sends the clients it moves to `a`'s connect endpoint.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use starlane_game::{Region, RegionConfig, RegionHandle};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// The key both edges sign resume tickets with.
pub const RESUME_KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

pub struct TwoEdges {
    pub region: RegionHandle,
    pub a: Arc<EdgeHandle>,
    pub b: Arc<EdgeHandle>,
    pub issuer: Arc<DevIssuer>,
    pub dir: TempDir,
}

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start_edge(cfg: EdgeConfig, issuer: &Arc<DevIssuer>) -> Arc<EdgeHandle> {
    let edge = Edge::start(cfg, Some(issuer.clone())).await.unwrap();
    let mut up = edge.subscribe_region_link();
    tokio::time::timeout(Duration::from_secs(10), up.wait_for(|u| *u))
        .await
        .expect("the edge's region link came up")
        .unwrap();
    Arc::new(edge)
}

/// Start the region, edge `a`, then edge `b` (drain window `window_secs`).
pub async fn start(window_secs: u64) -> TwoEdges {
    let dir = tempfile::tempdir().unwrap();
    let mut region_cfg = RegionConfig::load(None).unwrap();
    region_cfg.data_dir = dir.path().join("region");
    region_cfg.link_bind = local();
    region_cfg.http.bind = local();
    std::fs::create_dir_all(&region_cfg.data_dir).unwrap();
    let mut edge_cfg = EdgeConfig::default();
    edge_cfg.dev_issuer.enabled = true;
    let pki = starlane_local::dev_link_pki(dir.path()).unwrap();
    starlane_local::use_dev_link_pki(&pki, &mut region_cfg, &mut edge_cfg);
    let region = Region::start(region_cfg.clone()).await.unwrap();

    edge_cfg.udp.bind = local();
    edge_cfg.webtransport.bind = local();
    edge_cfg.quic.bind = local();
    edge_cfg.http.bind = local();
    edge_cfg.region_link.addr = region.link_addr();
    edge_cfg.region_link.region_cert_file = region_cfg.effective_cert_paths().0;
    edge_cfg.resume.key = RESUME_KEY.to_string();
    edge_cfg.drain.window_secs = window_secs;
    let issuer = Arc::new(
        DevIssuer::load_or_create_with_issuer(&dir.path().join("dev-issuer"), &edge_cfg.jwt.issuer)
            .unwrap(),
    );

    let mut cfg_a = edge_cfg.clone();
    cfg_a.edge_id = "edge-a".into();
    cfg_a.data_dir = dir.path().join("edge-a");
    let a = start_edge(cfg_a, &issuer).await;

    let mut cfg_b = edge_cfg;
    cfg_b.edge_id = "edge-b".into();
    cfg_b.data_dir = dir.path().join("edge-b");
    cfg_b.drain.connect_url = format!("http://{}/connect", a.http_addr());
    let b = start_edge(cfg_b, &issuer).await;
    TwoEdges {
        region,
        a,
        b,
        issuer,
        dir,
    }
}

impl TwoEdges {
    /// Where a native client reaches edge `b` over encrypted UDP.
    pub fn info_b(&self) -> starlane_client::ConnectInfo {
        starlane_client::ConnectInfo::udp_only(self.b.udp_addr(), self.b.udp_public_key())
    }

    /// A token for `user`.
    pub fn token(&self, user: &str) -> String {
        self.issuer.issue(user).unwrap()
    }
}
