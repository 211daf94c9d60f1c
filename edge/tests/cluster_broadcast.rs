//! An operator broadcast on the cluster's events channel (real Redis) reaches the connected
//! clients of every edge as a `Notice` of kind `Broadcast`.

#![allow(clippy::unwrap_used)]

use crate::common::cluster_edge::*;
use starlane_cluster::ClusterEvent;
use starlane_protocol::NoticeKind;
use starlane_protocol::client::ServerMsg;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_clients_on_two_edges() {
    let c = TestCluster::new();
    let admin = c.admin().await;
    let mut a = c.edge("edge-a").await;
    let mut b = c.edge("edge-b").await;
    let mut on_a = a.welcomed(&c.issuer.issue("ada").unwrap()).await;
    let mut on_b = b.welcomed(&c.issuer.issue("bob").unwrap()).await;

    // Each edge subscribes to the events channel as it connects; give both a moment.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let text = "Server restart in 5 min";
    admin
        .publish(&ClusterEvent::Broadcast { text: text.into() })
        .await
        .unwrap();
    let want = ServerMsg::Notice {
        kind: NoticeKind::Broadcast,
        text: text.into(),
    };
    assert_eq!(next_reliable(&mut on_a).await, Ok(want.clone()));
    assert_eq!(next_reliable(&mut on_b).await, Ok(want));
    assert_eq!(a.edge.cluster().metrics().broadcasts.get(), 1);
    assert_eq!(b.edge.cluster().metrics().broadcasts.get(), 1);
}
