//! Impairment settings from a TOML file and command-line flags.
//!
//! A file sets both directions at once, optionally starting from a preset, and may override
//! either direction in an `[up]` or `[down]` table:
//!
//! ```toml
//! preset = "lossy"     # optional: clean, lan, broadband, lossy, mobile, congested
//! seed = 7             # any ImpairmentConfig field, for both directions
//! [down]
//! rate_limit_bytes_per_sec = 250000
//! ```
//!
//! Unless `[down]` sets its own seed, the downstream direction draws from a seed derived from
//! the upstream one, so the two directions do not lose the same packets.

use starlane_netcore::proto::emulator::{
    ConfigError, DuplexConfig, ImpairmentConfig, Preset, UnknownPreset, downstream_seed,
};
use std::path::PathBuf;

/// Why an impairment file or flag set cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file could not be read.
    #[error("cannot read impairment file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not TOML, or a field has the wrong type or an unknown name.
    #[error("impairment file: {0}")]
    Toml(String),
    /// `preset` names no preset.
    #[error(transparent)]
    Preset(#[from] UnknownPreset),
    /// A field's value cannot be used.
    #[error("{direction} impairment: {source}")]
    Invalid {
        /// "up" or "down".
        direction: &'static str,
        /// The field and the fix.
        source: ConfigError,
    },
}

fn toml_error(error: impl std::fmt::Display) -> ConfigFileError {
    ConfigFileError::Toml(error.to_string().trim().to_string())
}

/// Remove `key` from `table` as a sub-table (empty if absent).
fn take_table(table: &mut toml::Table, key: &str) -> Result<toml::Table, ConfigFileError> {
    match table.remove(key) {
        None => Ok(toml::Table::new()),
        Some(toml::Value::Table(t)) => Ok(t),
        Some(_) => Err(ConfigFileError::Toml(format!(
            "`{key}` must be a table; write it as [{key}]"
        ))),
    }
}

/// `cfg` with the fields of `patch` replaced.
fn overlay(
    cfg: &ImpairmentConfig,
    patch: toml::Table,
) -> Result<ImpairmentConfig, ConfigFileError> {
    let mut table = toml::Table::try_from(cfg).map_err(toml_error)?;
    table.extend(patch);
    toml::Value::Table(table).try_into().map_err(toml_error)
}

/// Parse an impairment file (see the module docs). `default_preset` is the base when the file
/// names none.
pub fn parse_duplex(text: &str, default_preset: Preset) -> Result<DuplexConfig, ConfigFileError> {
    let mut table: toml::Table = text.parse().map_err(toml_error)?;
    let preset = match table.remove("preset") {
        None => default_preset,
        Some(toml::Value::String(name)) => name.parse()?,
        Some(_) => {
            return Err(ConfigFileError::Toml(
                "`preset` must be a string such as \"lossy\"".into(),
            ));
        }
    };
    let up_patch = take_table(&mut table, "up")?;
    let down_patch = take_table(&mut table, "down")?;
    let down_seeded = down_patch.contains_key("seed");
    let both = overlay(&preset.config(), table)?;
    let up = overlay(&both, up_patch)?;
    let mut down = overlay(&both, down_patch)?;
    if !down_seeded {
        down.seed = downstream_seed(up.seed);
    }
    let duplex = DuplexConfig { up, down };
    validate(&duplex)?;
    Ok(duplex)
}

fn validate(duplex: &DuplexConfig) -> Result<(), ConfigFileError> {
    let invalid = |direction| move |source| ConfigFileError::Invalid { direction, source };
    duplex.up.validate().map_err(invalid("up"))?;
    duplex.down.validate().map_err(invalid("down"))
}

/// Impairment flags: a file and/or a preset, then per-field overrides for both directions.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImpairArgs {
    /// TOML impairment file (see bench/README.md, "Impairment").
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Base preset when the file names none: clean, lan, broadband, lossy, mobile, congested.
    #[arg(long)]
    pub preset: Option<Preset>,
    /// Seed of the upstream direction (downstream uses a seed derived from it).
    #[arg(long)]
    pub seed: Option<u64>,
    /// One-way latency in milliseconds.
    #[arg(long)]
    pub latency_ms: Option<f64>,
    /// Jitter in milliseconds.
    #[arg(long)]
    pub jitter_ms: Option<f64>,
    /// Loss probability per datagram (0..1).
    #[arg(long)]
    pub loss: Option<f64>,
    /// Duplication probability per datagram (0..1).
    #[arg(long)]
    pub duplicate: Option<f64>,
    /// Probability of holding a datagram back `--reorder-extra-ms` (0..1).
    #[arg(long)]
    pub reorder: Option<f64>,
    /// Extra hold of a reordered datagram, in milliseconds.
    #[arg(long)]
    pub reorder_extra_ms: Option<f64>,
    /// Rate limit in bytes per second.
    #[arg(long)]
    pub rate_limit: Option<u64>,
    /// Queue in front of the rate limit, in bytes.
    #[arg(long)]
    pub queue_bytes: Option<usize>,
    /// Largest datagram carried, in bytes.
    #[arg(long)]
    pub mtu: Option<usize>,
}

impl ImpairArgs {
    /// The two directions: file (or preset), then the flags, validated.
    pub fn resolve(&self) -> Result<DuplexConfig, ConfigFileError> {
        let text = match &self.config {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read {
                    path: path.clone(),
                    source,
                })?
            }
            None => String::new(),
        };
        let mut duplex = parse_duplex(&text, self.preset.unwrap_or(Preset::Clean))?;
        self.apply(&mut duplex.up);
        self.apply(&mut duplex.down);
        if let Some(seed) = self.seed {
            duplex.up.seed = seed;
            duplex.down.seed = downstream_seed(seed);
        }
        validate(&duplex)?;
        Ok(duplex)
    }

    fn apply(&self, cfg: &mut ImpairmentConfig) {
        fn set<T: Copy>(field: &mut T, flag: Option<T>) {
            if let Some(value) = flag {
                *field = value;
            }
        }
        set(&mut cfg.latency_ms, self.latency_ms);
        set(&mut cfg.jitter_ms, self.jitter_ms);
        set(&mut cfg.loss, self.loss);
        set(&mut cfg.duplicate, self.duplicate);
        set(&mut cfg.reorder, self.reorder);
        set(&mut cfg.reorder_extra_ms, self.reorder_extra_ms);
        set(&mut cfg.queue_bytes, self.queue_bytes);
        if self.rate_limit.is_some() {
            cfg.rate_limit_bytes_per_sec = self.rate_limit;
        }
        if self.mtu.is_some() {
            cfg.mtu = self.mtu;
        }
        if self.loss.is_some() {
            // An explicit loss flag replaces a preset's bursty loss.
            cfg.gilbert_elliott = None;
        }
    }
}
