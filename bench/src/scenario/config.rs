//! Scenario files (`bench/scenarios/*.toml`): what to start, how many clients, what load, what
//! network impairment, for how long. Parsed with serde (unknown fields are errors) and
//! validated with errors that name the field and the fix.

use crate::scenario::storm::config::StormSection;
use serde::{Deserialize, Serialize};
use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::path::{Path, PathBuf};

/// Errors reading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The text is not a valid scenario.
    #[error("invalid scenario {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    /// A field has a value that cannot be used.
    #[error("scenario field `{field}` {problem}; fix: {fix}")]
    Invalid {
        field: &'static str,
        problem: String,
        fix: String,
    },
}

/// How the servers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topology {
    /// Region, edge and web server in this process (`starlane_local::Local`).
    InProcess,
    /// `starlane-region` and `starlane-edge` as child processes.
    Processes,
    /// Only the region, in this process; the runner is a fake edge on its QUIC link.
    RegionOnly,
}

/// What the clients' bots do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// Every 1.5-4 s, send a random own unit to a random hex near it.
    #[default]
    Wander,
    /// Only watch (and ping).
    Idle,
}

/// `[clients]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientsConfig {
    /// Native clients over encrypted UDP.
    pub udp: u32,
    /// Native clients over WebTransport.
    pub webtransport: u32,
    /// Native clients over the WebSocket fallback (netcore/WEBSOCKET.md).
    pub websocket: u32,
    /// Sessions opened by the fake edge (topology "region-only" only).
    pub sessions: u32,
    /// Clients started per second (0 = all at once).
    pub ramp_per_sec: u32,
    /// What their bots do.
    pub behaviour: Behaviour,
    /// Pings per second per client (round-trip times; the load of "capacity-edge").
    pub ping_rate_per_sec: u32,
}

impl Default for ClientsConfig {
    fn default() -> Self {
        Self {
            udp: 0,
            webtransport: 0,
            websocket: 0,
            sessions: 0,
            ramp_per_sec: 50,
            behaviour: Behaviour::Wander,
            ping_rate_per_sec: 4,
        }
    }
}

/// `[load]`: synthetic NPC units in the region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadSection {
    /// Number of NPC units.
    pub npc_count: u32,
    /// "wander", "battle", "columns", "skirmish" (two sides fighting at the first spawn point)
    /// or "front" (a quarter of the NPCs fighting all over the map, the rest wandering).
    pub pattern: String,
    /// Seed of their placement and choices.
    pub npc_seed: u64,
    /// Rings of chunks of the region's map (the region's `map_rings`, 1..=8); 0 keeps the
    /// region's default map (region-only runs).
    pub map_rings: u32,
}

impl Default for LoadSection {
    fn default() -> Self {
        Self {
            npc_count: 0,
            pattern: "wander".into(),
            npc_seed: 1,
            map_rings: 0,
        }
    }
}

/// Where the impairment is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImpairMode {
    /// A clean loopback.
    #[default]
    None,
    /// An emulator in this process (the impairment proxy, started in this process).
    InProcess,
    /// The impairment proxy in front of the edge's ports.
    Proxy,
}

/// The edge's default bandwidth profile.
pub const DEFAULT_PROFILE: &str = "broadband";

/// `[impairment]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImpairmentSection {
    /// Where impairment is applied.
    pub mode: ImpairMode,
    /// The same settings each way (used for a direction that has no table of its own).
    pub symmetric: Option<ImpairmentConfig>,
    /// Client to server.
    pub up: Option<ImpairmentConfig>,
    /// Server to client.
    pub down: Option<ImpairmentConfig>,
    /// The edge's bandwidth profile for every client, browser and native: a name of the
    /// edge's built-in profiles (`configs/bandwidth/`: lan, broadband, mobile, constrained).
    /// Default: the edge's default selection ("broadband").
    pub bandwidth_profile: Option<String>,
}

impl ImpairmentSection {
    /// The settings of (up, down), each defaulting to `symmetric`, then to none.
    pub fn directions(&self) -> (ImpairmentConfig, ImpairmentConfig) {
        let base = self.symmetric.clone().unwrap_or_default();
        let up = self.up.clone().unwrap_or_else(|| base.clone());
        let mut down = self.down.clone().unwrap_or(base);
        if self.down.is_none() && self.symmetric.is_some() {
            // Independent draws each way.
            down.seed = down.seed.wrapping_add(1);
        }
        (up, down)
    }

    /// The bandwidth profile's name ("broadband", the edge's default, when not set).
    pub fn profile(&self) -> &str {
        self.bandwidth_profile.as_deref().unwrap_or(DEFAULT_PROFILE)
    }
}

