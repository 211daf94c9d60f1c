//! The running cluster: PostgreSQL, Redis, the regions and their edges as processes, the
//! development server; and what an operator (or a test) does to it: drain an edge, kill an
//! edge, restart a region, stop everything.
//!
//! Process work blocks (starting waits for printed addresses and `/readyz`): call these from
//! a blocking context (`tokio::task::spawn_blocking`), except [`Cluster::start`], which does
//! so itself.

use crate::config::{ClusterPlan, EdgePlan, RegionPlan, SharedSettings};
use crate::devserver::{DevServer, Directory, EdgeInfo};
use crate::process::{Binaries, Supervised, reap_when_gone};
use crate::{ClusterOptions, LaunchError, http};
use starlane_edge::DevIssuer;
use starlane_testbed::{Postgres, Redis, Signal};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a process has to print its addresses.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an edge has to report ready (its link to the region up).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an edge has to stop after SIGINT.
const EDGE_STOP_GRACE: Duration = Duration::from_secs(10);
/// How long a region has to write its final snapshot and exit on SIGTERM.
const REGION_STOP_GRACE: Duration = Duration::from_secs(30);

/// A region server process and its edges.
#[derive(Debug)]
pub struct RegionRun {
    /// Its edges (stopped before the region when dropped).
    pub edges: Vec<EdgeRun>,
    /// Its plan (id, link port, files).
    pub plan: RegionPlan,
    process: Option<Supervised>,
    /// Its link address (fixed across restarts).
    pub link_addr: SocketAddr,
    /// Its HTTP listener (`/metrics`, `/healthz`, `/readyz`); new at each start.
    pub http_addr: SocketAddr,
}

/// An edge relay process.
#[derive(Debug)]
pub struct EdgeRun {
    /// Its plan (id, HTTP port, files).
    pub plan: EdgePlan,
    process: Option<Supervised>,
    /// What it printed: addresses and keys.
    pub info: EdgeInfo,
}

impl EdgeRun {
    /// Its process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Supervised::pid)
    }
}

/// A running cluster; dropping it stops every process it started.
#[derive(Debug)]
pub struct Cluster {
    /// The regions, in the order of [`ClusterOptions::regions`].
    pub regions: Vec<RegionRun>,
    dev: DevServer,
    directory: Arc<Directory>,
    plan: ClusterPlan,
    binaries: Binaries,
    log_filter: String,
    redis: Redis,
    // Dropped last: the regions use it until they stop.
    postgres: Postgres,
}

struct Started {
    regions: Vec<RegionRun>,
    plan: ClusterPlan,
    binaries: Binaries,
    redis: Redis,
    postgres: Postgres,
    issuer: Arc<DevIssuer>,
}

impl Cluster {
    /// Start PostgreSQL, Redis, every region and every edge, and the development server.
    pub async fn start(opts: ClusterOptions) -> Result<Self, LaunchError> {
        let dev_http = opts.dev_http;
        let log_filter = opts.log_filter.clone();
        let started = tokio::task::spawn_blocking(move || start_processes(&opts))
            .await
            .map_err(|e| LaunchError::Operation {
                what: "starting the cluster".into(),
                detail: e.to_string(),
            })??;
        let directory = Arc::new(Directory::default());
        for region in &started.regions {
            for edge in &region.edges {
                directory.put(&region.plan.id, edge.info.clone());
            }
        }
        let dev = DevServer::start(dev_http, started.issuer.clone(), directory.clone())
            .await
            .map_err(LaunchError::io(format!(
                "cannot serve the development server on {dev_http}: is the port in use? \
                 pass --dev-http"
            )))?;
        Ok(Self {
            regions: started.regions,
            dev,
            directory,
            plan: started.plan,
            binaries: started.binaries,
            log_filter,
            redis: started.redis,
            postgres: started.postgres,
        })
    }

    /// The development server (tokens and connect info).
    pub fn dev(&self) -> &DevServer {
        &self.dev
    }

    /// The plan: ids, ports, files, admin token.
    pub fn plan(&self) -> &ClusterPlan {
        &self.plan
    }

    /// Redis's URL.
    pub fn redis_url(&self) -> String {
        self.redis.url()
    }

    /// PostgreSQL's admin URL.
    pub fn postgres_url(&self) -> String {
        self.postgres.admin_url()
    }

    /// The region `id`.
    pub fn region(&self, id: &str) -> Result<&RegionRun, LaunchError> {
        self.regions
            .iter()
            .find(|r| r.plan.id == id)
            .ok_or_else(|| LaunchError::Unknown(format!("region {id:?}")))
    }

    fn region_mut(&mut self, id: &str) -> Result<&mut RegionRun, LaunchError> {
        self.regions
            .iter_mut()
            .find(|r| r.plan.id == id)
            .ok_or_else(|| LaunchError::Unknown(format!("region {id:?}")))
    }

