//! `[storm]`: a reconnect storm. The clients connect to the edges in turn and play; then
//! every edge is restarted and all clients reconnect at the same instant (a new handshake and
//! a hello whose token is verified in full); the figure is the time until every client has
//! its first view update again. The scenario's `warmup_secs` is how long every client plays
//! before the storm, its `duration_secs` the longest the storm may take (clients not playing
//! by then count as failed).

use crate::scenario::config::{Scenario, ScenarioError, Topology};
use serde::{Deserialize, Serialize};

/// `[storm]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StormSection {
    /// Native encrypted-UDP clients, spread over the edges in turn.
    pub clients: u32,
    /// Edges of the region.
    pub edges: u32,
    /// Clients started per second before the storm (0 = all at once).
    pub connect_per_sec: u32,
    /// Starting units of each new empire (the region's `units_per_empire`).
    pub units_per_empire: u32,
    /// Target time from the storm's start to every client playing, in seconds.
    pub target_secs: f64,
}

impl Default for StormSection {
    fn default() -> Self {
        Self {
            clients: 200,
            edges: 2,
            connect_per_sec: 1000,
            units_per_empire: 1,
            target_secs: 5.0,
        }
    }
}

fn invalid(field: &'static str, problem: String, fix: &str) -> ScenarioError {
    ScenarioError::Invalid {
        field,
        problem,
        fix: fix.to_string(),
    }
}

/// Check `[storm]` and what it needs of the rest of the scenario.
pub fn validate(scenario: &Scenario) -> Result<(), ScenarioError> {
    let Some(s) = &scenario.storm else {
        return Ok(());
    };
    if scenario.topology != Topology::InProcess {
        return Err(invalid(
            "topology",
            format!(
                "is {:?}, and a storm starts its own servers",
                scenario.topology
            ),
            "set topology = \"in-process\"",
        ));
    }
    let c = &scenario.clients;
    if c.udp > 0 || c.webtransport > 0 || scenario.capacity.is_some() {
        return Err(invalid(
            "storm",
            "is set together with [clients] udp/webtransport or [capacity]".into(),
            "give the client count as storm.clients and leave the others out",
        ));
    }
    let checks: [(&'static str, u64, u64, u64, &str); 4] = [
        (
            "storm.clients",
            s.clients.into(),
            1,
            20_000,
            "use 1..=20000",
        ),
        ("storm.edges", s.edges.into(), 1, 8, "use 1..=8"),
        (
            "storm.connect_per_sec",
            s.connect_per_sec.into(),
            0,
            100_000,
            "use 0..=100000",
        ),
        (
            "storm.units_per_empire",
            s.units_per_empire.into(),
            1,
            64,
            "use 1..=64",
        ),
    ];
    for (field, value, lo, hi, fix) in checks {
        if !(lo..=hi).contains(&value) {
            return Err(invalid(field, format!("is {value}"), fix));
        }
    }
    if !(s.target_secs.is_finite() && s.target_secs > 0.0) {
        return Err(invalid(
            "storm.target_secs",
            format!("is {}", s.target_secs),
            "use a positive number of seconds, e.g. 5",
        ));
    }
    Ok(())
}
