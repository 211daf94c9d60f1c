//! `[bandwidth] watch_secs`: profiles changed on disk the way the kubelet updates a ConfigMap
//! volume (a new directory swapped in behind `..data`, with no signal) are reloaded by the
//! running edge; a broken one is refused and the profiles in force stay.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::*;
use starlane_edge::Edge;
use starlane_edge::config::EMBEDDED_PROFILES;
use std::path::Path;
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

/// Write `files` as the kubelet writes a ConfigMap volume: into a new timestamped directory,
/// then `..data` is swapped to it in one rename and each `<name>` is a symlink through
/// `..data` (made once).
fn kubelet_update(dir: &Path, version: u32, files: &[(String, String)]) {
    let stamp = dir.join(format!("..2026_12_04_{version:02}"));
    std::fs::create_dir(&stamp).unwrap();
    for (name, text) in files {
        std::fs::write(stamp.join(name), text).unwrap();
    }
    let tmp = dir.join("..data_tmp");
    std::os::unix::fs::symlink(stamp.file_name().unwrap(), &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
    for (name, _) in files {
        let link = dir.join(name);
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(Path::new("..data").join(name), &link).unwrap();
        }
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
    let mut files: Vec<(String, String)> = EMBEDDED_PROFILES
        .iter()
        .map(|(name, text)| (format!("{name}.toml"), text.to_string()))
        .collect();
    kubelet_update(&dir, 1, &files);
    let mut cfg = loopback_edge_config(root.path(), region.local_addr().unwrap(), cert);
    cfg.bandwidth.dir = dir.clone();
    cfg.bandwidth.watch_secs = 1;
    let edge = Edge::start(cfg, None).await.unwrap();
    let m = edge.metrics().clone();
    let rate = move || m.profile_bytes_per_sec.with_label_values(&["mobile"]).get();
    let m = edge.metrics().clone();
    let reloads = move |result: &str| m.profile_reloads.with_label_values(&[result]).get();
    assert_eq!(rate(), 50_000);

    let mobile = files.iter_mut().find(|(n, _)| n == "mobile.toml").unwrap();
    assert!(
        mobile.1.contains("bytes_per_sec = 50000"),
        "the shipped mobile profile changed"
    );
    mobile.1 = mobile
        .1
        .replace("bytes_per_sec = 50000", "bytes_per_sec = 60000");
    kubelet_update(&dir, 2, &files);
    eventually("the new rate is in force", || rate() == 60_000).await;
    assert_eq!(reloads("ok"), 1);

    let mobile = files.iter_mut().find(|(n, _)| n == "mobile.toml").unwrap();
    mobile.1 = "bytes_per_sec = \"not a number\"\n".into();
    kubelet_update(&dir, 3, &files);
    eventually("the broken file is refused", || reloads("error") == 1).await;
    assert_eq!(rate(), 60_000, "the profiles in force stay");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        reloads("error"),
        1,
        "an unchanged broken file is not retried every look"
    );
    assert_eq!(reloads("ok"), 1);
    edge.shutdown().await;
}
