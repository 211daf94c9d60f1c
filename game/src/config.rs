//! Region server configuration: a TOML file (`configs/region.toml`) overridable by
//! `STARLANE_REGION_<FIELD>` environment variables, validated on load.
//!
//! Every field has a serde default, so an empty file (or no file) gives a working local setup.

mod ai;
mod cluster;
mod combat;
mod command_kinds;
mod economy;
mod env;
mod error;
mod http;
mod link;
mod load;
mod queues;
mod recipes;
mod shared_vision;
mod social;
mod stealth;
mod store;
mod sync;
mod vision_cache;

pub use ai::AiConfig;
pub use cluster::ClusterSection;
pub use combat::CombatConfig;
pub use command_kinds::{CommandKinds, KindLimit};
pub use economy::{Amounts, EconomyConfig, Efficiency, slot};
pub use error::ConfigError;
pub(crate) use error::check_range;
pub use http::{DEFAULT_HTTP_BIND, HttpConfig};
pub use link::{LinkConfig, PIN_HEX_LEN, parse_pin};
pub use load::{BenchConfig, LoadConfig, MAX_NPCS, NpcPattern};
pub use queues::QueueConfig;
pub use recipes::{DEFAULT_RECIPES, RecipeBook};
pub use shared_vision::SharedVisionConfig;
pub use social::SocialConfig;
pub use stealth::StealthConfig;
pub use store::{Backend, HomePolicy, StoreConfig};
pub use sync::{MAX_DELTA_LOG_TICKS, SyncConfig};
pub use vision_cache::VisionCacheConfig;

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
    /// Value for extractors.
    pub extractor: u32,
    /// Value for shipyards.
    pub shipyard: u32,
    /// Value for metal fields.
    pub metal_field: u32,
    /// Value for crystal fields.
    pub crystal_field: u32,
}

/// The field names `<section>.<kind>` of a [`PerKind`] section, in the order of
/// `EntityKind::ALL`.
macro_rules! per_kind_fields {
    ($section:literal) => {
        [
            concat!($section, ".scout"),
            concat!($section, ".frigate"),
            concat!($section, ".station"),
            concat!($section, ".extractor"),
            concat!($section, ".shipyard"),
            concat!($section, ".metal_field"),
            concat!($section, ".crystal_field"),
        ]
    };
}
pub(crate) use per_kind_fields;

