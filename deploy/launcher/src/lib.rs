//! A Starlane cluster on one machine: one Redis, one PostgreSQL, two regions and two edges
//! per region, each a separate process, configured by generated TOML files in a data
//! directory (`starlane-cluster-up`, or [`Cluster::start`] from a test).
//!
//! * [`config`]: the plan (ids, fixed ports, paths) and the generated configuration files.
//! * [`process`]: finding the binaries, starting and stopping processes by PID, reapers.
//! * [`devserver`]: development tokens and per-region connect info over HTTP.
//! * [`summary`]: what the launcher prints once everything is up.
//! * [`cluster`]: the cluster itself, and the operations a test performs on it (drain an
//!   edge, kill an edge, restart a region).

pub mod cluster;
pub mod config;
pub mod devserver;
pub mod http;
pub mod process;
pub mod summary;

pub use cluster::{Cluster, EdgeRun, RegionRun};
pub use devserver::EdgeInfo;
pub use process::{BIN_DIR_ENV, Binaries};

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Root of the generated files (configuration, keys, certificates, logs).
    pub data_dir: PathBuf,
    /// Directory of `starlane-region` and `starlane-edge`; `None`: next to this executable.
    pub bin_dir: Option<PathBuf>,
    /// Region ids.
    pub regions: Vec<String>,
    /// Edges per region (at least 2, so that one can take the other's players).
    pub edges_per_region: usize,
    /// Address of the development server (tokens, connect info).
    pub dev_http: SocketAddr,
    /// `RUST_LOG` of the regions and edges.
    pub log_filter: String,
    /// Prefix of every Redis key the edges write.
    pub prefix: String,
}

impl ClusterOptions {
    /// Two regions (`r1`, `r2`) of two edges, data in `data_dir`, the development server on
    /// 127.0.0.1:8090.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bin_dir: None,
            regions: vec!["r1".into(), "r2".into()],
            edges_per_region: 2,
            dev_http: SocketAddr::from((Ipv4Addr::LOCALHOST, 8090)),
            log_filter: "info".into(),
            prefix: "starlane:".into(),
        }
    }
}

/// Errors starting or operating the cluster.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A binary the cluster runs is not built.
    #[error(
        "{name} not found in {dir}: build it with `cargo build -p starlane-game -p starlane-edge` \
         (add --release for target/release), or point --bin-dir / STARLANE_BIN_DIR at it"
    )]
    MissingBinary { name: &'static str, dir: PathBuf },
    /// PostgreSQL or Redis could not be started.
    #[error("{0}")]
    Testbed(#[from] starlane_testbed::TestbedError),
    /// A process did not start or become ready.
    #[error("{what} did not start: {detail}")]
    Start { what: String, detail: String },
    /// An option is wrong.
    #[error("{0}")]
    Options(String),
    /// No such region or edge.
    #[error("no {0} in this cluster")]
    Unknown(String),
    /// An operation on a running process failed.
    #[error("{what}: {detail}")]
    Operation { what: String, detail: String },
    /// Local IO failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl LaunchError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}
