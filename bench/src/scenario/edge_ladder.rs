//! The edge's cost per client: the scenario's client load (its `[clients]` behaviour, ping
//! rate and UDP : WebTransport mix) run at each client count of `capacity.clients`, one run
//! per step, with the edge's CPU and peak memory measured per step, and fitted into a cost
//! per client plus a fixed base, so that ops can size an edge from the number of clients it
//! will carry.

use crate::scenario::config::{CapacitySection, Scenario, Topology};
use crate::scenario::measure::{Measured, run_with_edge};
use crate::scenario::progress::Progress;
use crate::scenario::result::{Histograms, Traffic};
use crate::scenario::slopes::least_squares;
use serde::Serialize;

/// One step of the edge ladder.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeStep {
    /// Clients planned (UDP and WebTransport together).
    pub clients: u32,
    /// Of which over WebTransport.
    pub webtransport: u32,
    /// Clients that were welcomed and stayed.
    pub connected: u64,
    /// The edge's CPU seconds per second of measurement.
    pub edge_cores: Option<f64>,
    /// The edge's CPU microseconds per connected client per second.
    pub edge_us_per_client_sec: Option<f64>,
    /// The edge process's peak resident memory (KiB; "processes" topology only).
    pub edge_peak_rss_kib: Option<u64>,
    /// The region process's CPU seconds per second ("processes" topology only).
    pub region_cores: Option<f64>,
    /// Median bytes received per client per second.
    pub down_bytes_median: Option<f64>,
    /// Round-trip time p99 of the clients' pings (ms).
    pub rtt_p99_ms: Option<f64>,
    /// Every planned client connected, got at least [`SERVED_SHARE`] of the first step's
    /// median down bytes and saw a ping RTT p99 of at most [`SERVED_RTT_P99_MS`]: the machine
    /// kept up, so the step's costs are the edge's at this load (on a shared machine the
    /// clients and the region compete with the edge for cores).
    pub served: bool,
    /// The first few client errors of the step.
    pub errors: Vec<String>,
}

/// The RTT p99 (ms) over which a step counts as not served: the platform's latency target
/// for a reliable message at 5 % loss (netcore/README.md), far above a kept-up loopback.
pub const SERVED_RTT_P99_MS: f64 = 155.0;

/// The share of the first step's median down bytes per client a step must deliver to count
/// as served (each client asks the same load whatever the count).
pub const SERVED_SHARE: f64 = 0.8;

/// The edge ladder and its fitted costs.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeLadder {
    /// What the edge CPU figures cover (the edge process, or the whole runner in-process).
    pub covers: String,
    /// Steps in order.
    pub steps: Vec<EdgeStep>,
    /// The most clients of a served step.
    pub largest_served: Option<u32>,
    /// Least-squares edge cores per 1,000 connected clients over the served steps (the
    /// marginal cost).
    pub cores_per_1000_clients: Option<f64>,
    /// Edge cores the fit gives at zero clients (the fixed cost).
    pub base_cores: Option<f64>,
    /// Least-squares edge peak memory per connected client (KiB).
    pub rss_kib_per_client: Option<f64>,
    /// Edge peak memory the fit gives at zero clients (KiB).
    pub base_rss_kib: Option<f64>,
}

/// The UDP and WebTransport clients of a step of `n`, in the scenario's mix.
pub fn mix(scenario: &Scenario, n: u32) -> (u32, u32) {
    let c = &scenario.clients;
    let all = u64::from(c.udp) + u64::from(c.webtransport);
    if all == 0 {
        return (n, 0);
    }
    // Rounded to the nearest client; at most n, so the cast back cannot truncate.
    let wt = ((u64::from(n) * u64::from(c.webtransport) + all / 2) / all).min(u64::from(n)) as u32;
    (n - wt, wt)
}