impl PerKind {
    /// Check each kind's value is in `lo(kind)..=hi`; `fields` names them (from
    /// [`per_kind_fields`]).
    pub(crate) fn check(
        &self,
        fields: [&'static str; 7],
        lo: impl Fn(EntityKind) -> u64,
        hi: u64,
        fix: &'static str,
    ) -> Result<(), ConfigError> {
        for (kind, field) in EntityKind::ALL.iter().zip(fields) {
            check_range(field, self.get(*kind).into(), lo(*kind), hi, fix)?;
        }
        Ok(())
    }

    /// The value for `kind`.
    pub fn get(&self, kind: EntityKind) -> u32 {
        match kind {
            EntityKind::Scout => self.scout,
            EntityKind::Frigate => self.frigate,
            EntityKind::Station => self.station,
            EntityKind::Extractor => self.extractor,
            EntityKind::Shipyard => self.shipyard,
            EntityKind::MetalField => self.metal_field,
            EntityKind::CrystalField => self.crystal_field,
        }
    }
}

/// Configuration of a region server. See `configs/region.toml` for the documented defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionConfig {
    /// The region's name: sent to edges in the link's `Welcome` (1 to 64 bytes).
    /// Env: `STARLANE_REGION_REGION_ID`.
    pub region_id: String,
    /// Simulation ticks per second (1..=120). Env: `STARLANE_REGION_TICK_HZ`.
    pub tick_hz: u32,
    /// Most ticks run back to back to catch up after a stall before the loop drops time.
    pub max_catchup_ticks: u32,
    /// Threads that run the tick's data-parallel loops (target choice, session views), the
    /// tick thread included (0..=64; 0: one per core the process may use, 1: all on the
    /// tick thread). Env: `STARLANE_REGION_TICK_THREADS`.
    pub tick_threads: u32,
    /// Radius of each hex chunk (2..=64); a chunk has `3r(r+1)+1` hexes.
    /// Env: `STARLANE_REGION_CHUNK_RADIUS`.
    pub chunk_radius: u32,
    /// Rings of chunks around the central one (1..=8): 1 is the pocket of 7 chunks and 6
    /// spawn points; `k` gives `3k(k+1)+1` chunks, every one but the central a spawn point,
    /// for a region expecting more players. The map must fit the clients' map message (at
    /// most 4,096 asteroid hexes: 6 rings with the default chunks and asteroids).
    /// Env: `STARLANE_REGION_MAP_RINGS`.
    pub map_rings: u32,
    /// Seed of the asteroid field generator. Env: `STARLANE_REGION_MAP_SEED`.
    pub map_seed: u64,
    /// Percentage (0..=60) of hexes that are impassable asteroids.
    pub asteroid_percent: u32,
    /// Number of neutral pirate units spawned in the central chunk (0..=1000).
    pub pirates: u32,
    /// Directory for the SQLite database, the link certificate and key.
    /// Env: `STARLANE_REGION_DATA_DIR`.
    pub data_dir: PathBuf,
    /// `[store]`: the database (SQLite or PostgreSQL), snapshots, home region policy.
    pub store: StoreConfig,
    /// QUIC address edges connect to. Env: `STARLANE_REGION_LINK_BIND`.
    pub link_bind: SocketAddr,
    /// PEM certificate (chain) of the link server; empty means `<data_dir>/link-cert.pem`.
    /// Generated (self-signed) with its key when both files are missing (not in
    /// `link.production`). Env: `STARLANE_REGION_LINK_CERT`.
    pub link_cert: PathBuf,
    /// PEM private key of the link server; empty means `<data_dir>/link-key.pem`.
    /// Env: `STARLANE_REGION_LINK_KEY`.
    pub link_key: PathBuf,
    /// Outgoing frames buffered per edge link (16..=1048576, default 65,536: a tick sends
    /// about one frame per session, and a storm of joins one more each; the bytes bound is
    /// the memory bound). From three quarters of this or
    /// of `link_queue_bytes` the link is congested: its entity and view frames are skipped (it
    /// catches up later); beyond either, the link is shed (closed `Slow`). LINK.md §8.2.
    pub link_queue: usize,
    /// Outgoing bytes buffered per edge link (64 KiB..=1 GiB); see `link_queue`.
    pub link_queue_bytes: usize,
    /// `[queues]`: bounds of the queues between the region's tasks.
    pub queues: QueueConfig,
    /// `[link]`: which edges may connect (mutual TLS).
    pub link: LinkConfig,
    /// `[http]`: the operator listener (`/metrics`, `/healthz`, `/readyz`).
    pub http: HttpConfig,
    /// `[cluster]`: registration in the cluster registry (Redis); off by default.
    pub cluster: ClusterSection,
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
    /// Synthetic NPC load for benchmarks (off by default).
    pub load: LoadConfig,
    /// Benchmark-only instrumentation (off by default).
    pub bench: BenchConfig,
    /// Edge mirror synchronisation (the delta log).
    pub sync: SyncConfig,
    /// `[combat]`.
    pub combat: CombatConfig,
    /// `[command_kinds]`: per-kind command limits.
    pub command_kinds: CommandKinds,
    /// `[economy]`: stock, production, building sites, resource fields, the recipe file.
    pub economy: EconomyConfig,
    /// `[ai]`: computer-run empires.
    pub ai: AiConfig,
    /// `[shared_vision]`: vision grants between empires.
    pub shared_vision: SharedVisionConfig,
    /// `[vision_cache]`: what empires remember of what they no longer see.
    pub vision_cache: VisionCacheConfig,
    /// `[social]`: chat and alliances.
    pub social: SocialConfig,
    /// `[stealth]`: cloaked kinds and detection ranges.
    pub stealth: StealthConfig,
}

