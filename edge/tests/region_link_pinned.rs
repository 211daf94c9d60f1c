//! Scenario: the edge pins the region's certificate by SHA-256 (no CA). The pinned region is
//! accepted whatever name its self-signed certificate carries; when the region comes back with
//! another certificate, the edge refuses it (`not_pinned`) and the link stays down.

#![allow(clippy::unwrap_used)]

use crate::common;
use crate::link_pki;

use common::{T, peer_event};
use link_pki::{region_endpoint, server_config};
use starlane_edge::config::EdgeConfig;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::region_link::{self, RegionLinkConfig};
use starlane_netcore::link::RegionPeer;
use starlane_netcore::proto::link::{RegionLinkConfig as RegionCoreConfig, RegionLinkEvent};
use starlane_netcore::tls::pki::{Purpose, self_signed};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn pinned_region_is_accepted_and_a_changed_certificate_refused() {
    let pinned = self_signed(&["whatever.example"], Purpose::Region).unwrap();
    let region = region_endpoint(&pinned, None, None);
    let mut section = EdgeConfig::default().region_link;
    section.addr = region.local_addr().unwrap();
    section.pins = vec![hex::encode(pinned.pin()).to_uppercase()];
    section.reconnect_min_ms = 50;
    section.reconnect_max_ms = 100;
    let hub = Arc::new(RegionHub::default());
    let metrics = EdgeMetrics::new();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(region_link::run(
        RegionLinkConfig::from_section(&section, "edge-pins"),
        hub.clone(),
        metrics.clone(),
        stop_rx,
    ));

    let conn = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap()
        .await
        .unwrap();
    let mut region_side = RegionPeer::accept(conn.clone(), RegionCoreConfig::default(), 64)
        .await
        .unwrap();
    assert!(matches!(
        peer_event(&mut region_side).await,
        RegionLinkEvent::Opened { .. }
    ));
    // The region restarts with another certificate on the same address.
    region.set_server_config(Some(server_config(
        &self_signed(&["whatever.example"], Purpose::Region).unwrap(),
        None,
        None,
    )));
    conn.close(0u32.into(), b"restart with a new certificate");
    let incoming = tokio::time::timeout(T, region.accept())
        .await
        .unwrap()
        .unwrap();
    assert!(incoming.await.is_err(), "the edge aborts the handshake");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!hub.is_up());
    assert!(
        metrics
            .region_link
            .refusals
            .with_label_values(&["not_pinned"])
            .get()
            >= 1
    );
    assert_eq!(metrics.region_link_connects.get(), 1);
    stop.send_replace(true);
    tokio::time::timeout(T, task).await.unwrap().unwrap();
}
