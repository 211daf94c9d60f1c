//! Scenario: the real `starlane-local` binary answers signals as the separate binaries do.
//! Started on free loopback ports with its bandwidth profiles in a directory, it reloads them
//! on SIGHUP (the edge's `starlane_edge_profile_bytes_per_sec` shows the new value) and keeps
//! running and serving; on SIGTERM it shuts down cleanly and exits 0.

#![allow(clippy::unwrap_used)]

use crate::common::http_get;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A child process killed when the test ends early.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Send `signal` (e.g. "-HUP") to the process.
fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {signal} failed");
}

/// A profile `broadband` with the given rate (the bucket at its 5% ceiling).
fn write_profile(dir: &Path, bytes_per_sec: u32) {
    let text = format!(
        "bytes_per_sec = {bytes_per_sec}\nburst_bytes = {}\n",
        bytes_per_sec / 20
    );
    std::fs::write(dir.join("broadband.toml"), text).unwrap();
}

/// The rate the edge exports for the `broadband` profile.
async fn broadband_rate(edge_http: SocketAddr) -> Option<u64> {
    let (_, text) = http_get(edge_http, "/metrics").await;
    text.lines().find_map(|l| {
        l.strip_prefix("starlane_edge_profile_bytes_per_sec{profile=\"broadband\"} ")
            .and_then(|v| v.trim().parse().ok())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_profiles_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>test</title>").unwrap();
    write_profile(&profiles, 200_000);
    let edge_toml = dir.path().join("edge.toml");
    std::fs::write(
        &edge_toml,
        format!(
            "[dev_issuer]\nenabled = true\n\n[bandwidth]\ndir = {:?}\n",
            profiles.display().to_string()
        ),
    )
    .unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_starlane-local"))
        .arg("run")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--web-dir")
        .arg(&web)
        .arg("--edge-config")
        .arg(&edge_toml)
        .arg("--ephemeral-ports")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Running(child);

    // The line announcing the listeners; then keep draining stdout so the server never
    // blocks writing to it.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(json) = line.strip_prefix("STARLANE_READY ") {
                let _ = ready_tx.send(json.to_owned());
            }
        }
    });
    let ready = tokio::task::spawn_blocking(move || ready_rx.recv_timeout(WAIT))
        .await
        .unwrap()
        .expect("starlane-local announces STARLANE_READY");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let edge_http: SocketAddr = ready["edge_http"].as_str().unwrap().parse().unwrap();
    let region_http: SocketAddr = ready["region_http"].as_str().unwrap().parse().unwrap();
    assert_eq!(broadband_rate(edge_http).await, Some(200_000));
    assert_eq!(http_get(region_http, "/readyz").await.0, 200);

    // SIGHUP with a changed profile file: reloaded, and the process is still serving.
    write_profile(&profiles, 100_000);
    signal(&child.0, "-HUP");
    let deadline = Instant::now() + WAIT;
    while broadband_rate(edge_http).await != Some(100_000) {
        assert!(Instant::now() < deadline, "the SIGHUP reload never showed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, text) = http_get(edge_http, "/metrics").await;
    assert!(
        text.contains("starlane_edge_profile_reloads_total{result=\"ok\"} 1"),
        "{text}"
    );
    let mut child = child;
    assert!(child.0.try_wait().unwrap().is_none(), "alive after SIGHUP");
    assert_eq!(http_get(edge_http, "/readyz").await.0, 200);
    assert_eq!(http_get(region_http, "/healthz").await.0, 200);

    // SIGTERM: a clean stop with exit code 0.
    signal(&child.0, "-TERM");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "{status}");
}
