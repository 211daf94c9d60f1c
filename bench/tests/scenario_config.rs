//! Scenario files: every shipped scenario is valid, and bad fields are named in the error.

#![allow(clippy::unwrap_used)]

use starlane_bench::scenario::config::{CapacityKind, ImpairMode, Topology};
use starlane_bench::scenario::{Scenario, ScenarioError};
use std::path::Path;

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    Scenario::load(&path).unwrap()
}

#[test]
fn every_shipped_scenario_is_valid() {
    let names = [
        "smoke",
        "standard",
        "battle",
        "columns",
        "lossy",
        "processes",
        "capacity-region",
        "capacity-region-slopes",
        "capacity-edge",
        "capacity-edge-clients",
        "storm",
        "storm-smoke",
    ];
    for name in names {
        assert_eq!(shipped(name).name, name);
    }
    let lossy = shipped("lossy");
    assert_eq!(lossy.impairment.mode, ImpairMode::Proxy);
    let (up, down) = lossy.impairment.directions();
    assert_eq!((up.loss, down.latency_ms), (0.05, 50.0));
    assert_ne!(up.seed, down.seed, "independent draws each way");
    let cap = shipped("capacity-region");
    assert_eq!(cap.topology, Topology::RegionOnly);
    let section = cap.capacity.unwrap();
    assert_eq!(section.kind, CapacityKind::Region);
    assert!(
        section.stop_over_limit,
        "a capacity search stops at the limit"
    );
    let ladder = shipped("capacity-edge-clients");
    assert_eq!(ladder.topology, Topology::Processes, "the edge's own CPU");
    assert_eq!(ladder.capacity.unwrap().kind, CapacityKind::EdgeClients);
    let slopes = shipped("capacity-region-slopes").capacity.unwrap();
    assert!(!slopes.stop_over_limit, "a slope sweep runs every step");
    assert_eq!(
        shipped("smoke").clients.udp + shipped("smoke").clients.webtransport,
        5
    );
    let storm = shipped("storm").storm.unwrap();
    assert_eq!(
        (storm.clients, storm.edges, storm.target_secs),
        (10_000, 2, 5.0)
    );
}

fn field_of(text: &str) -> &'static str {
    match Scenario::from_toml(text) {
        Err(ScenarioError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

const BASE: &str = "name = \"t\"\nduration_secs = 3\ntopology = \"in-process\"\n";

#[test]
fn errors_name_the_field() {
    assert_eq!(
        field_of(&format!("{BASE}[load]\npattern = \"zigzag\"\n")),
        "load.pattern"
    );
    assert_eq!(
        field_of(&format!("{BASE}[impairment]\nbandwidth_profile = \"3g\"\n")),
        "impairment.bandwidth_profile"
    );
    assert_eq!(
        field_of(&format!("{BASE}[impairment.up]\nloss = 2.0\n")),
        "impairment.up"
    );
    assert_eq!(
        field_of("name = \"t\"\nduration_secs = 0\ntopology = \"in-process\"\n"),
        "duration_secs"
    );
    assert_eq!(
        field_of(
            "name = \"t\"\nduration_secs = 3\ntopology = \"region-only\"\n[clients]\nudp = 3\n"
        ),
        "clients.udp"
    );
    assert_eq!(
        field_of(&format!(
            "{BASE}[capacity]\nkind = \"region\"\nsteps = [[1, 1]]\n"
        )),
        "capacity.kind"
    );
    for clients in ["[]", "[10, 5]", "[0, 5]", "[5, 5]", "[10, 6000]"] {
        assert_eq!(
            field_of(&format!(
                "{BASE}[capacity]\nkind = \"edge-clients\"\nclients = {clients}\n"
            )),
            "capacity.clients",
            "{clients}"
        );
    }
    assert_eq!(
        field_of(
            "name = \"t\"\nduration_secs = 3\ntopology = \"region-only\"\n[capacity]\nkind = \"edge-clients\"\nclients = [1]\n"
        ),
        "capacity.kind"
    );
    assert_eq!(
        field_of(&format!("{BASE}[load]\nmap_rings = 9\n")),
        "load.map_rings"
    );
    assert_eq!(
        field_of(
            "name = \"t\"\nduration_secs = 3\ntopology = \"region-only\"\n[capacity]\nkind = \"region\"\nsteps = [[1, 1]]\nsessions_per_spawn = 100001\n"
        ),
        "capacity.sessions_per_spawn"
    );
    assert_eq!(
        field_of("name = \"t\"\nduration_secs = 3\ntopology = \"processes\"\n[storm]\n"),
        "topology"
    );
    assert_eq!(
        field_of(&format!("{BASE}[storm]\nedges = 0\n")),
        "storm.edges"
    );
    assert_eq!(
        field_of(&format!("{BASE}[clients]\nudp = 3\n[storm]\nclients = 5\n")),
        "storm"
    );
    assert_eq!(
        field_of(&format!("{BASE}[storm]\ntarget_secs = -1.0\n")),
        "storm.target_secs"
    );
    let err = Scenario::from_toml(&format!("{BASE}[load]\npattern = \"zigzag\"\n")).unwrap_err();
    assert!(err.to_string().contains("fix:"), "{err}");
}

#[test]
fn unknown_fields_and_topologies_are_rejected() {
    assert!(matches!(
        Scenario::from_toml(&format!("{BASE}colour = \"red\"\n")),
        Err(ScenarioError::Parse { .. })
    ));
    assert!(matches!(
        Scenario::from_toml("name = \"t\"\nduration_secs = 3\ntopology = \"cloud\"\n"),
        Err(ScenarioError::Parse { .. })
    ));
}

/// The peers harness's scenarios (bench/peers/scenarios/) are valid; the scripts' are
/// region-only, so `--script` can record them.
#[test]
fn the_peers_scenarios_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/scenarios");
    for (file, script) in [
        ("standard", true),
        ("skirmish", true),
        ("platform-skirmish", false),
        ("platform-lossy", false),
        ("platform-lossy-inprocess", false),
    ] {
        let s = Scenario::load(&dir.join(format!("{file}.toml"))).unwrap();
        s.validate().unwrap();
        assert_eq!(s.topology == Topology::RegionOnly, script, "{file}");
    }
}

/// `--script` on a scenario whose region is not driven by the fake edge is refused before
/// anything starts, naming the field to change.
#[tokio::test]
async fn a_script_needs_a_region_only_scenario() {
    let out = tempfile::tempdir().unwrap();
    let opts = starlane_bench::scenario::RunOptions {
        progress: false,
        script: Some(out.path().join("s.jsonl")),
        ..starlane_bench::scenario::RunOptions::new(out.path())
    };
    let err = starlane_bench::scenario::run(&shipped("smoke"), &opts)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("topology = \"region-only\""),
        "{err}"
    );
    assert!(!out.path().join("s.jsonl").exists());
}