/// Which capacity search a scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityKind {
    /// Sweep sessions x NPCs on one region (topology "region-only").
    Region,
    /// Ping datagrams through the edge, beside the loopback UDP ceiling.
    Edge,
    /// The scenario's client load at each count of `clients`: the edge's CPU and memory per
    /// client.
    EdgeClients,
}

/// `[capacity]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitySection {
    /// Which search.
    pub kind: CapacityKind,
    /// Region sweep: `[sessions, npcs]` pairs, tried in order until one fails.
    #[serde(default)]
    pub steps: Vec<[u32; 2]>,
    /// Region sweep: seconds measured per step (after `warmup_secs`).
    #[serde(default = "default_step_secs")]
    pub step_secs: u64,
    /// Region sweep: a step passes when tick p99 is below this.
    #[serde(default = "default_tick_limit")]
    pub tick_p99_limit_ms: f64,
    /// Region sweep: stop at the first step over the limit (a capacity search); false runs
    /// every step (a slope sweep: tick time against sessions and against NPCs).
    #[serde(default = "default_stop_over_limit")]
    pub stop_over_limit: bool,
    /// Edge: echoes of each loopback ceiling measurement (plain and batched).
    #[serde(default = "default_ceiling_count")]
    pub ceiling_count: u64,
    /// Edge clients: client counts, in increasing order, each run in the mix of UDP and
    /// WebTransport clients that `[clients]` gives.
    #[serde(default)]
    pub clients: Vec<u32>,
    /// Region sweep: size each step's map by its sessions, with the fewest rings of chunks
    /// that give at least one spawn point per this many sessions (at most 6 rings, 126
    /// spawns); 0 keeps `load.map_rings` at every step.
    #[serde(default)]
    pub sessions_per_spawn: u32,
}

fn default_step_secs() -> u64 {
    5
}
fn default_stop_over_limit() -> bool {
    true
}
fn default_tick_limit() -> f64 {
    25.0
}
fn default_ceiling_count() -> u64 {
    200_000
}

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, used in the results directory.
    pub name: String,
    /// Seconds measured after the warm-up.
    pub duration_secs: u64,
    /// Seconds run before measuring.
    #[serde(default)]
    pub warmup_secs: u64,
    /// How the servers run.
    pub topology: Topology,
    /// Clients.
    #[serde(default)]
    pub clients: ClientsConfig,
    /// NPC load.
    #[serde(default)]
    pub load: LoadSection,
    /// Network impairment.
    #[serde(default)]
    pub impairment: ImpairmentSection,
    /// Capacity search, if this is a capacity scenario.
    #[serde(default)]
    pub capacity: Option<CapacitySection>,
    /// Reconnect storm, if this is a storm scenario.
    #[serde(default)]
    pub storm: Option<StormSection>,
}

fn invalid(
    field: &'static str,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> ScenarioError {
    ScenarioError::Invalid {
        field,
        problem: problem.into(),
        fix: fix.into(),
    }
}

