//! Helpers shared by the launcher's scenarios.

use starlane_client::{Client, ConnectInfo, Transport, fetch_dev_token};
use starlane_launcher::Cluster;
use std::time::Duration;

/// Longest wait for one message (generous: two shared cores).
pub const WAIT: Duration = Duration::from_secs(30);

/// A player of `region` named `name`, connected through the region's first edge.
pub async fn player(cluster: &Cluster, region: &str, name: &str) -> Client {
    let run = cluster
        .regions
        .iter()
        .find(|r| r.plan.id == region)
        .expect("the launcher starts regions r1 and r2");
    let token = fetch_dev_token(&cluster.dev().region_url(region), name)
        .await
        .expect("dev token");
    let info = ConnectInfo::from_connect_endpoint(&run.edges[0].info.connect_url, &token)
        .await
        .expect("connect endpoint");
    Client::connect_via(&info, Transport::Udp, &token)
        .await
        .expect("connected")
}
