//! Scenario: an edge configured with `region_link.region` (no usable `addr`) finds its region
//! in the cluster registry on real Redis and links to the address it registered. The region
//! then restarts elsewhere and registers a new address while the old connection is still
//! open: the edge leaves the old address, links to the new one, re-announces the held session,
//! and the client's commands reach the region on its new address.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::cluster_edge::{ClusterEdge, TestCluster, joined};
use common::*;
use starlane_cluster::RegionInfo;
use starlane_edge::Edge;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_protocol::client::ClientMsg;
use starlane_protocol::link::Join;
use starlane_protocol::{Command, Hex};
use std::net::SocketAddr;
use std::time::Duration;

fn record(addr: SocketAddr) -> RegionInfo {
    RegionInfo {
        id: "r1".into(),
        link_addr: addr.to_string(),
        capacity: 100,
        sessions: 0,
        entities: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_links_to_the_registered_address_and_follows_it() {
    let cluster = TestCluster::new();
    let admin = cluster.admin().await;
    let ttl = Duration::from_secs(60);
    let (region_a, ck_a) = fake_region();
    let root = cluster.dir.path().join("e1");
    std::fs::create_dir_all(&root).unwrap();
    let cert_file = root.join("region_cert.pem");
    std::fs::write(&cert_file, &ck_a.cert_pem).unwrap();
    admin
        .put_region(&record(region_a.local_addr().unwrap()), ttl)
        .await
        .unwrap();

    // `addr` names nothing: only the registry can lead the edge to its region.
    let nowhere: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let mut cfg = cluster.config("e1", &root, nowhere, cert_file.clone());
    cfg.region_link.region = "r1".into();
    cfg.region_link.session_grace_ms = 20_000;
    let edge = Edge::start(cfg, Some(cluster.issuer.clone()))
        .await
        .unwrap();
    let peer = link_up(&edge, &region_a).await;
    let mut on_a = ClusterEdge {
        edge,
        region: region_a,
        peer,
    };
    let token = cluster.issuer.issue("ada").unwrap();
    let client = on_a.welcomed(&token).await;

    // The region restarts on another address (its certificate changes too) and registers it.
    // The connection to the old address stays open: the registry alone moves the edge.
    let (region_b, ck_b) = fake_region();
    std::fs::write(&cert_file, &ck_b.cert_pem).unwrap();
    admin
        .put_region(&record(region_b.local_addr().unwrap()), ttl)
        .await
        .unwrap();
    let mut peer_b = link_up(&on_a.edge, &region_b).await;
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        rejoin,
    } = peer_event(&mut peer_b).await
    else {
        panic!("expected the held session to be re-announced")
    };
    assert!(rejoin, "re-announced, not a new join");
    to_edge(&peer_b, joined(session));
    // The client plays on through the region's new address. Until the edge has handled the
    // `Joined`, the held session's commands are refused at the edge: retry until one arrives.
    let mut forwarded = None;
    for seq in 1..=50u32 {
        let command = Command::Move {
            unit: 1,
            to: Hex::new(2, -1),
        };
        client.sender.send_reliable(
            ClientMsg::Command {
                seq,
                command: command.clone(),
            }
            .encode(),
        );
        if let Ok(Some(ev)) =
            tokio::time::timeout(Duration::from_millis(200), peer_b.next_event()).await
        {
            forwarded = Some(ev);
            break;
        }
    }
    let Some(RegionLinkEvent::Command(c)) = forwarded else {
        panic!("no command reached the region's new address: {forwarded:?}")
    };
    assert_eq!(c.session, session);
    let m = on_a.edge.metrics();
    assert_eq!(m.region_link.reconnects.get(), 1);
    assert_eq!(
        m.sessions_active.with_label_values(&["udp"]).get(),
        1,
        "the session was held, never closed"
    );
    on_a.edge.shutdown().await;
}