impl Scenario {
    /// Read, parse and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        let s: Scenario = toml::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: path.to_owned(),
            source: Box::new(e),
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Parse and validate TOML text.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: PathBuf::from("<text>"),
            source: Box::new(e),
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Check every field.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(invalid(
                "name",
                format!("is {:?}", self.name),
                "use 1-64 letters, digits, '-' or '_'",
            ));
        }
        if !(1..=3600).contains(&self.duration_secs) {
            return Err(invalid(
                "duration_secs",
                format!("is {}", self.duration_secs),
                "use 1..=3600",
            ));
        }
        if self.warmup_secs > 600 {
            return Err(invalid(
                "warmup_secs",
                format!("is {}", self.warmup_secs),
                "use 0..=600",
            ));
        }
        self.validate_clients()?;
        // The region's own parser: one list of patterns.
        if let Err(e) = self.load.pattern.parse::<starlane_game::NpcPattern>() {
            return Err(invalid(
                "load.pattern",
                format!("is {:?}", self.load.pattern),
                e.rsplit("; ").next().unwrap_or_default(),
            ));
        }
        if self.load.npc_count > 200_000 {
            return Err(invalid(
                "load.npc_count",
                format!("is {}", self.load.npc_count),
                "use 0..=200000",
            ));
        }
        if self.load.map_rings > 8 {
            return Err(invalid(
                "load.map_rings",
                format!("is {}", self.load.map_rings),
                "use 0 (the region's default map) or 1..=8",
            ));
        }
        self.validate_impairment()?;
        self.validate_capacity()?;
        crate::scenario::storm::config::validate(self)
    }

    fn validate_clients(&self) -> Result<(), ScenarioError> {
        let c = &self.clients;
        let region_only = self.topology == Topology::RegionOnly;
        if region_only && (c.udp > 0 || c.webtransport > 0 || c.websocket > 0) {
            return Err(invalid(
                "clients.udp",
                "needs an edge, which topology \"region-only\" has not",
                "set clients.sessions instead, or another topology",
            ));
        }
        if !region_only && c.sessions > 0 {
            return Err(invalid(
                "clients.sessions",
                "is only for topology \"region-only\"",
                "use clients.udp / clients.webtransport / clients.websocket",
            ));
        }
        if c.udp + c.webtransport + c.websocket > 5_000 || c.sessions > 100_000 {
            return Err(invalid(
                "clients",
                "asks for too many clients",
                "use at most 5000 clients or 100000 sessions",
            ));
        }
        if c.ping_rate_per_sec > 100_000 {
            return Err(invalid(
                "clients.ping_rate_per_sec",
                format!("is {}", c.ping_rate_per_sec),
                "use 0..=100000",
            ));
        }
        Ok(())
    }

    fn validate_impairment(&self) -> Result<(), ScenarioError> {
        let imp = &self.impairment;
        let known = starlane_edge::config::embedded_set()
            .map(|set| set.names().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_default();
        if !known.iter().any(|n| n == imp.profile()) {
            return Err(invalid(
                "impairment.bandwidth_profile",
                format!("is {:?}, which is not a built-in profile", imp.profile()),
                format!("use one of {}", known.join(", ")),
            ));
        }
        if self.topology == Topology::RegionOnly && imp.bandwidth_profile.is_some() {
            return Err(invalid(
                "impairment.bandwidth_profile",
                "is set, and the region-only topology has no edge".to_string(),
                "leave it out, or use the in-process or processes topology",
            ));
        }
        let (up, down) = imp.directions();
        for (field, cfg) in [("impairment.up", &up), ("impairment.down", &down)] {
            cfg.validate()
                .map_err(|e| invalid(field, e.to_string(), "correct the setting named above"))?;
        }
        if imp.mode != ImpairMode::None && self.topology == Topology::RegionOnly {
            return Err(invalid(
                "impairment.mode",
                "needs client traffic, which topology \"region-only\" has not",
                "use mode = \"none\"",
            ));
        }
        Ok(())
    }

    fn validate_capacity(&self) -> Result<(), ScenarioError> {
        let Some(cap) = &self.capacity else {
            return Ok(());
        };
        match cap.kind {
            CapacityKind::Region => {
                if self.topology != Topology::RegionOnly {
                    return Err(invalid(
                        "capacity.kind",
                        "\"region\" sweeps need topology \"region-only\"",
                        "set topology = \"region-only\"",
                    ));
                }
                if cap.steps.is_empty() {
                    return Err(invalid(
                        "capacity.steps",
                        "is empty",
                        "list [sessions, npcs] pairs, e.g. [[10, 1000], [50, 5000]]",
                    ));
                }
                if !(1..=600).contains(&cap.step_secs) {
                    return Err(invalid(
                        "capacity.step_secs",
                        format!("is {}", cap.step_secs),
                        "use 1..=600",
                    ));
                }
                if cap.sessions_per_spawn > 100_000 {
                    return Err(invalid(
                        "capacity.sessions_per_spawn",
                        format!("is {}", cap.sessions_per_spawn),
                        "use 0 (the load's map) or e.g. 50",
                    ));
                }
            }
            CapacityKind::Edge => {
                if self.topology == Topology::RegionOnly || self.clients.udp == 0 {
                    return Err(invalid(
                        "capacity.kind",
                        "\"edge\" needs UDP clients through an edge",
                        "set topology = \"processes\" or \"in-process\" and clients.udp > 0",
                    ));
                }
                if !(1_000..=10_000_000).contains(&cap.ceiling_count) {
                    return Err(invalid(
                        "capacity.ceiling_count",
                        format!("is {}", cap.ceiling_count),
                        "use 1000..=10000000",
                    ));
                }
            }
            CapacityKind::EdgeClients => self.validate_edge_clients(cap)?,
        }
        Ok(())
    }

    fn validate_edge_clients(&self, cap: &CapacitySection) -> Result<(), ScenarioError> {
        if self.topology == Topology::RegionOnly {
            return Err(invalid(
                "capacity.kind",
                "\"edge-clients\" needs clients through an edge",
                "set topology = \"processes\" (the edge's own CPU) or \"in-process\"",
            ));
        }
        let ordered = cap.clients.windows(2).all(|w| w[0] < w[1]);
        let in_range = cap.clients.iter().all(|n| (1..=5_000).contains(n));
        if cap.clients.is_empty() || !ordered || !in_range {
            return Err(invalid(
                "capacity.clients",
                format!("is {:?}", cap.clients),
                "list client counts in increasing order, each 1..=5000, e.g. [50, 100, 200]",
            ));
        }
        Ok(())
    }
}
