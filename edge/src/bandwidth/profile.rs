//! The profile data: [`BandwidthProfile`] and its parts, with their defaults.
//!
//! Every field has a serde default, so an empty file is the default profile (the shipped
//! `broadband.toml` without its `[priority.kinds]` table: the edge knows no game's unit kinds,
//! so a kind gets [`DEFAULT_KIND_MULTIPLIER`] unless a profile lists it). Values are checked by
//! [`BandwidthProfile::validate`].

use super::ProfileError;
use serde::Deserialize;
use starlane_protocol::EntityKind;
use std::collections::BTreeMap;
use std::path::Path;

/// Largest datagram payload a profile may ask for. Browsers' WebTransport datagrams carry at
/// most 1211 bytes on a 1280-byte path; 1200 leaves room for our own framing.
pub const MAX_PACKET_BYTES: u32 = 1200;
/// Smallest datagram payload a profile may ask for.
pub const MIN_PACKET_BYTES: u32 = 64;
/// Highest send rate a profile may ask for.
pub const MAX_SEND_RATE_HZ: u32 = 60;
/// Fraction of `bytes_per_sec` the budget may be exceeded by over any 1 s window, as a divisor:
/// `burst_bytes` may be at most `bytes_per_sec / BURST_DIVISOR` (5%).
pub const BURST_DIVISOR: u32 = 20;
/// Default of [`BandwidthProfile::max_pending_events`].
pub const DEFAULT_MAX_PENDING_EVENTS: u32 = 4096;
/// Range of [`BandwidthProfile::max_pending_events`].
pub const PENDING_EVENTS_RANGE: std::ops::RangeInclusive<u32> = 64..=65_536;
/// Priority multiplier of an entity kind that `priority.kinds` does not list: no preference.
pub const DEFAULT_KIND_MULTIPLIER: f32 = 1.0;

/// One named bandwidth profile: the budget a client gets and how it is spent.
///
/// The budget is a token bucket refilled at `bytes_per_sec` and holding at most `burst_bytes`.
/// Such a bucket lets through at most `burst_bytes + bytes_per_sec` bytes in any 1 s window,
/// which is why `burst_bytes` is limited to 5% of `bytes_per_sec` (the platform's target is
/// never more than 5% over the budget in any 1 s window).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BandwidthProfile {
    /// Sustained budget in bytes per second (payload bytes handed to the transport; reliable
    /// events count too). Default 200000.
    pub bytes_per_sec: u32,
    /// Token-bucket depth in bytes: the most that can be sent at once after a quiet period.
    /// At most `bytes_per_sec / 20` and at least `max_packet_bytes`. Default 10000.
    pub burst_bytes: u32,
    /// Send ticks per second, 1 to 60. Default 20 (the region tick rate).
    pub send_rate_hz: u32,
    /// Largest datagram the packer builds, in bytes, 64 to 1200. Default 1200.
    pub max_packet_bytes: u32,
    /// Longest a visible entity may wait for an update, in milliseconds; at least two send
    /// intervals. Default 2000.
    pub max_staleness_ms: u32,
    /// Most reliable events (vision, resources, command answers) one client may leave
    /// unacknowledged, 64 to 65536; a client past it has stopped acknowledging and its session
    /// is shed (transport close code 249, `SLOW_CONSUMER`). Newer vision and resource events
    /// replace unsent ones, so a client that acks never comes near it. Default 4096.
    pub max_pending_events: u32,
    /// How entities are ranked for the budget.
    pub priority: PriorityConfig,
    /// How coarsely values are sent.
    pub quantization: QuantizationConfig,
}

/// Priority weights: each send tick an entity's priority grows by
/// `relation weight × kind multiplier × distance tier weight` until it is sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityConfig {
    /// Weight of the client's own units. Default 8.0.
    pub own_units: f32,
    /// Weight of enemy entities. Default 4.0.
    pub enemy: f32,
    /// Weight of neutral entities (neither own nor hostile). Default 1.0.
    pub neutral: f32,
    /// Multipliers per entity kind, by the protocol's kind name (`scout = 1.5`); a kind not
    /// listed gets [`DEFAULT_KIND_MULTIPLIER`]. Default: none listed.
    pub kinds: KindMultipliers,
    /// Distance tiers from the nearest own unit, nearest first. Every tier but the last has a
    /// `max_distance_hexes`, strictly increasing; the last has none and catches everything
    /// farther. Default: within 4 hexes 4.0, within 9 hexes 2.0, within 18 hexes 1.0, beyond 0.5.
    pub distance_tiers: Vec<DistanceTier>,
}

/// Priority multipliers per entity kind, keyed by the protocol's kind names
/// ([`EntityKind::name`]: `scout`, `frigate`, `station`), so the edge names no game unit kind.
/// A kind not listed gets [`DEFAULT_KIND_MULTIPLIER`]; a name that is no [`EntityKind`] is
/// refused by [`BandwidthProfile::validate`]. Default: none listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "BTreeMap<String, f32>")]
pub struct KindMultipliers {
    /// As written in the profile (what validation checks and errors name).
    by_name: BTreeMap<String, f32>,
    /// The multiplier of every kind, indexed by its wire code, for the per-tick lookup.
    by_code: Vec<f32>,
}

