//! A session's link stats reach the Prometheus text of `/metrics`, labelled by transport only:
//! counters grow by what the link gained, the RTT, RTT-variation and loss histograms take one
//! sample per second, and the session's last counts are reported when it ends.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::session_harness::dev_verifier;
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::session::{SessionContext, run_session};
use starlane_netcore::transport::{LinkStats, QueueLimits, TransportKind, link_pair};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The value of the sample named exactly `key` (name and labels) in a text exposition.
fn sample(text: &str, key: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.parse().unwrap())
}

fn wt(name: &str) -> String {
    format!("{name}{{transport=\"webtransport\"}}")
}

fn bucket(name: &str, le: &str) -> String {
    format!("{name}_bucket{{transport=\"webtransport\",le=\"{le}\"}}")
}

/// Waits until `ready` holds for the metrics text, and returns that text.
async fn wait_for(metrics: &EdgeMetrics, what: &str, ready: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = metrics.render();
        if ready(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "never saw {what}:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn add(stats: &LinkStats, bytes_in: u64, bytes_out: u64, pk_in: u64, pk_out: u64, lost: u64) {
    stats.packets_lost.fetch_add(lost, Ordering::Relaxed);
    stats.bytes_in.fetch_add(bytes_in, Ordering::Relaxed);
    stats.bytes_out.fetch_add(bytes_out, Ordering::Relaxed);
    stats.packets_in.fetch_add(pk_in, Ordering::Relaxed);
    stats.packets_out.fetch_add(pk_out, Ordering::Relaxed);
}

#[tokio::test]
async fn session_link_stats_are_exported_by_transport() {
    let (_dir, _issuer, verifier) = dev_verifier();
    let metrics = EdgeMetrics::new();
    let (_shutdown, shutdown_rx) = watch::channel(false);
    let ctx = Arc::new(SessionContext::new(
        verifier,
        Arc::new(RegionHub::default()),
        metrics.clone(),
        Duration::from_secs(60),
        shutdown_rx,
    ));
    let (link, driver) = link_pair(
        "127.0.0.1:5000".parse().unwrap(),
        TransportKind::WebTransport,
        QueueLimits::DEFAULT,
    );
    let stats = driver.stats.clone();
    // What the transport measured before the first report.
    add(&stats, 1_000, 20_000, 10, 200, 4);
    stats.set_rtt(Duration::from_millis(40), Duration::from_millis(5));
    let task = tokio::spawn(run_session(link, ctx));

    let srtt = "starlane_edge_link_srtt_seconds";
    let var = "starlane_edge_link_rtt_variation_seconds";
    let loss = "starlane_edge_link_loss_ratio";
    // The first report comes as the session opens.
    let text = wait_for(&metrics, "the first sample", |t| {
        sample(t, &wt(&format!("{srtt}_count"))).is_some_and(|n| n >= 1.0)
    })
    .await;
    let counter = |t: &str, name: &str| sample(t, &wt(&format!("starlane_edge_link_{name}_total")));
    assert_eq!(counter(&text, "bytes_in"), Some(1_000.0));
    assert_eq!(counter(&text, "bytes_out"), Some(20_000.0));
    assert_eq!(counter(&text, "packets_in"), Some(10.0));
    assert_eq!(counter(&text, "packets_out"), Some(200.0));
    assert_eq!(counter(&text, "packets_lost"), Some(4.0));
    // The older byte counters count the same bytes.
    assert_eq!(
        sample(&text, &wt("starlane_edge_bytes_in_total")),
        Some(1_000.0)
    );
    assert_eq!(
        sample(&text, &wt("starlane_edge_bytes_out_total")),
        Some(20_000.0)
    );
    // Every sample so far saw 40 ms and 5 ms (one per second: a slow machine may have taken two).
    let n = sample(&text, &wt(&format!("{srtt}_count"))).unwrap();
    assert!((sample(&text, &wt(&format!("{srtt}_sum"))).unwrap() - 0.040 * n).abs() < 1e-9);
    assert_eq!(sample(&text, &bucket(srtt, "0.03")), Some(0.0));
    assert_eq!(sample(&text, &bucket(srtt, "0.05")), Some(n));
    assert_eq!(sample(&text, &bucket(var, "0.0025")), Some(0.0));
    assert_eq!(sample(&text, &bucket(var, "0.005")), Some(n));
    // Loss is sampled only for seconds that sent something: 4 of 200 in the first.
    assert_eq!(sample(&text, &wt(&format!("{loss}_count"))), Some(1.0));
    assert_eq!(sample(&text, &wt(&format!("{loss}_sum"))), Some(0.02));
    assert_eq!(sample(&text, &bucket(loss, "0.01")), Some(0.0));
    assert_eq!(sample(&text, &bucket(loss, "0.02")), Some(1.0));
    // Nothing for the transports this edge did not see.
    assert!(!text.contains("starlane_edge_link_bytes_in_total{transport=\"udp\"}"));

    // A worse second: 80 ms, 20 ms variation, 10 of the 100 packets sent lost.
    add(&stats, 500, 5_000, 5, 100, 10);
    stats.set_rtt(Duration::from_millis(80), Duration::from_millis(20));
    let text = wait_for(&metrics, "a sample of the worse second", |t| {
        sample(t, &bucket(srtt, "0.1")) > sample(t, &bucket(srtt, "0.05"))
    })
    .await;
    assert_eq!(counter(&text, "bytes_in"), Some(1_500.0));
    assert_eq!(counter(&text, "bytes_out"), Some(25_000.0));
    assert_eq!(counter(&text, "packets_in"), Some(15.0));
    assert_eq!(counter(&text, "packets_out"), Some(300.0));
    assert_eq!(counter(&text, "packets_lost"), Some(14.0));
    assert_eq!(
        sample(&text, &bucket(var, "0.02")),
        sample(&text, &wt(&format!("{var}_count")))
    );
    assert!(sample(&text, &bucket(var, "0.01")) < sample(&text, &bucket(var, "0.02")));
    // The loss of that second alone (0.1), not of the whole session (14 / 300).
    assert_eq!(sample(&text, &wt(&format!("{loss}_count"))), Some(2.0));
    assert!((sample(&text, &wt(&format!("{loss}_sum"))).unwrap() - 0.12).abs() < 1e-9);
    assert_eq!(sample(&text, &bucket(loss, "0.05")), Some(1.0));
    assert_eq!(sample(&text, &bucket(loss, "0.1")), Some(2.0));

    // Traffic in the session's last moments is counted when it ends, without a histogram sample.
    let samples_before_end = sample(&text, &wt(&format!("{srtt}_count")));
    add(&stats, 7, 9, 1, 1, 0);
    drop(driver);
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    let text = metrics.render();
    assert_eq!(counter(&text, "bytes_in"), Some(1_507.0));
    assert_eq!(counter(&text, "bytes_out"), Some(25_009.0));
    assert_eq!(counter(&text, "packets_in"), Some(16.0));
    assert_eq!(counter(&text, "packets_out"), Some(301.0));
    assert_eq!(
        sample(&text, &wt(&format!("{srtt}_count"))),
        samples_before_end
    );
    assert!(metrics.sessions.is_empty());
}
