//! `STARLANE_REGION_<FIELD>` environment overrides of the region configuration.

use super::{ConfigError, ENV_PREFIX, RegionConfig};
use std::path::PathBuf;

impl RegionConfig {
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
                "REGION_ID" => self.region_id = value.trim().to_owned(),
                "TICK_HZ" => self.tick_hz = num(&value)?,
                "TICK_THREADS" => self.tick_threads = num(&value)?,
                "CHUNK_RADIUS" => self.chunk_radius = num(&value)?,
                "MAP_RINGS" => self.map_rings = num(&value)?,
                "MAP_SEED" => {
                    self.map_seed = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "DATA_DIR" => self.data_dir = PathBuf::from(&value),
                "STORE_URL" => self.store.url = value.clone(),
                "STORE_POOL_SIZE" => self.store.pool_size = num(&value)?,
                "STORE_SNAPSHOT_INTERVAL_SECS" => self.store.snapshot_interval_secs = num(&value)?,
                "STORE_RESTORE_NOTICE_SECS" => self.store.restore_notice_secs = num(&value)?,
                "STORE_HOME_REGION_POLICY" => {
                    self.store.home_region_policy = value.trim().to_owned()
                }
                "DATABASE_URL" => {
                    return Err(bad("renamed: use STARLANE_REGION_STORE_URL".into()));
                }
                "LINK_BIND" => {
                    self.link_bind = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "HTTP_BIND" => {
                    self.http.bind = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "CLUSTER_REDIS_URL" => self.cluster.redis_url = value.trim().to_owned(),
                "CLUSTER_PREFIX" => self.cluster.prefix = value.clone(),
                "CLUSTER_REGION" => self.cluster.region = value.trim().to_owned(),
                "CLUSTER_ADVERTISE_LINK_ADDR" => {
                    self.cluster.advertise_link_addr = value.trim().to_owned()
                }
                "LINK_CERT" => self.link_cert = PathBuf::from(&value),
                "LINK_KEY" => self.link_key = PathBuf::from(&value),
                "LINK_CA_FILE" => self.link.ca_file = PathBuf::from(&value),
                "LINK_PINS" => self.link.pins = list(&value),
                "LINK_EDGE_CERT_FILE" => self.link.edge_cert_file = PathBuf::from(&value),
                "LINK_PRODUCTION" => {
                    self.link.production = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "UNITS_PER_EMPIRE" => self.units_per_empire = num(&value)?,
                "VISION_SCOUT" => self.vision.scout = num(&value)?,
                "VISION_FRIGATE" => self.vision.frigate = num(&value)?,
                "VISION_STATION" => self.vision.station = num(&value)?,
                "STEALTH_CLOAKED" => self.stealth.cloaked = list(&value),
                "LOAD_NPC_COUNT" => self.load.npc_count = num(&value)?,
                "LOAD_PATTERN" => self.load.pattern = value.parse().map_err(bad)?,
                "LOAD_NPC_SEED" => {
                    self.load.npc_seed = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "COMBAT_ENABLED" => {
                    self.combat.enabled = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "COMBAT_SEED" => {
                    self.combat.seed = value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                "ECONOMY_RECIPES" => self.economy.recipes = value.into(),
                "AI_EMPIRES" => self.ai.empires = num(&value)?,
                "SYNC_DELTA_LOG_TICKS" => self.sync.delta_log_ticks = num(&value)?,
                "BENCH_PUBLISH_TRUTH" => {
                    self.bench.publish_truth =
                        value.trim().parse().map_err(|e| bad(format!("{e}")))?
                }
                _ => return Err(bad("unknown setting (see configs/region.toml)".into())),
            }
        }
        Ok(())
    }
}

/// The non-empty items of a comma-separated list, trimmed.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}
