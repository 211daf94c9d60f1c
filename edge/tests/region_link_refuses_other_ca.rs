//! Scenario: the edge trusts its cluster CA; a region whose certificate another CA issued is
//! refused by the edge at the handshake (counted as `unknown_ca`), and so is one from the
//! cluster CA that is not valid for the configured server name (`bad_certificate`). The link
//! never comes up.

#![allow(clippy::unwrap_used)]

use crate::common;
use crate::link_pki;

use common::T;
use link_pki::region_endpoint;
use starlane_edge::config::EdgeConfig;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::region_link::{self, RegionLinkConfig};
use starlane_netcore::tls::pki::{DevCa, Purpose};
use std::sync::Arc;
use std::time::Duration;

/// Run the edge's link against `region` until it refused one handshake; returns the metrics.
async fn refused_by_edge(
    dir: &std::path::Path,
    ca: &DevCa,
    region: &quinn::Endpoint,
) -> EdgeMetrics {
    let edge_cert = ca.issue(&["starlane-edge"], Purpose::Edge).unwrap();
    let mut section = EdgeConfig::default().region_link;
    section.addr = region.local_addr().unwrap();
    section.ca_file = Some(ca.write_cert_in(dir, "ca").unwrap());
    let (cert, key) = edge_cert.write_in(dir, "edge").unwrap();
    section.cert_file = Some(cert);
    section.key_file = Some(key);
    section.reconnect_min_ms = 50;
    section.reconnect_max_ms = 100;
    let cfg = RegionLinkConfig::from_section(&section, "edge-test");
    let hub = Arc::new(RegionHub::default());
    let metrics = EdgeMetrics::new();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(region_link::run(cfg, hub.clone(), metrics.clone(), stop_rx));
    let incoming = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap();
    assert!(incoming.await.is_err(), "the edge aborts the handshake");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!hub.is_up());
    assert_eq!(metrics.region_link_connects.get(), 0);
    stop.send_replace(true);
    tokio::time::timeout(T, task).await.unwrap().unwrap();
    metrics
}

#[tokio::test]
async fn edge_refuses_a_region_the_cluster_ca_did_not_vouch_for() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = DevCa::generate("cluster").unwrap();
    let rogue = DevCa::generate("rogue").unwrap();

    let region = region_endpoint(
        &rogue.issue(&["starlane-region"], Purpose::Region).unwrap(),
        None,
        None,
    );
    let metrics = refused_by_edge(dir.path(), &cluster, &region).await;
    let count = |r: &str| metrics.region_link.refusals.with_label_values(&[r]).get();
    assert!(count("unknown_ca") >= 1);
    assert_eq!(count("bad_certificate"), 0);

    let region = region_endpoint(
        &cluster
            .issue(&["some-other-name"], Purpose::Region)
            .unwrap(),
        None,
        None,
    );
    let metrics = refused_by_edge(dir.path(), &cluster, &region).await;
    let count = |r: &str| metrics.region_link.refusals.with_label_values(&[r]).get();
    assert!(count("bad_certificate") >= 1);
    assert_eq!(count("unknown_ca"), 0);
}
