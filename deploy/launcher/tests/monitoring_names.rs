//! Scenario: every metric that the operator's files name (the Grafana dashboard, the alert
//! rules, the Prometheus adapter's rule, the edges' autoscaler) is one that the binaries
//! export. The launcher's cluster runs with a player on every edge, one edge is drained (so
//! the drain and move series exist), and every edge's and region's `/metrics` is scraped.

use starlane_client::{Client, ClientEvent, ConnectInfo, Transport, fetch_dev_token};
use starlane_launcher::http::get;
use starlane_launcher::{Cluster, ClusterOptions};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// The operator's files, from the repository root.
const FILES: &[&str] = &[
    "deploy/monitoring/alerts.yaml",
    "deploy/monitoring/grafana/dashboards/starlane.json",
    "deploy/monitoring/prometheus-adapter.yaml",
    "deploy/k8s/base/autoscaling.yaml",
];

/// Every `starlane_...` name in `text` (metric names are the only snake-case `starlane_`
/// words in these files; alert names are CamelCase).
fn names_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("starlane_") {
        let start = i + at;
        let boundary =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'_')
        {
            end += 1;
        }
        if boundary {
            out.insert(text[start..end].to_string());
        }
        i = end;
    }
    out
}

/// The series names in a Prometheus text exposition, and the name of each histogram.
fn exported(text: &str) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_string)
        .collect();
    let histograms: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_suffix("_bucket").map(str::to_string))
        .collect();
    names.extend(histograms);
    names
}

/// One player on `connect_url`'s edge, playing: connected, and its first view received.
async fn player(dev_url: &str, connect_url: &str, name: &str) -> Client {
    let token = fetch_dev_token(dev_url, name).await.expect("a dev token");
    let info = ConnectInfo::from_connect_endpoint(connect_url, &token)
        .await
        .expect("the connect endpoint answers");
    let mut client = Client::connect_via(&info, Transport::Udp, &token)
        .await
        .expect("the client connects");
    loop {
        match tokio::time::timeout(Duration::from_secs(60), client.next_event()).await {
            Ok(Some(ClientEvent::Updated(_))) => return client,
            Ok(Some(ClientEvent::Closed(why))) => panic!("{name} closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("{name} ended"),
            Err(_) => panic!("{name}: no view within 60 s"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_dashboard_and_rules_name_is_exported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut named = BTreeSet::new();
    for file in FILES {
        let text = std::fs::read_to_string(root.join(file)).expect(file);
        let found = names_in(&text);
        assert!(!found.is_empty(), "{file} names no metric");
        named.extend(found);
    }

    let dir = tempfile::tempdir().expect("temporary directory");
    let mut opts = ClusterOptions::new(dir.path());
    opts.dev_http = "127.0.0.1:0".parse().expect("address");
    opts.log_filter = "warn".into();
    opts.prefix = format!("monitoring_test_{}:", std::process::id());
    let mut cluster = Cluster::start(opts).await.expect("the cluster starts");

    let mut clients = Vec::new();
    for region in &cluster.regions {
        let dev_url = cluster.dev().region_url(&region.plan.id);
        for edge in &region.edges {
            let name = format!("{}-watcher", edge.plan.id);
            clients.push(player(&dev_url, &edge.info.connect_url, &name).await);
        }
    }
    // A drain: the edge's players are told to move (the draining and moved series).
    let drained = cluster.regions[0].edges[0].info.clone();
    cluster.drain_edge(&drained.id).expect("drain");
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut scraped = BTreeSet::new();
    let mut addrs: Vec<_> = cluster.regions.iter().map(|r| r.http_addr).collect();
    for region in &cluster.regions {
        addrs.extend(region.edges.iter().map(|e| e.info.http_addr));
    }
    for addr in addrs {
        // The drained edge may already have closed.
        if let Ok(answer) = get(addr, "/metrics") {
            assert_eq!(answer.status, 200, "{addr}/metrics");
            scraped.extend(exported(&answer.body));
        }
    }
    let missing: Vec<_> = named.difference(&scraped).collect();
    assert!(
        missing.is_empty(),
        "named in {FILES:?} but exported by no process of the cluster: {missing:#?}"
    );
    assert!(named.len() >= 30, "the files name {} metrics", named.len());
    for c in clients {
        c.close();
    }
    cluster.shutdown();
}

#[test]
fn names_are_found_whole_and_only_in_snake_case() {
    let text = "sum(rate(starlane_edge_x_total{a=\"b\"}[5m])) StarlaneRegionDown starlane/edge \
                my_starlane_y starlane_region_tick_seconds_bucket";
    let got: Vec<_> = names_in(text).into_iter().collect();
    assert_eq!(
        got,
        [
            "starlane_edge_x_total",
            "starlane_region_tick_seconds_bucket"
        ]
    );
}
