//! Scenario: the edge's metrics name the region its link is to (`starlane_edge_region_info`,
//! from the region id in the link's `Welcome`), count reconnections of the link
//! (`starlane_edge_region_link_reconnects_total`) and export the drain flag
//! (`starlane_edge_draining`), which also turns `/readyz` to 503.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_edge::Edge;
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::{RegionLinkConfig, RegionLinkEvent};

/// Accept the edge's next link as the region `region_id` and wait until the edge has it up.
async fn link_up_as(
    edge: &starlane_edge::EdgeHandle,
    region: &quinn::Endpoint,
    region_id: &str,
) -> RegionPeer {
    let conn = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap()
        .await
        .unwrap();
    let config = RegionLinkConfig {
        region_id: region_id.into(),
        ..RegionLinkConfig::default()
    };
    let mut peer = tokio::time::timeout(T, RegionPeer::accept(conn, config, 1024))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        peer_event(&mut peer).await,
        RegionLinkEvent::Opened { .. }
    ));
    let mut up = edge.subscribe_region_link();
    tokio::time::timeout(T, up.wait_for(|up| *up))
        .await
        .unwrap()
        .unwrap();
    peer
}

/// The lines of the edge's exposition that start with `prefix`.
fn lines(edge: &starlane_edge::EdgeHandle, prefix: &str) -> Vec<String> {
    edge.metrics()
        .render()
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_name_the_region_count_reconnects_and_export_the_drain_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let cfg = loopback_edge_config(dir.path(), region.local_addr().unwrap(), cert_file);
    let edge = Edge::start(cfg, None).await.unwrap();

    let peer = link_up_as(&edge, &region, "eu-west-1").await;
    assert_eq!(
        lines(&edge, "starlane_edge_region_info{"),
        ["starlane_edge_region_info{region=\"eu-west-1\"} 1"]
    );
    assert_eq!(
        lines(&edge, "starlane_edge_region_link_reconnects_total "),
        ["starlane_edge_region_link_reconnects_total 0"]
    );
    assert_eq!(
        lines(&edge, "starlane_edge_draining "),
        ["starlane_edge_draining 0"]
    );
    assert_eq!(http_get(edge.http_addr(), "/readyz").await.0, 200);

    // The region goes; the link comes back to another region instance with another id.
    peer.connection()
        .close(quinn::VarInt::from_u32(5), b"region shutting down");
    let mut up = edge.subscribe_region_link();
    tokio::time::timeout(T, up.wait_for(|up| !*up))
        .await
        .unwrap()
        .unwrap();
    let _peer = link_up_as(&edge, &region, "eu-west-2").await;
    assert_eq!(
        lines(&edge, "starlane_edge_region_info{"),
        ["starlane_edge_region_info{region=\"eu-west-2\"} 1"],
        "only the region that welcomed the link last"
    );
    assert_eq!(
        lines(&edge, "starlane_edge_region_link_reconnects_total "),
        ["starlane_edge_region_link_reconnects_total 1"]
    );
    assert_eq!(edge.metrics().region_link_connects.get(), 2);

    // Draining: the gauge and the readiness probe follow the flag.
    edge.set_draining(true);
    assert!(edge.is_draining());
    assert_eq!(
        lines(&edge, "starlane_edge_draining "),
        ["starlane_edge_draining 1"]
    );
    let (status, text) = http_get(edge.http_addr(), "/readyz").await;
    assert_eq!(status, 503);
    assert!(text.ends_with("not ready: draining\n"), "{text}");
    edge.set_draining(false);
    assert_eq!(
        lines(&edge, "starlane_edge_draining "),
        ["starlane_edge_draining 0"]
    );
    assert_eq!(http_get(edge.http_addr(), "/readyz").await.0, 200);
    edge.shutdown().await;
}
