//! Scenario: a draining edge refuses every new session with `Reject(Draining)`, a `Hello` as
//! a `Resume` alike, while the other edge of the region still welcomes the same player.

#![allow(clippy::unwrap_used)]

use crate::common::two_edges;
use starlane_client::{Client, ClientError};
use starlane_protocol::RejectReason;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_edge_refuses_new_hellos() {
    let set = two_edges::start(30).await;
    let token = set.token("bob");
    set.b.drain();
    match Client::connect(&set.info_b(), &token).await {
        Err(ClientError::Rejected(RejectReason::Draining)) => {}
        other => panic!("expected Draining, got {other:?}"),
    }
    let text = set.b.metrics().render();
    assert!(
        text.contains("starlane_edge_rejections_total{reason=\"draining\"} 1"),
        "{text}"
    );
    let info_a = starlane_client::ConnectInfo::udp_only(set.a.udp_addr(), set.a.udp_public_key());
    let client = Client::connect(&info_a, &token).await.unwrap();
    assert!(client.empire != 0);
}
