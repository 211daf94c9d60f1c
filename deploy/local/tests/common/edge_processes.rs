//! A region in this process and edges as separate processes (`starlane-local edge`), all in
//! one cluster on the shared test Redis (registry, connect endpoints), on free loopback
//! ports: an edge can be killed with SIGKILL, as a crash would.

#![allow(dead_code, clippy::unwrap_used)]

use super::region_in_process::{dev_issuer, start_region};
use super::two_edges::RESUME_KEY;
use starlane_edge::{DevIssuer, EdgeConfig};
use starlane_game::RegionHandle;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

/// One edge process and where clients reach it.
pub struct EdgeProcess {
    child: Child,
    pub udp: SocketAddr,
    pub udp_public_key: [u8; 32],
    pub http: SocketAddr,
    pub quic: SocketAddr,
    /// SHA-256 of its certificate, pinned by QUIC clients.
    pub cert_hash: [u8; 32],
}

impl EdgeProcess {
    /// Its connect endpoint.
    pub fn connect_url(&self) -> String {
        format!("http://{}/connect", self.http)
    }

    /// Where a native client reaches it over encrypted UDP.
    pub fn info(&self) -> starlane_client::ConnectInfo {
        starlane_client::ConnectInfo::udp_only(self.udp, self.udp_public_key)
    }

    /// Where a native client reaches it over encrypted UDP or QUIC.
    pub fn info_with_quic(&self) -> starlane_client::ConnectInfo {
        let mut info = self.info();
        info.quic_addr = Some(self.quic);
        info.cert_hash = Some(self.cert_hash);
        info
    }

    /// `kill -9`: no goodbye to anyone, no deregistration.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for EdgeProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The region, its edge configuration template and the shared issuer.
pub struct Cluster {
    pub region: RegionHandle,
    pub issuer: Arc<DevIssuer>,
    edge_cfg: EdgeConfig,
    prefix: String,
    pub dir: TempDir,
}

/// Start the region (its edges come with [`Cluster::edge`]).
pub async fn start() -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let (region, edge_cfg) = start_region(dir.path(), EdgeConfig::default()).await;
    let issuer = dev_issuer(dir.path(), &edge_cfg);
    Cluster {
        region,
        issuer,
        edge_cfg,
        prefix: starlane_testbed::fresh_prefix(),
        dir,
    }
}

fn quoted(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

impl Cluster {
    /// A token for `user`.
    pub fn token(&self, user: &str) -> String {
        self.issuer.issue(user).unwrap()
    }

    /// Start edge `name` of region `r1` as a process, registered with a 1 s heartbeat.
    pub async fn edge(&self, name: &str) -> EdgeProcess {
        let root = self.dir.path().join(name);
        std::fs::create_dir_all(&root).unwrap();
        let l = &self.edge_cfg.region_link;
        let toml = format!(
            "edge_id = {name:?}\ndata_dir = {data}\n\
             [udp]\nbind = \"127.0.0.1:0\"\n[webtransport]\nbind = \"127.0.0.1:0\"\n\
             [quic]\nbind = \"127.0.0.1:0\"\n[websocket]\nbind = \"127.0.0.1:0\"\n\
             [http]\nbind = \"127.0.0.1:0\"\n\
             [region_link]\naddr = \"{addr}\"\nserver_name = {server:?}\nca_file = {ca}\n\
             cert_file = {cert}\nkey_file = {key}\nregion_cert_file = {region_cert}\n\
             [jwt]\npublic_key_file = {jwt}\n[resume]\nkey = \"{RESUME_KEY}\"\n\
             [cluster]\nredis_url = {redis:?}\nprefix = {prefix:?}\nheartbeat_secs = 1\n\
             region = \"r1\"\n",
            data = quoted(&root.join("data")),
            addr = l.addr,
            server = l.server_name,
            ca = quoted(l.ca_file.as_ref().unwrap()),
            cert = quoted(l.cert_file.as_ref().unwrap()),
            key = quoted(l.key_file.as_ref().unwrap()),
            region_cert = quoted(&l.region_cert_file),
            jwt = quoted(
                &self
                    .dir
                    .path()
                    .join("dev-issuer")
                    .join(starlane_edge::dev_issuer::PUBLIC_KEY_FILE)
            ),
            redis = starlane_testbed::redis_url(),
            prefix = self.prefix,
        );
        let config = root.join("edge.toml");
        std::fs::write(&config, toml).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_starlane-local"))
            .arg("edge")
            .arg("--config")
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Keep reading stdout so the edge never blocks writing to it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(json) = line.strip_prefix("STARLANE_EDGE_READY ") {
                    let _ = tx.send(json.to_owned());
                }
            }
        });
        let ready = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
            .await
            .unwrap()
            .expect("the edge process announces STARLANE_EDGE_READY");
        let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
        let field = |f: &str| ready[f].as_str().unwrap().to_string();
        let key = starlane_client::http::parse_key(&field("udp_public_key")).unwrap();
        let edge = EdgeProcess {
            child,
            udp: field("udp").parse().unwrap(),
            udp_public_key: key,
            http: field("http").parse().unwrap(),
            quic: field("quic").parse().unwrap(),
            cert_hash: starlane_client::http::parse_key(&field("cert_hash")).unwrap(),
        };
        wait_ready(edge.http).await;
        edge
    }
}

/// Until `GET /readyz` answers 200 (region link up, keys loaded).
async fn wait_ready(http: SocketAddr) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if super::http_get(http, "/readyz").await.0 == 200 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "edge at {http} never ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
