//! The cluster's plan (ids, fixed ports, paths) and the TOML files it generates for every
//! region and edge in the data directory.
//!
//! Ports that other processes must know before a process starts are fixed at plan time with
//! [`starlane_testbed::free_port`]: each region's link (a restarted region keeps its address,
//! so its edges find it again) and each edge's HTTP listener (the other edge of the region
//! names its `POST /connect` as `[drain] connect_url`). Everything else binds port 0 on
//! loopback and is read from what the process prints.

use crate::LaunchError;
use starlane_netcore::tls::pki::{DEV_REGION_NAMES, DevClusterFiles};
use std::path::{Path, PathBuf};

/// Every process the launcher will start, with its ports and files.
#[derive(Debug, Clone)]
pub struct ClusterPlan {
    /// Root of everything generated.
    pub data_dir: PathBuf,
    /// The regions, in order.
    pub regions: Vec<RegionPlan>,
    /// Bearer token of every edge's admin listener.
    pub admin_token: String,
    /// Directory of the development JWT issuer's keys.
    pub issuer_dir: PathBuf,
    /// Redis key prefix of this cluster.
    pub prefix: String,
}

/// One region server and its edges.
#[derive(Debug, Clone)]
pub struct RegionPlan {
    /// Region id (`region_id`, the edges' `[cluster] region` and `[directory] region`).
    pub id: String,
    /// Fixed link port on 127.0.0.1.
    pub link_port: u16,
    /// Its configuration file.
    pub config: PathBuf,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Key (hex) the region's edges sign resume tickets with.
    pub resume_key: String,
    /// The region's edges.
    pub edges: Vec<EdgePlan>,
}

/// One edge relay.
#[derive(Debug, Clone)]
pub struct EdgePlan {
    /// Edge id, e.g. `r1-e1`.
    pub id: String,
    /// Fixed HTTP port on 127.0.0.1 (`/metrics`, `/readyz`, `POST /connect`).
    pub http_port: u16,
    /// Its configuration file.
    pub config: PathBuf,
    /// Its data directory.
    pub data_dir: PathBuf,
}

impl EdgePlan {
    /// This edge's connect endpoint.
    pub fn connect_url(&self) -> String {
        format!("http://127.0.0.1:{}/connect", self.http_port)
    }
}

/// What every generated file shares.
#[derive(Debug, Clone)]
pub struct SharedSettings {
    /// The regions' store (a PostgreSQL database URL).
    pub store_url: String,
    /// The edges' Redis.
    pub redis_url: String,
    /// The link PKI.
    pub pki: DevClusterFiles,
    /// The development issuer's public key (PEM), trusted by every edge.
    pub jwt_public_key: PathBuf,
    /// The `iss` claim every edge requires.
    pub issuer: String,
}

fn random_hex(bytes: usize) -> String {
    let v: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(v)
}

fn port() -> Result<u16, LaunchError> {
    Ok(starlane_testbed::free_port()?)
}

impl ClusterPlan {
    /// Plan `regions` with `edges_per_region` edges each under `data_dir`: fresh ports, a
    /// fresh admin token and one fresh resume key per region.
    pub fn new(
        data_dir: &Path,
        regions: &[String],
        edges_per_region: usize,
        prefix: &str,
    ) -> Result<Self, LaunchError> {
        let mut planned = Vec::new();
        for id in regions {
            let dir = data_dir.join(id);
            let mut edges = Vec::new();
            for n in 1..=edges_per_region {
                let edge_id = format!("{id}-e{n}");
                let edge_dir = data_dir.join(&edge_id);
                edges.push(EdgePlan {
                    config: edge_dir.join("edge.toml"),
                    data_dir: edge_dir,
                    id: edge_id,
                    http_port: port()?,
                });
            }
            planned.push(RegionPlan {
                id: id.clone(),
                link_port: port()?,
                config: dir.join("region.toml"),
                data_dir: dir,
                resume_key: random_hex(32),
                edges,
            });
        }
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            regions: planned,
            admin_token: random_hex(16),
            issuer_dir: data_dir.join("dev-issuer"),
            prefix: prefix.to_string(),
        })
    }

    /// Write every region's and edge's configuration file.
    pub fn write_all(&self, shared: &SharedSettings) -> Result<(), LaunchError> {
        for region in &self.regions {
            write(&region.config, &region_toml(region, shared, &self.prefix))?;
            for (i, edge) in region.edges.iter().enumerate() {
                // The next edge of the region (the other one of two) takes moved clients.
                let next = &region.edges[(i + 1) % region.edges.len()];
                let text = edge_toml(self, region, edge, next, shared);
                write(&edge.config, &text)?;
            }
        }
        Ok(())
    }
}

fn write(path: &Path, text: &str) -> Result<(), LaunchError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(LaunchError::io(format!(
            "cannot create the directory {}",
            dir.display()
        )))?;
    }
    std::fs::write(path, text).map_err(LaunchError::io(format!("cannot write {}", path.display())))
}

/// A TOML string literal.
fn q(s: impl AsRef<str>) -> String {
    toml::Value::String(s.as_ref().to_string()).to_string()
}

/// A path as a TOML string literal.
fn qp(p: &Path) -> String {
    q(p.display().to_string())
}