    fn edge_mut(&mut self, id: &str) -> Result<&mut EdgeRun, LaunchError> {
        self.regions
            .iter_mut()
            .flat_map(|r| r.edges.iter_mut())
            .find(|e| e.plan.id == id)
            .ok_or_else(|| LaunchError::Unknown(format!("edge {id:?}")))
    }

    /// Put edge `id` in draining through its admin listener: its players are told to move to
    /// the other edge of the region. Blocking.
    pub fn drain_edge(&mut self, id: &str) -> Result<(), LaunchError> {
        let token = self.plan.admin_token.clone();
        let edge = self.edge_mut(id)?;
        let answer = http::post(edge.info.admin_addr, "/admin/drain", Some(&token));
        match answer {
            Ok(a) if a.status == 200 || a.status == 202 => {}
            other => {
                return Err(LaunchError::Operation {
                    what: format!("draining edge {id}"),
                    detail: format!("POST /admin/drain answered {other:?}"),
                });
            }
        }
        self.directory.set_unavailable(id);
        Ok(())
    }

    /// `kill -9` edge `id`. Blocking.
    pub fn kill_edge(&mut self, id: &str) -> Result<(), LaunchError> {
        let edge = self.edge_mut(id)?;
        if let Some(mut p) = edge.process.take() {
            p.kill();
        }
        self.directory.set_unavailable(id);
        Ok(())
    }

    /// Stop region `id` with SIGTERM (it writes a final snapshot) and start it again on the
    /// same link port; its edges hold their sessions meanwhile and announce them again.
    /// Blocking.
    pub fn restart_region(&mut self, id: &str) -> Result<(), LaunchError> {
        let binaries = self.binaries.clone();
        let filter = self.log_filter.clone();
        let logs = self.plan.data_dir.join("logs");
        let region = self.region_mut(id)?;
        if let Some(mut p) = region.process.take()
            && !p.stop(Signal::Term, REGION_STOP_GRACE)
        {
            tracing::warn!(region = id, "did not stop within the grace period; killed");
        }
        let (process, link, http) = start_region(&binaries, &region.plan, &logs, &filter)?;
        region.process = Some(process);
        region.link_addr = link;
        region.http_addr = http;
        Ok(())
    }

    /// Region `id`'s `/metrics` text. Blocking.
    pub fn region_metrics(&self, id: &str) -> Result<String, LaunchError> {
        let region = self.region(id)?;
        match http::get(region.http_addr, "/metrics") {
            Ok(a) if a.status == 200 => Ok(a.body),
            other => Err(LaunchError::Operation {
                what: format!("scraping region {id}"),
                detail: format!("{other:?}"),
            }),
        }
    }

    /// Stop every edge (at once: SIGINT), then every region (SIGTERM: final snapshots), then
    /// Redis and PostgreSQL. Blocking.
    pub fn shutdown(mut self) {
        // SIGINT stops an edge at once (SIGTERM would drain it first).
        for edge in self.regions.iter_mut().flat_map(|r| r.edges.iter_mut()) {
            if let Some(p) = edge.process.as_mut() {
                p.interrupt();
            }
        }
        for edge in self.regions.iter_mut().flat_map(|r| r.edges.iter_mut()) {
            if let Some(mut p) = edge.process.take() {
                p.stop(Signal::Term, EDGE_STOP_GRACE);
            }
        }
        for region in &mut self.regions {
            if let Some(mut p) = region.process.take() {
                p.stop(Signal::Term, REGION_STOP_GRACE);
            }
        }
        drop(self);
    }
}

