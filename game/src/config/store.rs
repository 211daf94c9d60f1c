//! `[store]`: where the region keeps its state (SQLite embedded, PostgreSQL in production),
//! how often it snapshots its world, and how a new player's home region is chosen.

use super::{ConfigError, check_range};
use serde::Deserialize;
use std::path::Path;

/// `[store]`: the region's database.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`; empty means
    /// `sqlite://<data_dir>/region.db`. Env: `STARLANE_REGION_STORE_URL`.
    pub url: String,
    /// Connections in the pool (1..=256).
    pub pool_size: u32,
    /// Seconds a call waits for a free connection (or a new one) before failing (1..=300).
    pub acquire_timeout_secs: u32,
    /// Seconds between world snapshots (1..=3600): at most this much simulation is lost when
    /// the region is killed. Env: `STARLANE_REGION_STORE_SNAPSHOT_INTERVAL_SECS`.
    pub snapshot_interval_secs: u32,
    /// Seconds after a start from a snapshot during which every session opened (joined, or
    /// announced again by its edge) is sent a `WorldRestored` notice, once per client
    /// (0..=3600; 0: none). Env: `STARLANE_REGION_STORE_RESTORE_NOTICE_SECS`.
    pub restore_notice_secs: u32,
    /// How a new player's home region is chosen: `first_join` (the region where the player
    /// first joins), `fixed:<region>`, or `hash` (over `regions`, by user id).
    /// Env: `STARLANE_REGION_STORE_HOME_REGION_POLICY`.
    pub home_region_policy: String,
    /// The regions `hash` chooses from.
    pub regions: Vec<String>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            pool_size: 4,
            acquire_timeout_secs: 5,
            snapshot_interval_secs: 5,
            restore_notice_secs: 60,
            home_region_policy: "first_join".into(),
            regions: Vec::new(),
        }
    }
}

/// How a new player's home region is chosen (`[store] home_region_policy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomePolicy {
    /// The region where the player first joins.
    FirstJoin,
    /// Always this region.
    Fixed(String),
    /// One of these regions, by a stable hash of the user id.
    Hash(Vec<String>),
}

impl HomePolicy {
    /// The home region of a new player `user_id` first seen in region `joined`.
    pub fn assign(&self, user_id: i64, joined: &str) -> String {
        match self {
            Self::FirstJoin => joined.to_owned(),
            Self::Fixed(region) => region.clone(),
            Self::Hash(regions) => {
                // FNV-1a over the id's bytes: stable across builds and processes.
                let h = user_id
                    .to_le_bytes()
                    .iter()
                    .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                    });
                let i = usize::try_from(h % regions.len().max(1) as u64).unwrap_or(0);
                regions.get(i).cloned().unwrap_or_else(|| joined.to_owned())
            }
        }
    }
}

/// The database backend named by a store URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:` (embedded).
    Sqlite,
    /// `postgres:` or `postgresql:`.
    Postgres,
}

impl Backend {
    /// The backend of `url`, `None` for any other scheme.
    pub fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

impl StoreConfig {
    /// The URL in effect (`url`, or the SQLite file in `data_dir`).
    pub fn effective_url(&self, data_dir: &Path) -> String {
        if self.url.is_empty() {
            format!("sqlite://{}", data_dir.join("region.db").display())
        } else {
            self.url.clone()
        }
    }

    /// The parsed `home_region_policy`.
    pub fn home_policy(&self) -> Result<HomePolicy, ConfigError> {
        let bad = |problem: String| ConfigError::Invalid {
            field: "store.home_region_policy",
            problem,
            fix: "use \"first_join\", \"fixed:<region>\" or \"hash\" (with store.regions)",
        };
        let p = self.home_region_policy.trim();
        match p {
            "first_join" => Ok(HomePolicy::FirstJoin),
            "hash" if self.regions.is_empty() => Err(ConfigError::Invalid {
                field: "store.regions",
                problem: "is empty while store.home_region_policy is \"hash\"".into(),
                fix: "list the regions to spread players over, e.g. regions = [\"eu\", \"us\"]",
            }),
            "hash" => {
                if let Some(r) = self.regions.iter().find(|r| !valid_region(r)) {
                    return Err(ConfigError::Invalid {
                        field: "store.regions",
                        problem: format!("holds {r:?}, not 1 to 64 bytes"),
                        fix: "list region ids as set in each region's region_id",
                    });
                }
                Ok(HomePolicy::Hash(self.regions.clone()))
            }
            _ => match p.strip_prefix("fixed:") {
                Some(r) if valid_region(r) => Ok(HomePolicy::Fixed(r.to_owned())),
                Some(r) => Err(bad(format!("names region {r:?}, not 1 to 64 bytes"))),
                None => Err(bad(format!("is {p:?}"))),
            },
        }
    }

    /// Check the fields.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range(
            "store.pool_size",
            self.pool_size.into(),
            1,
            256,
            "use e.g. 4",
        )?;
        check_range(
            "store.acquire_timeout_secs",
            self.acquire_timeout_secs.into(),
            1,
            300,
            "use e.g. 5",
        )?;
        check_range(
            "store.snapshot_interval_secs",
            self.snapshot_interval_secs.into(),
            1,
            3600,
            "use e.g. 5",
        )?;
        check_range(
            "store.restore_notice_secs",
            self.restore_notice_secs.into(),
            0,
            3600,
            "use e.g. 60, or 0 to send no notice",
        )?;
        if !self.url.is_empty() && Backend::of(&self.url).is_none() {
            return Err(ConfigError::Invalid {
                field: "store.url",
                problem: format!("{:?} is neither a sqlite: nor a postgres:// URL", self.url),
                fix: "use sqlite://path/to/region.db, postgres://user@host:5432/db, or leave it empty for SQLite under data_dir",
            });
        }
        self.home_policy().map(|_| ())
    }
}

fn valid_region(r: &str) -> bool {
    starlane_protocol::link::control::valid_name(r)
}
