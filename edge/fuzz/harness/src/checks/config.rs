//! Configuration: the edge's and the region server's TOML (with environment overrides and
//! validation) and the bandwidth profiles.

use starlane_edge::EdgeConfig;
use starlane_edge::bandwidth::{
    BURST_DIVISOR, BandwidthProfile, ClientClass, ProfileError, ProfileSelection, ProfileSet,
};
use starlane_edge::config::ConfigError;
use starlane_edge::sync::SessionSync;
use starlane_game::RegionConfig;
use starlane_protocol::EntityKind;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A configuration input: the TOML text up to the first NUL byte; after it, `NAME=value` lines
/// are the environment. Both are read as UTF-8 (invalid sequences replaced).
fn toml_and_env(data: &[u8]) -> (String, Vec<(String, String)>) {
    let (text, env) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], data.get(at + 1..).unwrap_or_default()),
        None => (data, &[][..]),
    };
    let vars = String::from_utf8_lossy(env)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (String::from_utf8_lossy(text).into_owned(), vars)
}

/// The edge's configuration: [`toml_and_env`].
pub fn edge_config(data: &[u8]) {
    let (text, vars) = toml_and_env(data);
    let mut cfg = match EdgeConfig::from_toml_str(&text, Path::new("fuzz.toml")) {
        Ok(cfg) => cfg,
        Err(e) => return check_config_error(&e),
    };
    let lookup = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Err(e) = cfg.apply_env(lookup) {
        return check_config_error(&e);
    }
    // Profiles come from the built-in set: a fuzzed directory would read the filesystem.
    cfg.bandwidth.dir = PathBuf::new();
    if let Err(e) = cfg.validate() {
        return check_config_error(&e);
    }
    // A valid configuration: the profiles load and the selection resolves.
    let set = cfg
        .load_profiles()
        .expect("a validated configuration loads its profiles");
    let resolved = cfg
        .bandwidth
        .selection()
        .resolve(&set)
        .expect("a validated configuration's selection resolves");
    let _ = resolved.for_class(ClientClass::Browser);
}

/// The region server's configuration ([`toml_and_env`], `STARLANE_REGION_*` variables):
/// parse, overrides, validation, as `RegionConfig::load` does.
pub fn game_config(data: &[u8]) {
    use starlane_game::ConfigError as RegionConfigError;
    let (text, vars) = toml_and_env(data);
    let checked = RegionConfig::from_toml(&text).and_then(|mut cfg| {
        cfg.apply_env(vars)?;
        cfg.validate()?;
        Ok(cfg)
    });
    let cfg = match checked {
        Ok(cfg) => cfg,
        Err(e) => {
            if let RegionConfigError::Invalid { field, .. } = &e {
                names_field_and_fix(&e.to_string(), field);
            }
            return;
        }
    };
    // A valid configuration: what the region derives from it before starting.
    for pin in &cfg.link.pins {
        starlane_game::config::parse_pin(pin).expect("a validated pin parses");
    }
    let (cert, key) = cfg.effective_cert_paths();
    assert!(!cert.as_os_str().is_empty() && !key.as_os_str().is_empty());
    let url = cfg.effective_database_url();
    assert!(
        url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"),
        "a validated store url is SQLite or PostgreSQL: {url}"
    );
}

fn check_config_error(e: &ConfigError) {
    if let ConfigError::Invalid { field, .. } = e {
        names_field_and_fix(&e.to_string(), field);
    }
}

/// A validation error's text names its field and says how to fix it.
fn names_field_and_fix(text: &str, field: &str) {
    assert!(text.contains(field), "error {text:?} does not name {field}");
    assert!(
        text.contains("fix:"),
        "error {text:?} does not say how to fix it"
    );
}

/// The profile's TOML text (the profile is named `fuzz`).
pub fn bandwidth_profile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let profile = match BandwidthProfile::from_toml_str("fuzz", &text, Path::new("fuzz.toml")) {
        Ok(p) => p,
        Err(e) => return check_profile_error(&e),
    };
    profile
        .validate("fuzz")
        .expect("a loaded profile stays valid");
    // The budget rule: the burst is at most 5% of the rate.
    assert!(
        u64::from(profile.burst_bytes) * u64::from(BURST_DIVISOR)
            <= u64::from(profile.bytes_per_sec)
    );
    assert!(profile.burst_bytes >= profile.max_packet_bytes);
    assert!((16..=1_000).contains(&profile.send_interval_ms()));
    for kind in EntityKind::ALL {
        let m = profile.priority.kind_multiplier(*kind);
        assert!(m.is_finite() && m > 0.0, "multiplier {m} of {kind:?}");
    }
    let mut distances = vec![0, 1, u32::MAX];
    for tier in &profile.priority.distance_tiers {
        if let Some(max) = tier.max_distance_hexes {
            distances.extend([max, max.saturating_add(1)]);
        }
    }
    for d in distances {
        let w = profile.priority.distance_weight(d);
        assert!(w.is_finite() && w > 0.0, "weight {w} at distance {d}");
    }
    // What the edge builds from a profile.
    let set = ProfileSet::from_profiles([("fuzz".to_string(), profile.clone())])
        .expect("a valid profile makes a set");
    let selection = ProfileSelection {
        browser: "fuzz".into(),
        native: "fuzz".into(),
        user_types: BTreeMap::from([("player".to_string(), "fuzz".to_string())]),
    };
    selection
        .resolve(&set)
        .expect("a selection of a loaded profile resolves");
    let _ = SessionSync::new(&profile, 1, Instant::now());
}

fn check_profile_error(e: &ProfileError) {
    if let ProfileError::Invalid { field, .. } = e {
        names_field_and_fix(&e.to_string(), field.as_str());
    }
}
