//! Region server configuration: a TOML file (`configs/region.toml`) overridable by
//! `STARLANE_REGION_<FIELD>` environment variables, validated on load.
//!
//! Every field has a serde default, so an empty file (or no file) gives a working local setup.

use serde::Deserialize;
use starlane_protocol::EntityKind;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Prefix of the environment variables that override config fields.
pub const ENV_PREFIX: &str = "STARLANE_REGION_";

/// One value per entity kind (vision ranges, move speeds, health).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerKind {
    /// Value for scouts.
    pub scout: u32,
    /// Value for frigates.
    pub frigate: u32,
    /// Value for stations.
    pub station: u32,
}

impl PerKind {
    /// The value for `kind`.
    pub fn get(&self, kind: EntityKind) -> u32 {
        match kind {
            EntityKind::Scout => self.scout,
            EntityKind::Frigate => self.frigate,
            EntityKind::Station => self.station,
        }
    }
}

/// Configuration of a region server. See `configs/region.toml` for the documented defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionConfig {
    /// Simulation ticks per second (1..=120). Env: `STARLANE_REGION_TICK_HZ`.
    pub tick_hz: u32,
    /// Most ticks run back to back to catch up after a stall before the loop drops time.
    pub max_catchup_ticks: u32,
    /// Radius of each of the 7 hex chunks (1..=64); a chunk has `3r(r+1)+1` hexes.
    /// Env: `STARLANE_REGION_CHUNK_RADIUS`.
    pub chunk_radius: u32,
    /// Seed of the asteroid field generator. Env: `STARLANE_REGION_MAP_SEED`.
    pub map_seed: u64,
    /// Percentage (0..=60) of hexes that are impassable asteroids.
    pub asteroid_percent: u32,
    /// Number of neutral pirate units spawned in the central chunk (0..=1000).
    pub pirates: u32,
    /// Directory for the database, the link certificate and key. Env: `STARLANE_REGION_DATA_DIR`.
    pub data_dir: PathBuf,
    /// sqlx database URL; empty means `sqlite://<data_dir>/region.db`.
    /// Env: `STARLANE_REGION_DATABASE_URL`.
    pub database_url: String,
    /// Seconds between saves of changed unit positions (1..=3600).
    pub save_interval_secs: u32,
    /// QUIC address edges connect to. Env: `STARLANE_REGION_LINK_BIND`.
    pub link_bind: SocketAddr,
    /// PEM certificate of the link server; empty means `<data_dir>/link-cert.pem`.
    /// Generated (self-signed) with its key when both files are missing. Env: `STARLANE_REGION_LINK_CERT`.
    pub link_cert: PathBuf,
    /// PEM private key of the link server; empty means `<data_dir>/link-key.pem`.
    /// Env: `STARLANE_REGION_LINK_KEY`.
    pub link_key: PathBuf,
    /// Outgoing frames buffered per edge link before the link is closed as too slow.
    pub link_queue: usize,
    /// Units given to a new empire (1..=64). Env: `STARLANE_REGION_UNITS_PER_EMPIRE`.
    pub units_per_empire: u32,
    /// Sustained commands per second allowed per user.
    pub command_rate: u32,
    /// Commands a user may send in a burst above the sustained rate.
    pub command_burst: u32,
    /// Vision range in hexes per kind. Env: `STARLANE_REGION_VISION_SCOUT`, `_FRIGATE`, `_STATION`.
    pub vision: PerKind,
    /// Ticks a unit needs to move one hex, per kind (0 = cannot move).
    pub move_ticks: PerKind,
    /// Starting health per kind (1..=65535).
    pub health: PerKind,
}

impl Default for RegionConfig {
    fn default() -> Self {
        Self {
            tick_hz: 20,
            max_catchup_ticks: 3,
            chunk_radius: 9,
            map_seed: 0x5eed_57a7,
            asteroid_percent: 8,
            pirates: 4,
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            save_interval_secs: 5,
            link_bind: SocketAddr::from(([0u16; 8], 4500)),
            link_cert: PathBuf::new(),
            link_key: PathBuf::new(),
            link_queue: 4096,
            units_per_empire: 3,
            command_rate: 20,
            command_burst: 40,
            vision: PerKind {
                scout: 6,
                frigate: 4,
                station: 5,
            },
            move_ticks: PerKind {
                scout: 2,
                frigate: 4,
                station: 0,
            },
            health: PerKind {
                scout: 50,
                frigate: 120,
                station: 500,
            },
        }
    }
}