/// The region's configuration: its store, its fixed link port, the link PKI, and the cluster
/// (its registration and the chat bus, under `prefix`).
pub fn region_toml(region: &RegionPlan, shared: &SharedSettings, prefix: &str) -> String {
    format!(
        "# Generated by starlane-cluster-up; see configs/region.toml for every field.\n\
         region_id = {id}\n\
         data_dir = {data}\n\
         link_bind = {link}\n\
         link_cert = {cert}\n\
         link_key = {key}\n\
         \n[link]\n\
         ca_file = {ca}\n\
         \n[http]\n\
         bind = \"127.0.0.1:0\"\n\
         \n[store]\n\
         url = {store}\n\
         snapshot_interval_secs = 5\n\
         \n[cluster]\n\
         redis_url = {redis}\n\
         prefix = {prefix}\n",
        id = q(&region.id),
        data = qp(&region.data_dir.join("data")),
        link = q(format!("127.0.0.1:{}", region.link_port)),
        cert = qp(&shared.pki.region_cert),
        key = qp(&shared.pki.region_key),
        ca = qp(&shared.pki.ca),
        store = q(&shared.store_url),
        redis = q(&shared.redis_url),
        prefix = q(prefix),
    )
}

/// An edge's configuration: loopback listeners, its region's link, the dev issuer's key,
/// the cluster, the region's resume key, drains to `next`'s connect endpoint, an admin
/// listener with the cluster's token.
pub fn edge_toml(
    plan: &ClusterPlan,
    region: &RegionPlan,
    edge: &EdgePlan,
    next: &EdgePlan,
    shared: &SharedSettings,
) -> String {
    format!(
        "# Generated by starlane-cluster-up; see configs/edge.toml for every field.\n\
         edge_id = {id}\n\
         data_dir = {data}\n\
         \n[udp]\nbind = \"127.0.0.1:0\"\n\
         \n[webtransport]\nbind = \"127.0.0.1:0\"\n\
         \n[quic]\nbind = \"127.0.0.1:0\"\n\
         \n[websocket]\nbind = \"127.0.0.1:0\"\n\
         \n[http]\nbind = {http}\n\
         \n[region_link]\n\
         addr = {link}\n\
         server_name = {server_name}\n\
         ca_file = {ca}\n\
         cert_file = {cert}\n\
         key_file = {key}\n\
         reconnect_max_ms = 1000\n\
         # A restarted region has this long to come back before held sessions close.\n\
         session_grace_ms = 30000\n\
         \n[jwt]\n\
         issuer = {issuer}\n\
         public_key_file = {jwt_key}\n\
         \n[drain]\n\
         window_secs = 10\n\
         connect_url = {drain_to}\n\
         \n[resume]\nkey = {resume}\n\
         \n[admin]\nbind = \"127.0.0.1:0\"\ntoken = {admin}\n\
         \n[directory]\nregion = {region}\n\
         \n[cluster]\n\
         redis_url = {redis}\n\
         prefix = {prefix}\n\
         region = {region}\n",
        id = q(&edge.id),
        data = qp(&edge.data_dir.join("data")),
        http = q(format!("127.0.0.1:{}", edge.http_port)),
        link = q(format!("127.0.0.1:{}", region.link_port)),
        server_name = q(DEV_REGION_NAMES[0]),
        ca = qp(&shared.pki.ca),
        cert = qp(&shared.pki.edge_cert),
        key = qp(&shared.pki.edge_key),
        issuer = q(&shared.issuer),
        jwt_key = qp(&shared.jwt_public_key),
        drain_to = q(next.connect_url()),
        resume = q(&region.resume_key),
        admin = q(&plan.admin_token),
        region = q(&region.id),
        redis = q(&shared.redis_url),
        prefix = q(&plan.prefix),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> SharedSettings {
        SharedSettings {
            store_url: "postgres://postgres@127.0.0.1:5/starlane".into(),
            redis_url: "redis://127.0.0.1:6".into(),
            pki: DevClusterFiles {
                ca: "/d/ca.pem".into(),
                region_cert: "/d/region-cert.pem".into(),
                region_key: "/d/region-key.pem".into(),
                edge_cert: "/d/edge-cert.pem".into(),
                edge_key: "/d/edge-key.pem".into(),
            },
            jwt_public_key: "/d/dev-issuer/dev_issuer_public.pem".into(),
            issuer: "login-server".into(),
        }
    }

    #[test]
    fn edges_drain_to_the_other_edge_of_their_region_and_share_its_resume_key() {
        let regions = ["r1".to_string(), "r2".to_string()];
        let plan = ClusterPlan::new(Path::new("/tmp/x"), &regions, 2, "p:").expect("plan");
        let s = shared();
        for region in &plan.regions {
            let [a, b] = [&region.edges[0], &region.edges[1]];
            let ta: toml::Table = edge_toml(&plan, region, a, b, &s).parse().expect("toml");
            let tb: toml::Table = edge_toml(&plan, region, b, a, &s).parse().expect("toml");
            assert_eq!(ta["drain"]["connect_url"].as_str(), Some(&*b.connect_url()));
            assert_eq!(tb["drain"]["connect_url"].as_str(), Some(&*a.connect_url()));
            assert_eq!(ta["resume"]["key"], tb["resume"]["key"]);
            assert_eq!(ta["cluster"]["region"].as_str(), Some(&*region.id));
            assert_eq!(ta["directory"]["region"].as_str(), Some(&*region.id));
            let link = format!("127.0.0.1:{}", region.link_port);
            assert_eq!(ta["region_link"]["addr"].as_str(), Some(&*link));
            let r: toml::Table = region_toml(region, &s, &plan.prefix).parse().expect("toml");
            assert_eq!(r["link_bind"].as_str(), Some(&*link));
            assert_eq!(r["cluster"]["redis_url"].as_str(), Some(&*s.redis_url));
            assert_eq!(r["cluster"]["prefix"].as_str(), Some("p:"));
            assert_eq!(r["store"]["url"].as_str(), Some(&*s.store_url));
        }
        assert_ne!(
            plan.regions[0].resume_key, plan.regions[1].resume_key,
            "each region has its own resume key"
        );
    }
}
