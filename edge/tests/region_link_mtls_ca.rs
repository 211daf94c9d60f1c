//! Scenario: cluster-CA mutual TLS from the edge's side. The edge trusts the cluster CA and
//! presents the client certificate the CA issued it; a region stand-in that requires client
//! certificates from the same CA accepts the link, sees the edge's certificate, and gets the
//! edge's `Hello`.

#![allow(clippy::unwrap_used)]

use crate::common;
use crate::link_pki;

use common::{T, peer_event};
use link_pki::region_endpoint;
use starlane_edge::config::EdgeConfig;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::{DEFAULT_SESSION_EVENTS, RegionHub};
use starlane_edge::region_link::{self, RegionLinkConfig};
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::{RegionLinkConfig as RegionCoreConfig, RegionLinkEvent};
use starlane_netcore::tls::pki::{DevCa, Purpose};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn edge_and_region_authenticate_each_other_with_the_cluster_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = DevCa::generate("cluster").unwrap();
    let region_cert = ca.issue(&["starlane-region"], Purpose::Region).unwrap();
    let edge_cert = ca.issue(&["starlane-edge"], Purpose::Edge).unwrap();
    let region = region_endpoint(&region_cert, Some(&ca), None);

    let mut section = EdgeConfig::default().region_link;
    section.addr = region.local_addr().unwrap();
    section.ca_file = Some(ca.write_cert_in(dir.path(), "ca").unwrap());
    let (cert, key) = edge_cert.write_in(dir.path(), "edge").unwrap();
    section.cert_file = Some(cert);
    section.key_file = Some(key);
    section.reconnect_min_ms = 50;
    let cfg = RegionLinkConfig::from_section(&section, "edge-ca");
    cfg.check().unwrap();
    let hub = Arc::new(RegionHub::new(cfg.core_config(), DEFAULT_SESSION_EVENTS));
    let metrics = EdgeMetrics::new();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(region_link::run(cfg, hub.clone(), metrics.clone(), stop_rx));

    let conn = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap()
        .await
        .unwrap();
    let peer = conn
        .peer_identity()
        .unwrap()
        .downcast::<Vec<rustls::pki_types::CertificateDer<'static>>>()
        .unwrap();
    assert_eq!(
        peer.first().map(|c| c.as_ref()),
        Some(edge_cert.cert_der.as_slice()),
        "the edge presents its certificate"
    );
    let mut region_side = RegionPeer::accept(conn, RegionCoreConfig::default(), 64)
        .await
        .unwrap();
    let opened = peer_event(&mut region_side).await;
    assert!(
        matches!(&opened, RegionLinkEvent::Opened { edge_id, .. } if edge_id == "edge-ca"),
        "{opened:?}"
    );
    for _ in 0..200 {
        if hub.is_up() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(hub.is_up());
    assert_eq!(metrics.region_link_connects.get(), 1);
    let refused: u64 = ["unknown_ca", "not_pinned", "bad_certificate"]
        .iter()
        .map(|r| metrics.region_link.refusals.with_label_values(&[r]).get())
        .sum();
    assert_eq!(refused, 0);
    stop.send_replace(true);
    tokio::time::timeout(T, task).await.unwrap().unwrap();
}
