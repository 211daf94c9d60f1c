//! Starting the servers a scenario measures: everything in this process
//! (`starlane_local::Local`), or the `starlane-region` and `starlane-edge` binaries as child
//! processes on free loopback ports with generated configuration files.

use crate::scenario::config::{LoadSection, Scenario, Topology};
use crate::scenario::procstat::Proc;
use anyhow::{Context, bail};
use starlane_client::ConnectInfo;
use starlane_edge::DevIssuer;
use starlane_game::RegionHandle;
use starlane_local::{Local, LocalOptions};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long child processes get to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The `[load]` and `[bench]` sections of a region configuration file for `load` (and its
/// map's rings, when the load names them).
pub fn region_load_toml(load: &LoadSection, publish_truth: bool) -> String {
    let rings = if load.map_rings > 0 {
        format!("map_rings = {}\n\n", load.map_rings)
    } else {
        String::new()
    };
    format!(
        "{rings}[load]\nnpc_count = {}\npattern = {:?}\nnpc_seed = {}\n\n[bench]\npublish_truth = {}\n",
        load.npc_count, load.pattern, load.npc_seed, publish_truth
    )
}

enum Running {
    InProcess(Local),
    Processes { region: Child, edge: Child },
}

/// Running servers and how to reach them.
pub struct Servers {
    running: Running,
    /// Encrypted UDP address and key of the edge.
    pub udp: ConnectInfo,
    /// WebTransport URL of the edge.
    pub wt_url: String,
    /// The edge's WebTransport certificate hash.
    pub wt_hash: [u8; 32],
    /// The edge's WebSocket URL (`ws://`, loopback).
    pub ws_url: String,
    issuer: Arc<DevIssuer>,
    dir: TempDir,
}

impl std::fmt::Debug for Servers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Servers")
            .field("udp", &self.udp.udp_addr)
            .field("wt_url", &self.wt_url)
            .finish_non_exhaustive()
    }
}

impl Servers {
    /// Start the servers of `scenario` (topology "in-process" or "processes").
    pub async fn start(scenario: &Scenario) -> anyhow::Result<Servers> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        match scenario.topology {
            Topology::InProcess => start_in_process(scenario, dir).await,
            Topology::Processes => start_processes(scenario, dir).await,
            Topology::RegionOnly => bail!("topology \"region-only\" has no edge to start"),
        }
    }

    /// A development token for `username`.
    pub fn token(&self, username: &str) -> anyhow::Result<String> {
        Ok(self.issuer.issue(username)?)
    }

    /// The region, when it runs in this process.
    pub fn region(&self) -> Option<&RegionHandle> {
        match &self.running {
            Running::InProcess(local) => Some(local.region()),
            Running::Processes { .. } => None,
        }
    }

    /// The processes to measure, by name.
    pub fn processes(&self) -> Vec<(&'static str, Proc)> {
        match &self.running {
            Running::InProcess(_) => vec![("runner (region + edge + clients)", Proc::SelfProcess)],
            Running::Processes { region, edge } => vec![
                ("region", Proc::Pid(region.id())),
                ("edge", Proc::Pid(edge.id())),
                ("runner (clients)", Proc::SelfProcess),
            ],
        }
    }

    /// The edge's process, if it is a separate one.
    pub fn edge_process(&self) -> Option<Proc> {
        match &self.running {
            Running::InProcess(_) => None,
            Running::Processes { edge, .. } => Some(Proc::Pid(edge.id())),
        }
    }

    /// The temporary directory holding configs, data and child logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stop everything.
    pub async fn stop(self) -> anyhow::Result<()> {
        match self.running {
            Running::InProcess(local) => local.shutdown().await,
            Running::Processes {
                mut region,
                mut edge,
            } => {
                for child in [&mut edge, &mut region] {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                Ok(())
            }
        }
    }
}

/// The edge configuration's `[bandwidth]` table giving every client `profile` (a built-in).
fn bandwidth_toml(profile: &str) -> String {
    format!("[bandwidth]\nbrowser = {profile:?}\nnative = {profile:?}\n")
}

async fn start_in_process(scenario: &Scenario, dir: TempDir) -> anyhow::Result<Servers> {
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web)?;
    std::fs::write(
        web.join("index.html"),
        "<!doctype html><title>bench</title>",
    )?;
    let region_toml = dir.path().join("region.toml");
    std::fs::write(&region_toml, region_load_toml(&scenario.load, true))?;
    let edge_toml = dir.path().join("edge.toml");
    // Local::start turns the dev issuer on too; the file must already be valid without it.
    let edge_text = format!(
        "[dev_issuer]\nenabled = true\n{}",
        bandwidth_toml(scenario.impairment.profile())
    );
    std::fs::write(&edge_toml, edge_text)?;
    let mut opts = LocalOptions::new(dir.path().join("data"));
    opts.web_dir = web;
    opts.ephemeral_ports = true;
    opts.region_config = Some(region_toml);
    opts.edge_config = Some(edge_toml);
    // The scenario's region file decides (`[ai] empires`, 0 unless it says otherwise).
    opts.ai_empires = None;
    let local = Local::start(opts).await.context("in-process servers")?;
    let edge = local.edge();
    let issuer = edge
        .dev_issuer()
        .cloned()
        .context("the local server has no dev issuer")?;
    let udp = ConnectInfo::udp_only(loopback(edge.udp_addr()), edge.udp_public_key());
    let wt_url = format!("https://127.0.0.1:{}/", edge.webtransport_addr().port());
    let ws_addr = edge
        .websocket_addr()
        .context("the local server's edge has no WebSocket listener")?;
    let ws_url = format!("ws://127.0.0.1:{}/", ws_addr.port());
    let wt_hash = starlane_client::http::parse_key(&edge.cert_hash())
        .context("the edge's certificate hash is not 64 hex digits")?;
    Ok(Servers {
        running: Running::InProcess(local),
        udp,
        wt_url,
        wt_hash,
        ws_url,
        issuer,
        dir,
    })
}