/// One distance tier.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistanceTier {
    /// Entities at most this many hexes away fall in this tier; absent on the last tier only,
    /// which catches everything farther. Default: absent.
    #[serde(default)]
    pub max_distance_hexes: Option<u32>,
    /// Weight of this tier, finite and above 0. Default 1.0.
    #[serde(default = "default_tier_weight")]
    pub weight: f32,
}

/// Quantization of the values sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuantizationConfig {
    /// Bits per coordinate delta, 2 to 16. Positions are exact hexes; a move whose delta does
    /// not fit in this many signed bits is sent as a full coordinate. Default 8.
    pub position_delta_bits: u8,
    /// Health is sent rounded to multiples of this step: 1 is exact, 5 sends multiples of 5.
    /// At least 1. Default 1.
    pub health_step: u16,
}

fn default_tier_weight() -> f32 {
    1.0
}

impl Default for BandwidthProfile {
    fn default() -> Self {
        Self {
            bytes_per_sec: 200_000,
            burst_bytes: 10_000,
            send_rate_hz: 20,
            max_packet_bytes: MAX_PACKET_BYTES,
            max_staleness_ms: 2_000,
            max_pending_events: DEFAULT_MAX_PENDING_EVENTS,
            priority: PriorityConfig::default(),
            quantization: QuantizationConfig::default(),
        }
    }
}

impl Default for PriorityConfig {
    fn default() -> Self {
        let tier = |max: Option<u32>, weight: f32| DistanceTier {
            max_distance_hexes: max,
            weight,
        };
        Self {
            own_units: 8.0,
            enemy: 4.0,
            neutral: 1.0,
            kinds: KindMultipliers::default(),
            distance_tiers: vec![
                tier(Some(4), 4.0),
                tier(Some(9), 2.0),
                tier(Some(18), 1.0),
                tier(None, 0.5),
            ],
        }
    }
}

impl Default for KindMultipliers {
    fn default() -> Self {
        Self::from(BTreeMap::new())
    }
}

impl From<BTreeMap<String, f32>> for KindMultipliers {
    fn from(by_name: BTreeMap<String, f32>) -> Self {
        let len = EntityKind::ALL
            .iter()
            .map(|k| usize::from(k.code()) + 1)
            .max()
            .unwrap_or(0);
        let mut by_code = vec![DEFAULT_KIND_MULTIPLIER; len];
        for (name, &weight) in &by_name {
            // Unknown names are left for validation to refuse. The index is in bounds: `len`
            // covers every kind's code.
            if let Some(kind) = EntityKind::from_name(name) {
                by_code[usize::from(kind.code())] = weight;
            }
        }
        Self { by_name, by_code }
    }
}

impl FromIterator<(EntityKind, f32)> for KindMultipliers {
    fn from_iter<I: IntoIterator<Item = (EntityKind, f32)>>(iter: I) -> Self {
        let by_name = iter
            .into_iter()
            .map(|(kind, weight)| (kind.name().to_string(), weight))
            .collect::<BTreeMap<_, _>>();
        Self::from(by_name)
    }
}

impl KindMultipliers {
    /// The multiplier of `kind`: its entry, or [`DEFAULT_KIND_MULTIPLIER`] if not listed.
    pub fn get(&self, kind: EntityKind) -> f32 {
        self.by_code
            .get(usize::from(kind.code()))
            .copied()
            .unwrap_or(DEFAULT_KIND_MULTIPLIER)
    }

    /// The entries as written, by name (including names validation refuses).
    pub fn entries(&self) -> impl Iterator<Item = (&str, f32)> {
        self.by_name.iter().map(|(name, &w)| (name.as_str(), w))
    }
}

impl Default for QuantizationConfig {
    fn default() -> Self {
        Self {
            position_delta_bits: 8,
            health_step: 1,
        }
    }
}

impl BandwidthProfile {
    /// Parse and validate the profile `name` from TOML text read from `path`.
    pub fn from_toml_str(name: &str, text: &str, path: &Path) -> Result<Self, ProfileError> {
        let profile: Self = toml::from_str(text).map_err(|source| ProfileError::Parse {
            profile: name.to_string(),
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        profile.validate(name)?;
        Ok(profile)
    }

    /// Time between send ticks, in milliseconds (rounded down).
    pub fn send_interval_ms(&self) -> u32 {
        1_000 / self.send_rate_hz.max(1)
    }
}

impl PriorityConfig {
    /// The multiplier for an entity kind (`priority.kinds.<name>`, or
    /// [`DEFAULT_KIND_MULTIPLIER`] if the profile does not list it).
    pub fn kind_multiplier(&self, kind: EntityKind) -> f32 {
        self.kinds.get(kind)
    }

    /// The weight of the first tier containing `distance_hexes` (the catch-all if none does).
    pub fn distance_weight(&self, distance_hexes: u32) -> f32 {
        self.distance_tiers
            .iter()
            .find(|t| t.max_distance_hexes.is_none_or(|max| distance_hexes <= max))
            .or(self.distance_tiers.last())
            .map_or(1.0, |t| t.weight)
    }
}
