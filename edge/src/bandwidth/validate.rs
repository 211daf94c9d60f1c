//! [`ProfileError`] and the checks every profile passes on load.

use super::profile::{
    BURST_DIVISOR, BandwidthProfile, DEFAULT_KIND_MULTIPLIER, DEFAULT_MAX_PENDING_EVENTS,
    MAX_PACKET_BYTES, MAX_SEND_RATE_HZ, MIN_PACKET_BYTES, PENDING_EVENTS_RANGE,
};
use starlane_protocol::EntityKind;
use std::path::PathBuf;

/// Errors loading, validating or selecting bandwidth profiles. Each names the profile (or the
/// file or selection field) and says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A directory or file could not be read.
    #[error("cannot read bandwidth profiles at {path}: {source}")]
    Read {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A profile file is not valid TOML or has unknown or mistyped fields.
    #[error("bandwidth profile {profile} ({path}) is not valid: {source}")]
    Parse {
        /// The profile name (file stem).
        profile: String,
        /// The file.
        path: PathBuf,
        /// The TOML error, which names the field.
        source: Box<toml::de::Error>,
    },
    /// A field has a value outside its rules.
    #[error("bandwidth profile {profile}: {field} is invalid: {problem}; fix: {fix}")]
    Invalid {
        /// The profile name.
        profile: String,
        /// The field, as a TOML path (`priority.distance_tiers[1].weight`).
        field: String,
        /// What is wrong, with the value.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A profile file's stem is not a valid profile name.
    #[error(
        "bandwidth profile file {path} has an invalid name {name:?}; fix: rename it to \
         lowercase letters, digits, '_' and '-' followed by .toml (for example mobile.toml)"
    )]
    BadName {
        /// The file.
        path: PathBuf,
        /// Its stem.
        name: String,
    },
    /// The directory holds no `*.toml` file.
    #[error(
        "no bandwidth profiles in {path}; fix: add at least one <name>.toml file (the shipped \
         ones are in configs/bandwidth/)"
    )]
    Empty {
        /// The directory.
        path: PathBuf,
    },
    /// A selection names a profile that is not in the set.
    #[error(
        "bandwidth profile selection {field} = {name:?} names no loaded profile; fix: use one \
         of {available:?} or add {name}.toml"
    )]
    UnknownProfile {
        /// The selection field (`browser`, `native`, or `session` for a per-session choice).
        field: &'static str,
        /// The name asked for.
        name: String,
        /// The names loaded.
        available: Vec<String>,
    },
    /// A reload would drop a profile the running edge has.
    #[error(
        "bandwidth profile {name} is missing from the reloaded profiles; fix: restore \
         {name}.toml (sessions may be using it: profiles can be added or changed on a running \
         edge, removing one needs a restart)"
    )]
    Removed {
        /// The missing profile.
        name: String,
    },
}

impl ProfileError {
    /// The field a [`ProfileError::Invalid`] or [`ProfileError::UnknownProfile`] names.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::UnknownProfile { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl BandwidthProfile {
    /// Check every rule; the first broken one is returned, naming `name` and the field.
    pub fn validate(&self, name: &str) -> Result<(), ProfileError> {
        let bad = |field: &str, problem: String, fix: String| {
            Err(ProfileError::Invalid {
                profile: name.to_string(),
                field: field.to_string(),
                problem,
                fix,
            })
        };
        if self.bytes_per_sec == 0 {
            return bad(
                "bytes_per_sec",
                "0 sends nothing".into(),
                "set a budget in bytes per second, for example 16000".into(),
            );
        }
        if !(1..=MAX_SEND_RATE_HZ).contains(&self.send_rate_hz) {
            return bad(
                "send_rate_hz",
                format!("{} is outside 1..={MAX_SEND_RATE_HZ}", self.send_rate_hz),
                format!("set 1 to {MAX_SEND_RATE_HZ}; 20 matches the region tick"),
            );
        }
        if !(MIN_PACKET_BYTES..=MAX_PACKET_BYTES).contains(&self.max_packet_bytes) {
            return bad(
                "max_packet_bytes",
                format!(
                    "{} is outside {MIN_PACKET_BYTES}..={MAX_PACKET_BYTES}",
                    self.max_packet_bytes
                ),
                format!(
                    "set {MIN_PACKET_BYTES} to {MAX_PACKET_BYTES} (browsers take datagrams of \
                     at most 1211 bytes)"
                ),
            );
        }
        let max_burst = self.bytes_per_sec / BURST_DIVISOR;
        if self.burst_bytes > max_burst {
            return bad(
                "burst_bytes",
                format!(
                    "{} is over 5% of bytes_per_sec ({max_burst})",
                    self.burst_bytes
                ),
                format!(
                    "set burst_bytes to at most {max_burst} (bytes_per_sec / 20): a token bucket \
                     of depth B refilled at R bytes/s admits up to B + R bytes in a 1 s window, \
                     so a larger burst could exceed the budget by more than 5%"
                ),
            );
        }
        if self.burst_bytes < self.max_packet_bytes {
            return bad(
                "burst_bytes",
                format!(
                    "{} is below max_packet_bytes ({}), so a full datagram never fits the bucket",
                    self.burst_bytes, self.max_packet_bytes
                ),
                format!(
                    "lower max_packet_bytes to at most {} or raise bytes_per_sec to at least {} \
                     and burst_bytes with it",
                    self.burst_bytes,
                    u64::from(self.max_packet_bytes) * u64::from(BURST_DIVISOR)
                ),
            );
        }
        // Two send intervals: staleness_ms >= 2 * 1000 / hz, compared without rounding.
        if u64::from(self.max_staleness_ms) * u64::from(self.send_rate_hz) < 2_000 {
            let min = 2_000_u32.div_ceil(self.send_rate_hz);
            return bad(
                "max_staleness_ms",
                format!(
                    "{} is under two send intervals at {} Hz ({min} ms)",
                    self.max_staleness_ms, self.send_rate_hz
                ),
                format!("set at least {min}, or raise send_rate_hz"),
            );
        }
        if !PENDING_EVENTS_RANGE.contains(&self.max_pending_events) {
            return bad(
                "max_pending_events",
                format!(
                    "{} is outside {}..={}",
                    self.max_pending_events,
                    PENDING_EVENTS_RANGE.start(),
                    PENDING_EVENTS_RANGE.end()
                ),
                format!(
                    "set {} to {} (default {DEFAULT_MAX_PENDING_EVENTS}): the reliable events a \
                     client may leave unacknowledged before its session is shed",
                    PENDING_EVENTS_RANGE.start(),
                    PENDING_EVENTS_RANGE.end()
                ),
            );
        }
        self.validate_priority(name)?;
        let q = &self.quantization;
        if !(2..=16).contains(&q.position_delta_bits) {
            return bad(
                "quantization.position_delta_bits",
                format!("{} is outside 2..=16", q.position_delta_bits),
                "set 2 to 16 bits per coordinate delta (8 covers moves of up to 127 hexes)".into(),
            );
        }
        if q.health_step == 0 {
            return bad(
                "quantization.health_step",
                "0 is not a step".into(),
                "set 1 for exact health or a larger step such as 5".into(),
            );
        }
        Ok(())
    }

