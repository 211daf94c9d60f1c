//! `[bandwidth] watch_secs`: a profile file changed on disk (as a Kubernetes ConfigMap volume
//! is updated, with no signal) is reloaded by the running edge; a broken one is refused and
//! the profiles in force stay.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::*;
use starlane_edge::Edge;
use starlane_edge::config::EMBEDDED_PROFILES;
use std::time::{Duration, Instant};

/// Wait until `f` holds, for at most 15 s (the watch looks every second).
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_profile_file_is_reloaded_without_a_signal() {
    let root = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    let cert = root.path().join("region_cert.pem");
    std::fs::write(&cert, &ck.cert_pem).unwrap();
    let dir = root.path().join("bandwidth");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in EMBEDDED_PROFILES {
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }
    let mut cfg = loopback_edge_config(root.path(), region.local_addr().unwrap(), cert);
    cfg.bandwidth.dir = dir.clone();
    cfg.bandwidth.watch_secs = 1;
    let edge = Edge::start(cfg, None).await.unwrap();
    let m = edge.metrics().clone();
    let rate = move || m.profile_bytes_per_sec.with_label_values(&["mobile"]).get();
    let m = edge.metrics().clone();
    let reloads = move |result: &str| m.profile_reloads.with_label_values(&[result]).get();
    assert_eq!(rate(), 50_000);

    let mobile = dir.join("mobile.toml");
    let text = std::fs::read_to_string(&mobile).unwrap();
    assert!(
        text.contains("bytes_per_sec = 50000"),
        "the shipped mobile profile changed"
    );
    // Written as the kubelet does: a new file renamed over the old one.
    let tmp = dir.join(".mobile.tmp");
    std::fs::write(
        &tmp,
        text.replace("bytes_per_sec = 50000", "bytes_per_sec = 60000"),
    )
    .unwrap();
    std::fs::rename(&tmp, &mobile).unwrap();
    eventually("the new rate is in force", || rate() == 60_000).await;
    assert_eq!(reloads("ok"), 1);

    std::fs::write(&mobile, "bytes_per_sec = \"not a number\"\n").unwrap();
    eventually("the broken file is refused", || reloads("error") == 1).await;
    assert_eq!(rate(), 60_000, "the profiles in force stay");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        reloads("error"),
        1,
        "an unchanged broken file is not retried every look"
    );
    edge.shutdown().await;
}