/// Run every step of `cap.clients` and fit the costs.
pub async fn edge_ladder(
    scenario: &Scenario,
    cap: &CapacitySection,
    progress: &Progress,
) -> anyhow::Result<(Measured, EdgeLadder)> {
    let mut steps = Vec::new();
    let mut last = Measured::default();
    let mut covers = String::from("unknown");
    for &n in &cap.clients {
        let (udp, wt) = mix(scenario, n);
        let mut s = scenario.clone();
        s.clients.udp = udp;
        s.clients.webtransport = wt;
        // The ramp happens in the warm-up, so that every step measures all its clients.
        if s.clients.ramp_per_sec > 0 {
            s.warmup_secs += u64::from(n.div_ceil(s.clients.ramp_per_sec));
        }
        progress.say(format!(
            "edge step: {n} clients ({udp} UDP, {wt} WebTransport)"
        ));
        last = run_with_edge(&s, progress).await?;
        if let Some((_, c)) = last.edge_cpu {
            covers = c.to_string();
        }
        let first_down = steps.first().and_then(|f: &EdgeStep| f.down_bytes_median);
        steps.push(step_of(&s, n, wt, &last, first_down));
    }
    let fit = |f: fn(&EdgeStep) -> Option<f64>| -> Option<(f64, f64)> {
        let xy: Vec<(f64, f64)> = steps
            .iter()
            .filter(|s| s.served)
            .filter_map(|s| Some((s.connected as f64, f(s)?)))
            .collect();
        if xy.len() < 2 {
            return None;
        }
        let slope = least_squares(&xy);
        let n = xy.len() as f64;
        let (mx, my) = xy.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        Some((slope, my / n - slope * mx / n))
    };
    let cpu = fit(|s| s.edge_cores);
    let rss = fit(|s| s.edge_peak_rss_kib.map(|k| k as f64));
    let ladder = EdgeLadder {
        covers,
        largest_served: steps.iter().filter(|s| s.served).map(|s| s.clients).max(),
        steps,
        cores_per_1000_clients: cpu.map(|(slope, _)| slope * 1000.0),
        base_cores: cpu.map(|(_, base)| base),
        rss_kib_per_client: rss.map(|(slope, _)| slope),
        base_rss_kib: rss.map(|(_, base)| base),
    };
    Ok((last, ladder))
}

fn step_of(s: &Scenario, n: u32, wt: u32, m: &Measured, first_down: Option<f64>) -> EdgeStep {
    let secs = s.duration_secs.max(1) as f64;
    let connected = m.outcomes.iter().filter(|o| o.error.is_none()).count() as u64;
    let edge_cores = m.edge_cpu.map(|(cpu, _)| cpu / secs);
    let windows: Vec<_> = m
        .outcomes
        .iter()
        .flat_map(|o| o.windows.iter().copied())
        .collect();
    let find = |name: &str| m.processes.iter().find(|p| p.0 == name);
    let processes = s.topology == Topology::Processes;
    let down = Traffic::of(&windows).map(|t| t.down_bytes.median);
    let rtt_p99 = Histograms::merge(&m.outcomes)
        .rtt_ms
        .summary()
        .map(|r| r.p99);
    // The first step is its own reference.
    let kept_up = match (down, first_down) {
        (Some(d), Some(first)) => d >= SERVED_SHARE * first,
        (Some(d), None) => d > 0.0,
        (None, _) => false,
    };
    EdgeStep {
        clients: n,
        webtransport: wt,
        connected,
        edge_cores,
        edge_us_per_client_sec: edge_cores
            .filter(|_| connected > 0)
            .map(|c| c / connected as f64 * 1e6),
        edge_peak_rss_kib: find("edge").and_then(|p| p.2).filter(|_| processes),
        region_cores: find("region")
            .and_then(|p| p.1)
            .filter(|_| processes)
            .map(|c| c / secs),
        down_bytes_median: down,
        rtt_p99_ms: rtt_p99,
        errors: m
            .outcomes
            .iter()
            .filter_map(|o| Some(format!("{} client: {}", o.transport, o.error.as_ref()?)))
            .take(3)
            .collect(),
        served: connected == u64::from(n)
            && kept_up
            && rtt_p99.is_some_and(|r| r <= SERVED_RTT_P99_MS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::config::Topology;

    fn scenario(udp: u32, wt: u32) -> Scenario {
        let mut s: Scenario =
            toml::from_str("name = \"t\"\nduration_secs = 1\ntopology = \"processes\"\n")
                .expect("a minimal scenario parses");
        s.topology = Topology::Processes;
        s.clients.udp = udp;
        s.clients.webtransport = wt;
        s
    }

    #[test]
    fn steps_keep_the_scenarios_mix() {
        assert_eq!(mix(&scenario(50, 10), 600), (500, 100));
        assert_eq!(mix(&scenario(50, 10), 100), (83, 17));
        assert_eq!(mix(&scenario(50, 10), 1), (1, 0));
        assert_eq!(mix(&scenario(20, 0), 400), (400, 0));
        assert_eq!(mix(&scenario(0, 5), 7), (0, 7));
        assert_eq!(mix(&scenario(0, 0), 3), (3, 0));
    }
}