    fn validate_priority(&self, name: &str) -> Result<(), ProfileError> {
        let p = &self.priority;
        let weight = |field: String, w: f32| {
            if w.is_finite() && w > 0.0 {
                Ok(())
            } else {
                Err(ProfileError::Invalid {
                    profile: name.to_string(),
                    field,
                    problem: format!("{w} is not a finite weight above 0"),
                    fix: "set a positive number such as 1.0".into(),
                })
            }
        };
        weight("priority.own_units".into(), p.own_units)?;
        weight("priority.enemy".into(), p.enemy)?;
        weight("priority.neutral".into(), p.neutral)?;
        for (kind, w) in p.kinds.entries() {
            let field = format!("priority.kinds.{kind}");
            if EntityKind::from_name(kind).is_none() {
                return Err(ProfileError::Invalid {
                    profile: name.to_string(),
                    field,
                    problem: format!("{kind:?} is not an entity kind of the client protocol"),
                    fix: format!(
                        "use one of {} (EntityKind names, protocol/SPEC.md section 8) or remove \
                         it; a kind not listed gets multiplier {DEFAULT_KIND_MULTIPLIER}",
                        EntityKind::NAMES.join(", ")
                    ),
                });
            }
            weight(field, w)?;
        }
        let tiers_bad = |field: String, problem: String, fix: &str| {
            Err(ProfileError::Invalid {
                profile: name.to_string(),
                field,
                problem,
                fix: fix.to_string(),
            })
        };
        let Some(last_index) = p.distance_tiers.len().checked_sub(1) else {
            return tiers_bad(
                "priority.distance_tiers".into(),
                "no tiers".into(),
                "add at least the catch-all tier: distance_tiers = [{ weight = 1.0 }]",
            );
        };
        let mut previous: Option<u32> = None;
        for (i, tier) in p.distance_tiers.iter().enumerate() {
            let field = format!("priority.distance_tiers[{i}].max_distance_hexes");
            match (tier.max_distance_hexes, i == last_index) {
                (Some(max), false) => {
                    if previous.is_some_and(|prev| max <= prev) {
                        return tiers_bad(
                            field,
                            format!("{max} does not increase on the tier before it"),
                            "sort the tiers nearest first with strictly increasing distances",
                        );
                    }
                    previous = Some(max);
                }
                (None, false) => {
                    return tiers_bad(
                        field,
                        "missing on a tier that is not the last".into(),
                        "give every tier but the last a max_distance_hexes",
                    );
                }
                (Some(max), true) => {
                    return tiers_bad(
                        field,
                        format!("the last tier has {max}, so farther entities match no tier"),
                        "remove max_distance_hexes from the last tier (it catches everything \
                         farther) or add a catch-all tier after it",
                    );
                }
                (None, true) => {}
            }
            weight(format!("priority.distance_tiers[{i}].weight"), tier.weight)?;
        }
        Ok(())
    }
}
