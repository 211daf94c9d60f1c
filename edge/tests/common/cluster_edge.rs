//! Edges in one cluster on the shared test Redis: each with its own fake region, all trusting
//! one development issuer; a client welcomed on one of them.

#![allow(dead_code, clippy::unwrap_used)]

use super::*;
use starlane_edge::{DevIssuer, Edge, EdgeHandle};
use starlane_netcore::link::RegionPeer;
use starlane_protocol::link::{Join, Joined, RegionToEdge};
use starlane_protocol::{Hex, MapInfo, PROTOCOL_VERSION, RejectReason};
use std::sync::Arc;

/// One edge of the cluster with its region stand-in.
pub struct ClusterEdge {
    pub edge: EdgeHandle,
    pub region: quinn::Endpoint,
    pub peer: RegionPeer,
}

/// The cluster: a Redis prefix, a shared issuer, a temporary directory.
pub struct TestCluster {
    pub dir: tempfile::TempDir,
    pub redis_url: String,
    pub prefix: String,
    pub issuer: Arc<DevIssuer>,
}

impl TestCluster {
    /// On the shared test Redis under a fresh prefix.
    pub fn new() -> Self {
        Self::on(starlane_testbed::redis_url())
    }

    /// On the Redis at `redis_url` under a fresh prefix.
    pub fn on(redis_url: String) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let issuer = DevIssuer::load_or_create_with_issuer(
            &dir.path().join("issuer"),
            &starlane_edge::config::EdgeConfig::default().jwt.issuer,
        )
        .unwrap();
        Self {
            dir,
            redis_url,
            prefix: starlane_testbed::fresh_prefix(),
            issuer: Arc::new(issuer),
        }
    }

    /// A cluster handle for the test itself (as an operator's tool would have).
    pub async fn admin(&self) -> starlane_cluster::Cluster {
        starlane_cluster::Cluster::connect(&self.redis_url, &self.prefix)
            .await
            .unwrap()
    }

    /// Start edge `name` of region `r1` with a heartbeat of one second.
    pub async fn edge(&self, name: &str) -> ClusterEdge {
        self.edge_with(name, |_| {}).await
    }

    /// [`TestCluster::edge`] with `adjust` applied to its configuration last.
    pub async fn edge_with(
        &self,
        name: &str,
        adjust: impl FnOnce(&mut starlane_edge::config::EdgeConfig),
    ) -> ClusterEdge {
        let (region, ck) = fake_region();
        let root = self.dir.path().join(name);
        std::fs::create_dir_all(&root).unwrap();
        let cert_file = root.join("region_cert.pem");
        std::fs::write(&cert_file, &ck.cert_pem).unwrap();
        let mut cfg = self.config(name, &root, region.local_addr().unwrap(), cert_file);
        adjust(&mut cfg);
        let edge = Edge::start(cfg, Some(self.issuer.clone())).await.unwrap();
        let peer = link_up(&edge, &region).await;
        ClusterEdge { edge, region, peer }
    }
}

impl TestCluster {
    /// The loopback configuration of edge `name` (files in `root`) of region `r1` in this
    /// cluster, heartbeat one second, its link to `region_addr` trusting `cert_file`.
    pub fn config(
        &self,
        name: &str,
        root: &std::path::Path,
        region_addr: std::net::SocketAddr,
        cert_file: std::path::PathBuf,
    ) -> starlane_edge::config::EdgeConfig {
        let mut cfg = loopback_edge_config(root, region_addr, cert_file);
        cfg.edge_id = name.into();
        cfg.cluster.redis_url = self.redis_url.clone();
        cfg.cluster.prefix = self.prefix.clone();
        cfg.cluster.heartbeat_secs = 1;
        cfg.cluster.region = "r1".into();
        cfg
    }
}

/// The region stand-in's answer to the join of `session`: empire 2 on a one-chunk map.
pub fn joined(session: u64) -> RegionToEdge {
    RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 2,
        tick_rate_hz: 20,
        map: MapInfo {
            chunk_radius: 2,
            chunks: vec![Hex::new(0, 0)],
            blocked: vec![],
        },
    })
}

impl ClusterEdge {
    /// A native client that said hello with `token`, not yet answered.
    pub async fn hello(&self, token: &str) -> Link {
        let client =
            starlane_netcore::udp::connect(self.edge.udp_addr(), self.edge.udp_public_key(), T)
                .await
                .unwrap();
        client.sender.send_reliable(
            ClientMsg::Hello {
                version: PROTOCOL_VERSION,
                token: token.into(),
            }
            .encode(),
        );
        client
    }

    /// A native client welcomed with `token` (the region stand-in accepts the join).
    pub async fn welcomed(&mut self, token: &str) -> Link {
        let mut client = self.hello(token).await;
        // Earlier sessions' leaves may come first.
        let session = loop {
            if let RegionLinkEvent::Join {
                join: Join { session, .. },
                ..
            } = peer_event(&mut self.peer).await
            {
                break session;
            }
        };
        to_edge(&self.peer, joined(session));
        assert!(matches!(
            client_msg(&mut client).await,
            ServerMsg::Welcome { .. }
        ));
        assert!(matches!(client_msg(&mut client).await, ServerMsg::Map(_)));
        assert!(matches!(
            client_msg(&mut client).await,
            ServerMsg::Catalog(_)
        ));
        client
    }
}

/// The client's next reliable message, or its close reason.
pub async fn next_reliable(
    link: &mut Link,
) -> Result<ServerMsg, starlane_netcore::transport::CloseReason> {
    loop {
        match tokio::time::timeout(T, link.events.recv()).await.unwrap() {
            Some(LinkEvent::Reliable(b)) => match ServerMsg::decode(&b).unwrap() {
                // Resume tickets come after the welcome and are renewed: not what tests await.
                ServerMsg::ResumeTicket { .. } => continue,
                msg => return Ok(msg),
            },
            Some(LinkEvent::Closed(r)) => return Err(r),
            Some(_) => continue,
            None => {
                return Err(starlane_netcore::transport::CloseReason::Transport(
                    "events ended".into(),
                ));
            }
        }
    }
}

/// The session is refused or closed with `reason`: `Reject(reason)` (unless the close
/// overtook it) and the close with the reason's code.
pub async fn expect_rejected(link: &mut Link, reason: RejectReason) {
    loop {
        match next_reliable(link).await {
            Ok(ServerMsg::Reject { reason: r }) => assert_eq!(r, reason),
            Ok(ServerMsg::Notice { .. }) => {}
            Ok(other) => panic!("unexpected {other:?}"),
            Err(r) => {
                assert_eq!(
                    r,
                    starlane_netcore::transport::CloseReason::Peer(reason as u8)
                );
                return;
            }
        }
    }
}