/// Errors loading or validating a [`RegionConfig`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    /// An environment override has a value that does not parse.
    #[error("environment variable {var}={value:?} is invalid: {problem}")]
    Env {
        var: String,
        value: String,
        problem: String,
    },
    /// A field is out of range.
    #[error("config field `{field}` {problem}; fix: {fix}")]
    Invalid {
        field: &'static str,
        problem: String,
        fix: &'static str,
    },
}

impl RegionConfig {
    /// Load `path` (if given), apply the process environment, validate.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut cfg = match path {
            Some(p) => Self::from_file(p)?,
            None => Self::default(),
        };
        cfg.apply_env(std::env::vars())?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parse a TOML file without env overrides or validation.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text).map_err(|e| match e {
            ConfigError::Parse { source, .. } => ConfigError::Parse {
                path: path.to_owned(),
                source,
            },
            other => other,
        })
    }

    /// Parse TOML text without env overrides or validation.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<text>"),
            source: Box::new(e),
        })
    }

    /// Apply `STARLANE_REGION_*` overrides from `vars` (e.g. `std::env::vars()`).
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (var, value) in vars {
            let Some(field) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let bad = |problem: String| ConfigError::Env {
                var: var.clone(),
                value: value.clone(),
                problem,
            };
            let num = |v: &str| v.trim().parse::<u32>().map_err(|e| bad(e.to_string()));
            match field {
                "TICK_HZ" => self.tick_hz = num(&value)?,
                "CHUNK_RADIUS" => self.chunk_radius = num(&value)?,
                "MAP_SEED" => {
                    self.map_seed = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "DATA_DIR" => self.data_dir = PathBuf::from(&value),
                "DATABASE_URL" => self.database_url = value.clone(),
                "LINK_BIND" => {
                    self.link_bind = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "LINK_CERT" => self.link_cert = PathBuf::from(&value),
                "LINK_KEY" => self.link_key = PathBuf::from(&value),
                "UNITS_PER_EMPIRE" => self.units_per_empire = num(&value)?,
                "VISION_SCOUT" => self.vision.scout = num(&value)?,
                "VISION_FRIGATE" => self.vision.frigate = num(&value)?,
                "VISION_STATION" => self.vision.station = num(&value)?,
                _ => return Err(bad("unknown setting (see configs/region.toml)".into())),
            }
        }
        Ok(())
    }

    /// Check every field's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let range = |field: &'static str, v: u64, lo: u64, hi: u64, fix: &'static str| {
            if v < lo || v > hi {
                Err(ConfigError::Invalid {
                    field,
                    problem: format!("is {v}, must be in {lo}..={hi}"),
                    fix,
                })
            } else {
                Ok(())
            }
        };
        range(
            "tick_hz",
            self.tick_hz.into(),
            1,
            120,
            "set tick_hz to e.g. 20",
        )?;
        range(
            "max_catchup_ticks",
            self.max_catchup_ticks.into(),
            1,
            20,
            "use e.g. 3",
        )?;
        range(
            "chunk_radius",
            self.chunk_radius.into(),
            2,
            64,
            "set chunk_radius to e.g. 9",
        )?;
        range(
            "asteroid_percent",
            self.asteroid_percent.into(),
            0,
            60,
            "use e.g. 8",
        )?;
        range("pirates", self.pirates.into(), 0, 1000, "use e.g. 4")?;
        range(
            "save_interval_secs",
            self.save_interval_secs.into(),
            1,
            3600,
            "use e.g. 5",
        )?;
        range(
            "units_per_empire",
            self.units_per_empire.into(),
            1,
            64,
            "use e.g. 3",
        )?;
        range(
            "command_rate",
            self.command_rate.into(),
            1,
            10_000,
            "use e.g. 20",
        )?;
        range(
            "command_burst",
            self.command_burst.into(),
            1,
            100_000,
            "use e.g. 40",
        )?;
        range(
            "link_queue",
            self.link_queue as u64,
            16,
            1 << 20,
            "use e.g. 4096",
        )?;
        let max_vision = u64::from(self.chunk_radius) * 2;
        range(
            "vision.scout",
            self.vision.scout.into(),
            1,
            max_vision,
            "use 1..=2*chunk_radius",
        )?;
        range(
            "vision.frigate",
            self.vision.frigate.into(),
            1,
            max_vision,
            "use 1..=2*chunk_radius",
        )?;
        range(
            "vision.station",
            self.vision.station.into(),
            1,
            max_vision,
            "use 1..=2*chunk_radius",
        )?;
        range(
            "move_ticks.scout",
            self.move_ticks.scout.into(),
            0,
            1000,
            "use e.g. 2 (0 = immobile)",
        )?;
        range(
            "move_ticks.frigate",
            self.move_ticks.frigate.into(),
            0,
            1000,
            "use e.g. 4",
        )?;
        range(
            "move_ticks.station",
            self.move_ticks.station.into(),
            0,
            1000,
            "use 0",
        )?;
        range(
            "health.scout",
            self.health.scout.into(),
            1,
            65535,
            "use e.g. 50",
        )?;
        range(
            "health.frigate",
            self.health.frigate.into(),
            1,
            65535,
            "use e.g. 120",
        )?;
        range(
            "health.station",
            self.health.station.into(),
            1,
            65535,
            "use e.g. 500",
        )?;
        if self.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                field: "data_dir",
                problem: "is empty".into(),
                fix: "set data_dir to a writable directory, e.g. \"data\"",
            });
        }
        if !self.database_url.is_empty() && !self.database_url.starts_with("sqlite:") {
            return Err(ConfigError::Invalid {
                field: "database_url",
                problem: format!("{:?} is not a sqlite: URL", self.database_url),
                fix: "use sqlite://path/to/region.db or leave it empty",
            });
        }
        if self.link_cert.as_os_str().is_empty() != self.link_key.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                field: "link_cert",
                problem: "is set without link_key (or the other way round)".into(),
                fix: "set both link_cert and link_key, or neither",
            });
        }
        Ok(())
    }

    /// The database URL in effect (`database_url` or the SQLite file in `data_dir`).
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("region.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The certificate and key paths in effect.
    pub fn effective_cert_paths(&self) -> (PathBuf, PathBuf) {
        if self.link_cert.as_os_str().is_empty() {
            (
                self.data_dir.join("link-cert.pem"),
                self.data_dir.join("link-key.pem"),
            )
        } else {
            (self.link_cert.clone(), self.link_key.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let cfg = RegionConfig::from_toml("").expect("empty toml parses");
        assert_eq!(cfg, RegionConfig::default());
        cfg.validate().expect("defaults are valid");
        assert_eq!(cfg.tick_hz, 20);
        assert_eq!(cfg.chunk_radius, 9);
        assert_eq!(cfg.effective_database_url(), "sqlite://data/region.db");
    }

    #[test]
    fn shipped_config_matches_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/region.toml");
        let cfg = RegionConfig::from_file(&path).expect("configs/region.toml parses");
        assert_eq!(cfg, RegionConfig::default());
    }

    #[test]
    fn env_overrides_fields() {
        let mut cfg = RegionConfig::default();
        let vars = [
            ("STARLANE_REGION_TICK_HZ", "30"),
            ("STARLANE_REGION_CHUNK_RADIUS", "5"),
            ("STARLANE_REGION_LINK_BIND", "127.0.0.1:0"),
            ("STARLANE_REGION_VISION_SCOUT", "3"),
            ("OTHER_VAR", "x"),
        ];
        cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .expect("valid overrides");
        assert_eq!(cfg.tick_hz, 30);
        assert_eq!(cfg.chunk_radius, 5);
        assert_eq!(cfg.vision.scout, 3);
        assert_eq!(cfg.link_bind.port(), 0);
    }

    #[test]
    fn errors_name_the_field() {
        let mut cfg = RegionConfig::default();
        let err = cfg
            .apply_env([("STARLANE_REGION_TICK_HZ".to_string(), "fast".to_string())])
            .expect_err("not a number");
        assert!(err.to_string().contains("STARLANE_REGION_TICK_HZ"), "{err}");
        cfg.tick_hz = 0;
        let err = cfg.validate().expect_err("zero tick rate");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "tick_hz",
                    ..
                }
            ),
            "{err}"
        );
        let err = RegionConfig::from_toml("tick_hz = \"x\"").expect_err("wrong type");
        assert!(err.to_string().contains("tick_hz"), "{err}");
        let err = RegionConfig::from_toml("no_such_field = 1").expect_err("unknown field");
        assert!(err.to_string().contains("no_such_field"), "{err}");
    }
}