fn loopback(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
}

fn free_udp_port() -> anyhow::Result<u16> {
    Ok(UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn free_tcp_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The directory holding the runner's sibling binaries (`target/<profile>`).
pub fn binary_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find the runner's own path")?;
    let dir = exe.parent().context("the runner has no directory")?;
    // Test and bench executables live in target/<profile>/deps.
    Ok(if dir.ends_with("deps") {
        dir.parent().unwrap_or(dir).to_owned()
    } else {
        dir.to_owned()
    })
}

fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let path = binary_dir()?.join(name);
    if !path.is_file() {
        bail!(
            "{} is missing: topology \"processes\" runs the sibling binaries; build them with \
             `cargo build --release -p starlane-game -p starlane-edge` (same profile as the runner)",
            path.display()
        );
    }
    Ok(path)
}

fn spawn(bin: &Path, args: &[&str], dir: &Path, log: &str) -> anyhow::Result<Child> {
    let out = std::fs::File::create(dir.join(format!("{log}.log")))?;
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))
}

async fn start_processes(scenario: &Scenario, dir: TempDir) -> anyhow::Result<Servers> {
    let (region_bin, edge_bin) = (binary("starlane-region")?, binary("starlane-edge")?);
    let root = dir.path();
    let region_dir = root.join("region");
    let edge_dir = root.join("edge");
    std::fs::create_dir_all(&edge_dir)?;
    let link_port = free_udp_port()?;
    let region_toml = root.join("region.toml");
    std::fs::write(
        &region_toml,
        format!(
            "data_dir = {:?}\nlink_bind = \"127.0.0.1:{link_port}\"\n\n[http]\nbind = \"127.0.0.1:0\"\n\n{}",
            region_dir.display().to_string(),
            region_load_toml(&scenario.load, false)
        ),
    )?;
    let region_cfg = region_toml.display().to_string();
    let mut region = spawn(&region_bin, &["--config", &region_cfg], root, "region")?;
    let cert = region_dir.join("link-cert.pem");
    if let Err(e) = wait_for(|| cert.is_file(), "the region's link certificate").await {
        let _ = region.kill();
        return Err(e);
    }

    let issuer = Arc::new(DevIssuer::load_or_create(&edge_dir)?);
    let (private, public) = starlane_netcore::udp::generate_keypair();
    starlane_netcore::udp::save_key(&edge_dir.join("udp_static_key.hex"), &private)?;
    let (udp_port, wt_port, http_port) = (free_udp_port()?, free_udp_port()?, free_tcp_port()?);
    let (quic_port, ws_port) = (free_udp_port()?, free_tcp_port()?);
    let edge_toml = root.join("edge.toml");
    std::fs::write(
        &edge_toml,
        format!(
            "data_dir = {:?}\n[udp]\nbind = \"127.0.0.1:{udp_port}\"\n[webtransport]\n\
             bind = \"127.0.0.1:{wt_port}\"\n[quic]\nbind = \"127.0.0.1:{quic_port}\"\n\
             [websocket]\nbind = \"127.0.0.1:{ws_port}\"\n[http]\nbind = \"127.0.0.1:{http_port}\"\n\
             [region_link]\naddr = \"127.0.0.1:{link_port}\"\nregion_cert_file = {:?}\n\
             [dev_issuer]\nenabled = true\n{}",
            edge_dir.display().to_string(),
            cert.display().to_string(),
            bandwidth_toml(scenario.impairment.profile()),
        ),
    )?;
    let edge_cfg = edge_toml.display().to_string();
    let mut edge = spawn(&edge_bin, &["run", "--config", &edge_cfg], root, "edge")?;
    let ready = wait_ready(http_port).await;
    let hash = std::fs::read_to_string(edge_dir.join("webtransport_cert_hash.hex"));
    let wt_hash = hash.ok().and_then(|h| starlane_client::http::parse_key(&h));
    let (Ok(()), Some(wt_hash)) = (ready, wt_hash) else {
        let _ = edge.kill();
        let _ = region.kill();
        bail!(
            "the edge did not become ready within {READY_TIMEOUT:?}; logs in {}",
            root.display()
        );
    };
    Ok(Servers {
        running: Running::Processes { region, edge },
        udp: ConnectInfo::udp_only(SocketAddr::from((Ipv4Addr::LOCALHOST, udp_port)), public),
        wt_url: format!("https://127.0.0.1:{wt_port}/"),
        wt_hash,
        ws_url: format!("ws://127.0.0.1:{ws_port}/"),
        issuer,
        dir,
    })
}

async fn wait_for(mut done: impl FnMut() -> bool, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while !done() {
        if Instant::now() > deadline {
            bail!("{what} did not appear within {READY_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Poll the edge's `/readyz` until it answers 200.
async fn wait_ready(http_port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if readyz(http_port).await.unwrap_or(false) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("edge /readyz did not answer 200")
}

async fn readyz(port: u16) -> std::io::Result<bool> {
    let mut s = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await?;
    s.write_all(b"GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .await?;
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("timeout"))??;
    let head = String::from_utf8_lossy(&buf[..n]);
    Ok(head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"))
}
