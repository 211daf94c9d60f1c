//! `[bandwidth]`: where the bandwidth profiles come from and which one each client class gets.

use super::EdgeConfig;
use super::load::{ConfigError, invalid};
use crate::bandwidth::{BandwidthProfile, ProfileError, ProfileSelection, ProfileSet};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The profiles shipped in `configs/bandwidth/`, compiled into the binary: `(name, toml)`.
/// Used when `bandwidth.dir` is empty, so an edge runs from any working directory.
pub const EMBEDDED_PROFILES: &[(&str, &str)] = &[
    (
        "broadband",
        include_str!("../../../configs/bandwidth/broadband.toml"),
    ),
    (
        "constrained",
        include_str!("../../../configs/bandwidth/constrained.toml"),
    ),
    ("lan", include_str!("../../../configs/bandwidth/lan.toml")),
    (
        "mobile",
        include_str!("../../../configs/bandwidth/mobile.toml"),
    ),
];

/// Bandwidth profile source and selection per client class.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BandwidthConfig {
    /// Directory of `<name>.toml` profiles, relative to the working directory. Empty (the
    /// default) uses the profiles built into the binary ([`EMBEDDED_PROFILES`]); a reload then
    /// changes nothing.
    pub dir: PathBuf,
    /// Profile for browsers (WebTransport). Default "broadband".
    pub browser: String,
    /// Profile for native clients (encrypted UDP). Default "broadband".
    pub native: String,
    /// Per-session profiles by the token's `user_type` claim (`user_type = "profile"`),
    /// overriding the class's. Default: none.
    pub user_types: BTreeMap<String, String>,
    /// Seconds between checks of `dir` for changed files; a change reloads the profiles as
    /// SIGHUP does (a Kubernetes ConfigMap volume is updated in place, and nothing signals
    /// the process). 0 (the default): reload on SIGHUP only.
    pub watch_secs: u64,
}

impl Default for BandwidthConfig {
    fn default() -> Self {
        let sel = ProfileSelection::default();
        Self {
            dir: PathBuf::new(),
            browser: sel.browser,
            native: sel.native,
            user_types: sel.user_types,
            watch_secs: 0,
        }
    }
}

impl BandwidthConfig {
    /// The per-class selection.
    pub fn selection(&self) -> ProfileSelection {
        ProfileSelection {
            browser: self.browser.clone(),
            native: self.native.clone(),
            user_types: self.user_types.clone(),
        }
    }

    /// The directory profiles are loaded and reloaded from, or `None` for the built-in ones.
    pub fn source_dir(&self) -> Option<&Path> {
        (!self.dir.as_os_str().is_empty()).then_some(self.dir.as_path())
    }
}

/// The built-in profile set (from [`EMBEDDED_PROFILES`]).
pub fn embedded_set() -> Result<ProfileSet, ProfileError> {
    let mut profiles = Vec::with_capacity(EMBEDDED_PROFILES.len());
    for &(name, text) in EMBEDDED_PROFILES {
        let path = PathBuf::from(format!("<built-in>/{name}.toml"));
        profiles.push((
            name.to_string(),
            BandwidthProfile::from_toml_str(name, text, &path)?,
        ));
    }
    ProfileSet::from_profiles(profiles)
}

impl EdgeConfig {
    /// Load the bandwidth profiles (`bandwidth.dir`, or the built-in ones) and check that the
    /// selected names exist. Errors name the `bandwidth.*` field and the fix.
    pub fn load_profiles(&self) -> Result<ProfileSet, ConfigError> {
        let b = &self.bandwidth;
        let set = match b.source_dir() {
            None => embedded_set().map_err(|e| {
                invalid(
                    "bandwidth.dir",
                    format!("built-in profiles: {e}"),
                    "report a bug, or set bandwidth.dir to a directory of profiles",
                )
            })?,
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(invalid(
                        "bandwidth.dir",
                        format!(
                            "{} is not a directory (relative paths are resolved against the working directory {})",
                            dir.display(),
                            std::env::current_dir()
                                .map(|d| d.display().to_string())
                                .unwrap_or_else(|_| "?".into())
                        ),
                        "point it at a directory of <name>.toml profiles (e.g. an absolute path to \
                         configs/bandwidth), or set bandwidth.dir = \"\" to use the built-in profiles",
                    ));
                }
                ProfileSet::load_dir(dir).map_err(|e| {
                    invalid(
                        "bandwidth.dir",
                        e.to_string(),
                        "fix the named profile file (every field is documented in configs/bandwidth/)",
                    )
                })?
            }
        };
        for (field, name) in [
            ("bandwidth.browser", &b.browser),
            ("bandwidth.native", &b.native),
        ] {
            if set.get(name).is_none() {
                let known: Vec<&str> = set.names().collect();
                return Err(invalid(
                    field,
                    format!("unknown profile {name:?} (known: {})", known.join(", ")),
                    "use one of the known profile names, or add <name>.toml to bandwidth.dir",
                ));
            }
        }
        for (user_type, name) in &b.user_types {
            if set.get(name).is_none() {
                let known: Vec<&str> = set.names().collect();
                return Err(invalid(
                    "bandwidth.user_types",
                    format!(
                        "user type {user_type:?} names unknown profile {name:?} (known: {})",
                        known.join(", ")
                    ),
                    "use one of the known profile names, or add <name>.toml to bandwidth.dir",
                ));
            }
        }
        Ok(set)
    }

    pub(super) fn validate_bandwidth(&self) -> Result<(), ConfigError> {
        self.load_profiles().map(|_| ())
    }
}
