//! A real `starlane-region` process for scenarios that kill it: started with a config file,
//! its link and HTTP addresses read from the lines it prints, and an edge stand-in endpoint
//! that trusts its development certificate and presents the edge identity it pins.

#![allow(dead_code)]

use starlane_game::config::LinkConfig;
use starlane_game::runtime::link::tls;
use starlane_testbed::{Signal, signal};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the process has to print its addresses.
const START: Duration = Duration::from_secs(60);

/// A running region process; dropping it kills the process (by its PID).
pub struct RegionProcess {
    child: Child,
    pub link_addr: SocketAddr,
    pub http_addr: SocketAddr,
    /// The lines it printed on stdout, up to its addresses.
    pub banner: Vec<String>,
    lines: mpsc::Receiver<String>,
}

/// A region config file in `dir` (data there, link on `link_bind`, HTTP on a free port, the
/// store at `url`), with `extra` TOML appended to `[store]`.
pub fn write_config(
    dir: &Path,
    region_id: &str,
    link_bind: &str,
    url: &str,
    extra: &str,
) -> PathBuf {
    let path = dir.join("region.toml");
    let text = format!(
        "region_id = {region_id:?}\ndata_dir = {:?}\nlink_bind = {link_bind:?}\n\
         [http]\nbind = \"127.0.0.1:0\"\n[store]\nurl = {url:?}\n{extra}\n",
        dir.join("data").display().to_string(),
    );
    std::fs::write(&path, text).expect("write config");
    path
}

fn addr_after(line: &str, marker: &str) -> Option<SocketAddr> {
    let rest = &line[line.find(marker)? + marker.len()..];
    rest.split([' ', '/']).next()?.parse().ok()
}

impl RegionProcess {
    /// Start `starlane-region --config <config>` and wait for its addresses.
    pub fn start(config: &Path) -> RegionProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_starlane-region"))
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn starlane-region");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (mut link, mut http, mut banner) = (None, None, Vec::new());
        while link.is_none() || http.is_none() {
            let line = lines
                .recv_timeout(START)
                .unwrap_or_else(|e| panic!("region printed no addresses ({e}): {banner:?}"));
            link = link.or_else(|| addr_after(&line, "link listening on "));
            http = http.or_else(|| addr_after(&line, "http://"));
            banner.push(line);
        }
        RegionProcess {
            child,
            link_addr: link.expect("checked"),
            http_addr: http.expect("checked"),
            banner,
            lines,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Send `sig` and wait (at most 30 s) for the process to exit; its exit status.
    pub fn stop(&mut self, sig: Signal) -> std::process::ExitStatus {
        signal(self.pid(), sig).expect("signal the region");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "region did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Lines printed since the addresses (non-blocking).
    pub fn more_lines(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for RegionProcess {
    fn drop(&mut self) {
        if self.running() {
            let _ = signal(self.pid(), Signal::Kill);
            let _ = self.child.wait();
        }
    }
}

/// A client endpoint on loopback trusting the region's development certificate in
/// `data_dir` and presenting the edge identity it generated and pins.
pub fn edge_endpoint(data_dir: &Path) -> quinn::Endpoint {
    let region = tls::load_identity(
        &data_dir.join("link-cert.pem"),
        &data_dir.join("link-key.pem"),
        "link_cert",
    )
    .expect("region identity");
    let (cert, key) = LinkConfig::dev_edge_paths(data_dir);
    let edge = tls::load_identity(&cert, &key, "link.edge_cert_file").expect("edge identity");
    let config = tls::client_config(region.cert_der(), Some(&edge)).expect("client config");
    let mut endpoint =
        quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("client endpoint");
    endpoint.set_default_client_config(config);
    endpoint
}

/// `starlane_region_snapshots_total{result}` from the region's `/metrics`.
pub async fn snapshots(http: SocketAddr, result: &str) -> f64 {
    let labels = format!("result=\"{result}\"");
    crate::ops_http::metric(http, "starlane_region_snapshots_total", &labels).await
}

/// Wait until `n` more snapshots were written successfully than `since`.
pub async fn snapshots_after(http: SocketAddr, since: f64, n: f64) {
    let deadline = tokio::time::Instant::now() + crate::edge_stand_in::WAIT * 3;
    while snapshots(http, "ok").await < since + n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no new snapshot written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