fn start_processes(opts: &ClusterOptions) -> Result<Started, LaunchError> {
    if opts.edges_per_region < 2 {
        return Err(LaunchError::Options(format!(
            "edges per region must be at least 2 (one takes the other's players), not {}",
            opts.edges_per_region
        )));
    }
    let binaries = Binaries::find(opts.bin_dir.as_deref())?;
    let data = &opts.data_dir;
    let logs = data.join("logs");
    std::fs::create_dir_all(&logs)
        .map_err(LaunchError::io(format!("cannot create {}", logs.display())))?;
    let pki_dir = data.join("link-pki");
    let pki = starlane_netcore::tls::pki::ensure_dev_cluster(&pki_dir).map_err(|e| {
        LaunchError::Operation {
            what: format!("making the link PKI in {}", pki_dir.display()),
            detail: e.to_string(),
        }
    })?;
    let plan = ClusterPlan::new(data, &opts.regions, opts.edges_per_region, &opts.prefix)?;
    let issuer = Arc::new(
        DevIssuer::load_or_create_with_issuer(
            &plan.issuer_dir,
            starlane_edge::dev_issuer::DEFAULT_ISSUER,
        )
        .map_err(|e| LaunchError::Operation {
            what: "the development JWT issuer".into(),
            detail: e.to_string(),
        })?,
    );
    let jwt_public_key = data.join("jwt-public.pem");
    std::fs::write(&jwt_public_key, issuer.public_key_pem())
        .map_err(LaunchError::io("cannot write the issuer's public key"))?;

    let postgres = Postgres::start()?;
    reap_when_gone(
        std::process::id(),
        postgres.pid(),
        Signal::Quit,
        Some(postgres.dir()),
    )?;
    let store_url = postgres.create_database("starlane")?;
    let redis = Redis::start()?;
    reap_when_gone(
        std::process::id(),
        redis.pid(),
        Signal::Term,
        Some(redis.dir()),
    )?;

    let shared = SharedSettings {
        store_url,
        redis_url: redis.url(),
        pki,
        jwt_public_key,
        issuer: issuer.issuer().to_string(),
    };
    plan.write_all(&shared)?;
    let mut regions = Vec::new();
    for rp in &plan.regions {
        let (process, link_addr, http_addr) = start_region(&binaries, rp, &logs, &opts.log_filter)?;
        let mut edges = Vec::new();
        for ep in &rp.edges {
            edges.push(start_edge(&binaries, ep, &logs, &opts.log_filter)?);
        }
        regions.push(RegionRun {
            edges,
            plan: rp.clone(),
            process: Some(process),
            link_addr,
            http_addr,
        });
    }
    for region in &regions {
        for edge in &region.edges {
            wait_ready(&edge.plan.id, edge.info.http_addr)?;
        }
    }
    Ok(Started {
        regions,
        plan,
        binaries,
        redis,
        postgres,
        issuer,
    })
}

fn start_region(
    binaries: &Binaries,
    plan: &RegionPlan,
    logs: &Path,
    filter: &str,
) -> Result<(Supervised, SocketAddr, SocketAddr), LaunchError> {
    let config = plan.config.display().to_string();
    let p = Supervised::start(
        &format!("region {}", plan.id),
        &binaries.region,
        &["--config", &config],
        &logs.join(format!("{}.log", plan.id)),
        filter,
        &["link listening on ", "http://"],
        START_TIMEOUT,
    )?;
    let link = p.addr_after("link listening on ")?;
    let http = p.addr_after("http://")?;
    Ok((p, link, http))
}

fn start_edge(
    binaries: &Binaries,
    plan: &EdgePlan,
    logs: &Path,
    filter: &str,
) -> Result<EdgeRun, LaunchError> {
    let config = plan.config.display().to_string();
    let p = Supervised::start(
        &format!("edge {}", plan.id),
        &binaries.edge,
        &["run", "--config", &config],
        &logs.join(format!("{}.log", plan.id)),
        filter,
        &["udp ", "webtransport ", "quic ", "http ", "admin "],
        START_TIMEOUT,
    )?;
    let info = edge_info(plan, &p)?;
    Ok(EdgeRun {
        plan: plan.clone(),
        process: Some(p),
        info,
    })
}

/// The edge's addresses and keys from its banner (`starlane-edge run` prints one line per
/// listener: label, address, then details).
fn edge_info(plan: &EdgePlan, p: &Supervised) -> Result<EdgeInfo, LaunchError> {
    let line = |label: &str| {
        p.banner.iter().find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(label)).then(|| l.split_whitespace().map(str::to_string))
        })
    };
    let missing = |what: &str| LaunchError::Start {
        what: format!("edge {}", plan.id),
        detail: format!("no {what} in what it printed: {:?}", p.banner),
    };
    let addr = |label: &str| -> Result<SocketAddr, LaunchError> {
        let word = line(label)
            .and_then(|mut w| w.nth(1))
            .ok_or_else(|| missing(label))?;
        let word = word.strip_prefix("http://").unwrap_or(&word);
        let word = word.split('/').next().unwrap_or_default();
        word.parse().map_err(|_| missing(label))
    };
    let last = |label: &str| -> Result<String, LaunchError> {
        line(label)
            .and_then(Iterator::last)
            .map(|w| w.trim_end_matches(')').to_string())
            .ok_or_else(|| missing(label))
    };
    Ok(EdgeInfo {
        id: plan.id.clone(),
        udp_addr: addr("udp")?,
        udp_public_key: last("udp")?,
        webtransport_addr: addr("webtransport")?,
        cert_hash: last("webtransport")?,
        quic_addr: addr("quic")?,
        http_addr: addr("http")?,
        admin_addr: addr("admin")?,
        connect_url: plan.connect_url(),
    })
}

fn wait_ready(id: &str, http_addr: SocketAddr) -> Result<(), LaunchError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut last = String::from("not asked");
    while Instant::now() < deadline {
        match http::get(http_addr, "/readyz") {
            Ok(a) if a.status == 200 => return Ok(()),
            Ok(a) => last = format!("{} {}", a.status, a.body.trim()),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(LaunchError::Start {
        what: format!("edge {id}"),
        detail: format!(
            "/readyz did not answer 200 within {} s: {last}",
            READY_TIMEOUT.as_secs()
        ),
    })
}
