//! A region in this test process with the development link PKI, on free loopback ports, and
//! the edge configuration that links to it: what the multi-edge set-ups start from.

#![allow(dead_code, clippy::unwrap_used)]

use starlane_edge::{DevIssuer, EdgeConfig};
use starlane_game::{Region, RegionConfig, RegionHandle};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// An ephemeral loopback address.
pub fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Start a region with its data in `dir`/region, and return it with the edge configuration
/// `edge_cfg` completed to reach it: the development link PKI in `dir`, the region's address
/// and certificate, every edge listener on a free loopback port.
pub async fn start_region(dir: &Path, mut edge_cfg: EdgeConfig) -> (RegionHandle, EdgeConfig) {
    let mut region_cfg = RegionConfig::load(None).unwrap();
    region_cfg.data_dir = dir.join("region");
    region_cfg.link_bind = local();
    region_cfg.http.bind = local();
    std::fs::create_dir_all(&region_cfg.data_dir).unwrap();
    let pki = starlane_local::dev_link_pki(dir).unwrap();
    starlane_local::use_dev_link_pki(&pki, &mut region_cfg, &mut edge_cfg);
    let region = Region::start(region_cfg.clone()).await.unwrap();
    edge_cfg.udp.bind = local();
    edge_cfg.webtransport.bind = local();
    edge_cfg.quic.bind = local();
    edge_cfg.websocket.bind = local();
    edge_cfg.http.bind = local();
    edge_cfg.region_link.addr = region.link_addr();
    edge_cfg.region_link.region_cert_file = region_cfg.effective_cert_paths().0;
    (region, edge_cfg)
}

/// The development issuer in `dir` every edge of the set-up trusts.
pub fn dev_issuer(dir: &Path, edge_cfg: &EdgeConfig) -> Arc<DevIssuer> {
    let path = dir.join("dev-issuer");
    Arc::new(DevIssuer::load_or_create_with_issuer(&path, &edge_cfg.jwt.issuer).unwrap())
}