impl Default for RegionConfig {
    fn default() -> Self {
        Self {
            region_id: "region".into(),
            tick_hz: 20,
            max_catchup_ticks: 3,
            tick_threads: 0,
            chunk_radius: 9,
            map_rings: 1,
            map_seed: 0x5eed_57a7,
            asteroid_percent: 8,
            pirates: 4,
            data_dir: PathBuf::from("data"),
            store: StoreConfig::default(),
            link_bind: SocketAddr::from(([0u16; 8], 4500)),
            link_cert: PathBuf::new(),
            link_key: PathBuf::new(),
            link_queue: 65_536,
            link_queue_bytes: 16 << 20,
            queues: QueueConfig::default(),
            link: LinkConfig::default(),
            http: HttpConfig::default(),
            cluster: ClusterSection::default(),
            units_per_empire: 3,
            command_rate: 20,
            command_burst: 40,
            vision: PerKind {
                scout: 6,
                frigate: 4,
                station: 5,
                extractor: 3,
                shipyard: 4,
                metal_field: 0,
                crystal_field: 0,
            },
            move_ticks: PerKind {
                scout: 2,
                frigate: 4,
                station: 0,
                extractor: 0,
                shipyard: 0,
                metal_field: 0,
                crystal_field: 0,
            },
            health: PerKind {
                scout: 50,
                frigate: 120,
                station: 500,
                extractor: 300,
                shipyard: 600,
                metal_field: 1000,
                crystal_field: 1000,
            },
            load: LoadConfig::default(),
            bench: BenchConfig::default(),
            sync: SyncConfig::default(),
            combat: CombatConfig::default(),
            command_kinds: CommandKinds::default(),
            economy: EconomyConfig::default(),
            ai: AiConfig::default(),
            shared_vision: SharedVisionConfig::default(),
            vision_cache: VisionCacheConfig::default(),
            social: SocialConfig::default(),
            stealth: StealthConfig::default(),
        }
    }
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
        toml::from_str(text).map_err(|e| {
            moved_setting(text).unwrap_or_else(|| ConfigError::Parse {
                path: PathBuf::from("<text>"),
                source: Box::new(e),
            })
        })
    }

    /// The map must fit the clients' map message, whose lists hold at most
    /// [`MAX_LIST_LEN`](starlane_protocol::codec::MAX_LIST_LEN) chunks and asteroid hexes:
    /// builds the map the fields describe and counts them.
    fn validate_map_size(&self) -> Result<(), ConfigError> {
        let map = crate::map::GameMap::generate_rings(
            self.chunk_radius,
            self.map_rings,
            self.map_seed,
            self.asteroid_percent,
        );
        let max = starlane_protocol::codec::MAX_LIST_LEN;
        let blocked = map.cell_count() - map.passable_cells().len();
        if blocked > max || map.chunks().len() > max {
            return Err(ConfigError::Invalid {
                field: "map_rings",
                problem: format!(
                    "with chunk_radius {} and asteroid_percent {} gives {} chunks and {blocked} \
                     asteroid hexes; the clients' map message holds at most {max} of each",
                    self.chunk_radius,
                    self.asteroid_percent,
                    map.chunks().len()
                ),
                fix: "use fewer map_rings, a smaller chunk_radius or a lower asteroid_percent",
            });
        }
        Ok(())
    }

    /// Check every field's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let max_vision = u64::from(self.chunk_radius) * 2;
        let vision_fix = "use 1..=2*chunk_radius";
        let ranges: [(&'static str, u64, u64, u64, &'static str); 12] = [
            (
                "tick_hz",
                self.tick_hz.into(),
                1,
                120,
                "set tick_hz to e.g. 20",
            ),
            (
                "max_catchup_ticks",
                self.max_catchup_ticks.into(),
                1,
                20,
                "use e.g. 3",
            ),
            (
                "tick_threads",
                self.tick_threads.into(),
                0,
                64,
                "use 0 (one per core) or e.g. 2",
            ),
            (
                "chunk_radius",
                self.chunk_radius.into(),
                2,
                64,
                "set chunk_radius to e.g. 9",
            ),
            (
                "map_rings",
                self.map_rings.into(),
                1,
                8,
                "use 1 (7 chunks) or more rings for more players, e.g. 3",
            ),
            (
                "asteroid_percent",
                self.asteroid_percent.into(),
                0,
                60,
                "use e.g. 8",
            ),
            ("pirates", self.pirates.into(), 0, 1000, "use e.g. 4"),
            (
                "units_per_empire",
                self.units_per_empire.into(),
                1,
                64,
                "use e.g. 3",
            ),
            (
                "command_rate",
                self.command_rate.into(),
                1,
                10_000,
                "use e.g. 20",
            ),
            (
                "command_burst",
                self.command_burst.into(),
                1,
                100_000,
                "use e.g. 40",
            ),
            (
                "link_queue",
                self.link_queue as u64,
                16,
                1 << 20,
                "use e.g. 65536",
            ),
            (
                "link_queue_bytes",
                self.link_queue_bytes as u64,
                64 << 10,
                1 << 30,
                "use e.g. 16777216 (16 MiB)",
            ),
        ];
        for (field, v, lo, hi, fix) in ranges {
            check_range(field, v, lo, hi, fix)?;
        }
        // Resource fields see nothing; everything else sees at least its own hex's neighbours.
        let sight = |k: EntityKind| u64::from(k.deposit().is_none());
        self.vision
            .check(per_kind_fields!("vision"), sight, max_vision, vision_fix)?;
        self.move_ticks.check(
            per_kind_fields!("move_ticks"),
            |_| 0,
            1000,
            "use e.g. 4 for ships (0 = immobile, for stations, buildings and fields)",
        )?;
        self.health
            .check(per_kind_fields!("health"), |_| 1, 65535, "use e.g. 120")?;
        self.validate_map_size()?;
        self.load.validate()?;
        self.sync.validate()?;
        self.combat.validate(self.chunk_radius.saturating_mul(2))?;
        self.command_kinds.validate()?;
        self.economy.validate(self.tick_hz)?;
        self.ai.validate()?;
        self.shared_vision.validate()?;
        self.social.validate()?;
        self.stealth.validate(&self.vision)?;
        self.vision_cache
            .validate(|kind| self.move_ticks.get(kind) > 0)?;
        self.queues.validate()?;
        if !starlane_protocol::link::control::valid_name(&self.region_id) {
            return Err(ConfigError::Invalid {
                field: "region_id",
                problem: format!("{:?} is not 1 to 64 bytes", self.region_id),
                fix: "set region_id to a short name, e.g. \"eu-west-1\"",
            });
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                field: "data_dir",
                problem: "is empty".into(),
                fix: "set data_dir to a writable directory, e.g. \"data\"",
            });
        }
        self.store.validate()?;
        if self.link_cert.as_os_str().is_empty() != self.link_key.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                field: "link_cert",
                problem: "is set without link_key (or the other way round)".into(),
                fix: "set both link_cert and link_key, or neither",
            });
        }
        self.link.validate(!self.link_cert.as_os_str().is_empty())?;
        self.cluster.validate(self.link_bind)?;
        Ok(())
    }

    /// The database URL in effect (`[store] url` or the SQLite file in `data_dir`).
    pub fn effective_database_url(&self) -> String {
        self.store.effective_url(&self.data_dir)
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

/// The error for a top-level setting that moved to `[store]`, if `text` has one.
fn moved_setting(text: &str) -> Option<ConfigError> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let (field, fix) = [
        ("database_url", "move it to [store] url"),
        (
            "save_interval_secs",
            "move it to [store] snapshot_interval_secs",
        ),
    ]
    .into_iter()
    .find(|(f, _)| table.contains_key(*f))?;
    Some(ConfigError::Invalid {
        field,
        problem: "is no longer a top-level setting".into(),
        fix,
    })
}

#[cfg(test)]
mod tests;
