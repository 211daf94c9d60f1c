//! Configuration errors: each names the field (or file, or variable) and the fix.

use std::path::PathBuf;

/// Errors loading or validating a [`RegionConfig`](super::RegionConfig).
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
    /// A recipe file has an error (a recipe that does not parse or does not make sense).
    #[error("recipe file {file}: recipe {recipe}: {problem}; fix: {fix}")]
    Recipe {
        file: String,
        recipe: String,
        problem: String,
        fix: &'static str,
    },
    /// A field is out of range.
    #[error("config field `{field}` {problem}; fix: {fix}")]
    Invalid {
        field: &'static str,
        problem: String,
        fix: &'static str,
    },
}

/// `Ok` when `lo <= v <= hi`, else an error naming `field` and the `fix`.
pub(crate) fn check_range(
    field: &'static str,
    v: u64,
    lo: u64,
    hi: u64,
    fix: &'static str,
) -> Result<(), ConfigError> {
    if v < lo || v > hi {
        Err(ConfigError::Invalid {
            field,
            problem: format!("is {v}, must be in {lo}..={hi}"),
            fix,
        })
    } else {
        Ok(())
    }
}
