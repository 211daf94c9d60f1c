//! A region with two edges in one process, as `starlane-local` puts one together, on free
//! loopback ports: edges `a` and `b` share the development issuer and the resume key, and
//! `b` sends the clients it moves to `a`'s connect endpoint.

#![allow(dead_code, clippy::unwrap_used)]

use super::region_in_process::{dev_issuer, start_region};
use starlane_edge::{DevIssuer, Edge, EdgeConfig, EdgeHandle};
use starlane_game::RegionHandle;
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
    let mut edge_cfg = EdgeConfig::default();
    edge_cfg.dev_issuer.enabled = true;
    let (region, mut edge_cfg) = start_region(dir.path(), edge_cfg).await;
    edge_cfg.resume.key = RESUME_KEY.to_string();
    edge_cfg.drain.window_secs = window_secs;
    let issuer = dev_issuer(dir.path(), &edge_cfg);

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
