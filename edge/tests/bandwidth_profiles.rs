//! Bandwidth profiles: the shipped files, defaults, every validation rule, directory loading,
//! selection and reload.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::bandwidth::{
    BandwidthProfile, ClientClass, DEFAULT_KIND_MULTIPLIER, DistanceTier, KindMultipliers,
    ProfileError, ProfileSelection, ProfileSet,
};
use starlane_protocol::EntityKind;
use std::path::{Path, PathBuf};

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/bandwidth")
}

fn parse(text: &str) -> Result<BandwidthProfile, ProfileError> {
    BandwidthProfile::from_toml_str("test", text, Path::new("test.toml"))
}

/// Parse `text`, expect a validation error, check it names the profile, return its field.
fn invalid_field(text: &str) -> String {
    let err = parse(text).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("bandwidth profile test"), "{message}");
    assert!(message.contains("fix: "), "{message}");
    match err {
        ProfileError::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

/// The shipped profiles' multipliers: scouts 1.0, frigates 1.5, stations `station`.
fn shipped_kinds(station: f32) -> KindMultipliers {
    [
        (EntityKind::Scout, 1.0),
        (EntityKind::Frigate, 1.5),
        (EntityKind::Station, station),
    ]
    .into_iter()
    .collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn shipped_profiles_load_and_validate() {
    let set = ProfileSet::load_dir(&shipped_dir()).unwrap();
    let names: Vec<&str> = set.names().collect();
    assert_eq!(names, ["broadband", "constrained", "lan", "mobile"]);
    let rate = |name: &str| set.get(name).unwrap().bytes_per_sec;
    assert_eq!(rate("lan"), 1_000_000);
    assert_eq!(rate("broadband"), 200_000);
    assert_eq!(rate("mobile"), 50_000);
    assert_eq!(rate("constrained"), 16_000);
    for name in set.names() {
        let p = set.get(name).unwrap();
        assert!(p.burst_bytes <= p.bytes_per_sec / 20, "{name}");
        assert!(p.burst_bytes >= p.max_packet_bytes, "{name}");
    }
    // broadband.toml writes out exactly the defaults, plus the per-kind multipliers (the edge
    // has no per-kind defaults: it names no game unit kind).
    let mut defaults = BandwidthProfile::default();
    defaults.priority.kinds = shipped_kinds(0.5);
    assert_eq!(**set.get("broadband").unwrap(), defaults);
    // Every shipped profile keeps its multipliers (constrained halves the stations').
    for name in ["broadband", "lan", "mobile"] {
        assert_eq!(
            set.get(name).unwrap().priority.kinds,
            shipped_kinds(0.5),
            "{name}"
        );
    }
    assert_eq!(
        set.get("constrained").unwrap().priority.kinds,
        shipped_kinds(0.25)
    );
    assert_eq!(set.get("mobile").unwrap().quantization.health_step, 5);
    // The default selection resolves against the shipped set.
    let resolved = ProfileSelection::default().resolve(&set).unwrap();
    assert_eq!(resolved.for_class(ClientClass::Browser).name, "broadband");
    assert_eq!(resolved.for_class(ClientClass::Native).name, "broadband");
}

#[test]
fn empty_file_gives_the_defaults() {
    let p = parse("").unwrap();
    assert_eq!(p, BandwidthProfile::default());
    assert_eq!(p.bytes_per_sec, 200_000);
    assert_eq!(p.burst_bytes, 10_000);
    assert_eq!(p.send_rate_hz, 20);
    assert_eq!(p.max_packet_bytes, 1200);
    assert_eq!(p.max_staleness_ms, 2000);
    assert_eq!(p.send_interval_ms(), 50);
    assert_eq!(p.priority.distance_tiers.len(), 4);
    assert_eq!(
        p.priority.distance_tiers.last().unwrap().max_distance_hexes,
        None
    );
    assert_eq!(p.quantization.position_delta_bits, 8);
    assert_eq!(p.quantization.health_step, 1);
}

#[test]
fn partial_file_keeps_other_defaults_and_takes_integer_weights() {
    let p = parse("[priority]\nown_units = 12\n[priority.kinds]\nstation = 2\n").unwrap();
    assert_eq!(p.priority.own_units, 12.0);
    assert_eq!(p.priority.kind_multiplier(EntityKind::Station), 2.0);
    // Kinds not listed get the documented default.
    assert_eq!(
        p.priority.kind_multiplier(EntityKind::Scout),
        DEFAULT_KIND_MULTIPLIER
    );
    assert_eq!(
        p.priority.kind_multiplier(EntityKind::Frigate),
        DEFAULT_KIND_MULTIPLIER
    );
    assert_eq!(p.priority.enemy, 4.0);
    assert_eq!(p.bytes_per_sec, 200_000);
}

#[test]
fn weights_are_looked_up_by_kind_and_distance_tier() {
    let p = BandwidthProfile::default().priority;
    for kind in EntityKind::ALL {
        assert_eq!(
            p.kind_multiplier(*kind),
            DEFAULT_KIND_MULTIPLIER,
            "{kind:?}"
        );
    }
    let shipped = parse(include_str!("../../configs/bandwidth/broadband.toml")).unwrap();
    let k = &shipped.priority;
    assert_eq!(k.kind_multiplier(EntityKind::Scout), 1.0);
    assert_eq!(k.kind_multiplier(EntityKind::Frigate), 1.5);
    assert_eq!(k.kind_multiplier(EntityKind::Station), 0.5);
    assert_eq!(p.distance_weight(0), 4.0);
    assert_eq!(p.distance_weight(4), 4.0);
    assert_eq!(p.distance_weight(5), 2.0);
    assert_eq!(p.distance_weight(18), 1.0);
    assert_eq!(p.distance_weight(19), 0.5);
    assert_eq!(p.distance_weight(u32::MAX), 0.5);
}

#[test]
fn zero_rate_is_rejected() {
    assert_eq!(invalid_field("bytes_per_sec = 0"), "bytes_per_sec");
}

#[test]
fn send_rate_must_be_1_to_60() {
    assert_eq!(invalid_field("send_rate_hz = 0"), "send_rate_hz");
    assert_eq!(invalid_field("send_rate_hz = 61"), "send_rate_hz");
    assert!(parse("send_rate_hz = 60").is_ok());
    assert!(parse("send_rate_hz = 1").is_ok());
}

#[test]
fn packet_size_must_be_64_to_1200() {
    assert_eq!(invalid_field("max_packet_bytes = 63"), "max_packet_bytes");
    assert_eq!(invalid_field("max_packet_bytes = 1201"), "max_packet_bytes");
    assert!(parse("max_packet_bytes = 64").is_ok());
}

#[test]
fn burst_over_5_percent_of_rate_is_rejected_with_the_reason() {
    let text = "bytes_per_sec = 100000\nburst_bytes = 5001";
    assert_eq!(invalid_field(text), "burst_bytes");
    let message = parse(text).unwrap_err().to_string();
    assert!(message.contains("at most 5000"), "{message}");
    assert!(message.contains("B + R"), "{message}");
    assert!(parse("bytes_per_sec = 100000\nburst_bytes = 5000").is_ok());
}

#[test]
fn burst_smaller_than_a_packet_is_rejected() {
    let text = "bytes_per_sec = 16000\nburst_bytes = 800";
    assert_eq!(invalid_field(text), "burst_bytes");
    let message = parse(text).unwrap_err().to_string();
    assert!(
        message.contains("max_packet_bytes to at most 800"),
        "{message}"
    );
    assert!(parse("bytes_per_sec = 16000\nburst_bytes = 800\nmax_packet_bytes = 800").is_ok());
}

#[test]
fn staleness_must_cover_two_send_intervals() {
    assert_eq!(invalid_field("max_staleness_ms = 99"), "max_staleness_ms");
    assert!(parse("max_staleness_ms = 100").is_ok());
    // 2 intervals at 3 Hz are 666.7 ms: 666 is too short, 667 is enough.
    let at = |ms: u32| format!("send_rate_hz = 3\nmax_staleness_ms = {ms}");
    assert_eq!(invalid_field(&at(666)), "max_staleness_ms");
    assert!(parse(&at(667)).is_ok());
}

#[test]
fn weights_must_be_finite_and_positive() {
    assert_eq!(
        invalid_field("[priority]\nown_units = 0.0"),
        "priority.own_units"
    );
    assert_eq!(invalid_field("[priority]\nenemy = -1.0"), "priority.enemy");
    assert_eq!(
        invalid_field("[priority]\nneutral = nan"),
        "priority.neutral"
    );
    assert_eq!(
        invalid_field("[priority.kinds]\nstation = inf"),
        "priority.kinds.station"
    );
    assert_eq!(
        invalid_field("[priority]\ndistance_tiers = [{ max_distance_hexes = 2 }, { weight = 0 }]"),
        "priority.distance_tiers[1].weight"
    );
}

#[test]
fn distance_tiers_must_not_be_empty() {
    assert_eq!(
        invalid_field("[priority]\ndistance_tiers = []"),
        "priority.distance_tiers"
    );
    let p = parse("[priority]\ndistance_tiers = [{}]").unwrap();
    assert_eq!(
        p.priority.distance_tiers,
        [DistanceTier {
            max_distance_hexes: None,
            weight: 1.0
        }]
    );
}

#[test]
fn distance_tiers_must_be_sorted_ascending() {
    let text = "[priority]\ndistance_tiers = [{ max_distance_hexes = 5, weight = 2.0 }, \
                { max_distance_hexes = 5, weight = 1.0 }, { weight = 0.5 }]";
    assert_eq!(
        invalid_field(text),
        "priority.distance_tiers[1].max_distance_hexes"
    );
}

#[test]
fn distance_tiers_end_with_exactly_one_catch_all() {
    let no_catch_all = "[priority]\ndistance_tiers = [{ max_distance_hexes = 5, weight = 2.0 }]";
    assert_eq!(
        invalid_field(no_catch_all),
        "priority.distance_tiers[0].max_distance_hexes"
    );
    let early_catch_all = "[priority]\ndistance_tiers = [{ weight = 2.0 }, { weight = 1.0 }]";
    assert_eq!(
        invalid_field(early_catch_all),
        "priority.distance_tiers[0].max_distance_hexes"
    );
}

#[test]
fn quantization_values_are_checked() {
    let bits = "quantization.position_delta_bits";
    assert_eq!(
        invalid_field("[quantization]\nposition_delta_bits = 1"),
        bits
    );
    assert_eq!(
        invalid_field("[quantization]\nposition_delta_bits = 17"),
        bits
    );
    assert_eq!(
        invalid_field("[quantization]\nhealth_step = 0"),
        "quantization.health_step"
    );
}

#[test]
fn unknown_fields_are_rejected_naming_them() {
    for (text, name) in [
        ("bytes_per_second = 5", "bytes_per_second"),
        ("[priority]\nallies = 2.0", "allies"),
        (
            "[priority]\ndistance_tiers = [{ max_hexes = 3 }]",
            "max_hexes",
        ),
    ] {
        let err = parse(text).unwrap_err();
        assert!(matches!(err, ProfileError::Parse { .. }), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn unknown_kind_names_are_refused_naming_the_field_and_the_kinds() {
    for text in [
        "[priority.kinds]\ncarrier = 2.0",
        "[priority.kinds]\nScout = 2.0",
        "[priority.kinds]\nscout = 1.0\nstations = 0.5",
    ] {
        let field = invalid_field(text);
        assert!(field.starts_with("priority.kinds."), "{field}");
        let message = parse(text).unwrap_err().to_string();
        assert!(
            message.contains("use one of scout, frigate, station"),
            "{message}"
        );
    }
    assert_eq!(
        invalid_field("[priority.kinds]\ncarrier = 2.0"),
        "priority.kinds.carrier"
    );
}

#[test]
fn empty_or_missing_directory_is_an_error_and_other_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "README.md", "not a profile");
    let err = ProfileSet::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, ProfileError::Empty { .. }), "{err}");
    write(dir.path(), "lan.toml", "");
    let set = ProfileSet::load_dir(dir.path()).unwrap();
    assert_eq!(set.names().collect::<Vec<_>>(), ["lan"]);
    assert_eq!(set.len(), 1);
    let err = ProfileSet::load_dir(&dir.path().join("absent")).unwrap_err();
    assert!(matches!(err, ProfileError::Read { .. }), "{err}");
}

#[test]
fn profile_names_must_be_lowercase_words() {
    for bad in ["Mobile.toml", "my profile.toml", "a.b.toml"] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), bad, "");
        let err = ProfileSet::load_dir(dir.path()).unwrap_err();
        assert!(matches!(err, ProfileError::BadName { .. }), "{bad}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "low_band-2.toml", "");
    assert!(ProfileSet::load_dir(dir.path()).is_ok());
}

#[test]
fn an_invalid_file_names_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.toml", "");
    write(dir.path(), "slow.toml", "bytes_per_sec = 0");
    let err = ProfileSet::load_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("bandwidth profile slow"), "{err}");
    assert_eq!(err.field(), Some("bytes_per_sec"));
}

#[test]
fn selection_of_an_unknown_profile_names_the_field() {
    let set = ProfileSet::load_dir(&shipped_dir()).unwrap();
    let selection = ProfileSelection {
        browser: "mobile".into(),
        native: "satellite".into(),
        ..ProfileSelection::default()
    };
    let err = selection.resolve(&set).unwrap_err();
    assert_eq!(err.field(), Some("native"));
    let message = err.to_string();
    assert!(message.contains("\"satellite\""), "{message}");
    assert!(message.contains("constrained"), "{message}");
    let selection = ProfileSelection {
        browser: "dialup".into(),
        native: "lan".into(),
        ..ProfileSelection::default()
    };
    assert_eq!(
        selection.resolve(&set).unwrap_err().field(),
        Some("browser")
    );
    let ok = ProfileSelection {
        browser: "mobile".into(),
        native: "lan".into(),
        user_types: [("bot".to_string(), "constrained".to_string())].into(),
    };
    let resolved = ok.resolve(&set).unwrap();
    assert_eq!(resolved.for_user_type("bot").unwrap().name, "constrained");
    assert!(resolved.for_user_type("user").is_none());
    assert_eq!(resolved.browser.profile.bytes_per_sec, 50_000);
    assert_eq!(resolved.for_class(ClientClass::Native).name, "lan");
    let err = set.named("session", "nope").unwrap_err();
    assert_eq!(err.field(), Some("session"));
}

#[test]
fn selection_reads_from_toml_with_defaults() {
    let s: ProfileSelection = toml::from_str("native = \"lan\"").unwrap();
    assert_eq!(s.native, "lan");
    assert_eq!(s.browser, "broadband");
    assert!(toml::from_str::<ProfileSelection>("mobile = \"x\"").is_err());
}

#[test]
fn reload_with_a_broken_file_keeps_the_old_set() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lan.toml",
        "bytes_per_sec = 1000000\nburst_bytes = 50000",
    );
    write(
        dir.path(),
        "mobile.toml",
        "bytes_per_sec = 50000\nburst_bytes = 2500",
    );
    let current = ProfileSet::load_dir(dir.path()).unwrap();
    let before = current.clone();

    write(
        dir.path(),
        "mobile.toml",
        "bytes_per_sec = 50000\nburst_bytes = 9000",
    );
    let err = current.reload(dir.path()).unwrap_err();
    assert_eq!(err.field(), Some("burst_bytes"));
    write(dir.path(), "mobile.toml", "bytes_per_sec = [");
    let err = current.reload(dir.path()).unwrap_err();
    assert!(matches!(err, ProfileError::Parse { .. }), "{err}");
    assert_eq!(current, before);
    assert_eq!(current.get("mobile").unwrap().burst_bytes, 2500);

    // Fixed: the new set replaces the old one, and the change is reported.
    write(
        dir.path(),
        "mobile.toml",
        "bytes_per_sec = 60000\nburst_bytes = 3000",
    );
    write(
        dir.path(),
        "tiny.toml",
        "bytes_per_sec = 24000\nburst_bytes = 1200",
    );
    let next = current.reload(dir.path()).unwrap();
    assert_eq!(next.get("mobile").unwrap().bytes_per_sec, 60_000);
    assert_eq!(current.changed_in(&next), ["mobile", "tiny"]);
    assert!(next.changed_in(&next).is_empty());
}

#[test]
fn reload_refuses_to_drop_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lan.toml", "");
    write(dir.path(), "mobile.toml", "");
    let current = ProfileSet::load_dir(dir.path()).unwrap();
    std::fs::remove_file(dir.path().join("mobile.toml")).unwrap();
    let err = current.reload(dir.path()).unwrap_err();
    assert!(
        matches!(&err, ProfileError::Removed { name } if name == "mobile"),
        "{err}"
    );
    assert!(current.get("mobile").is_some());
}

#[test]
fn sets_can_be_built_in_memory() {
    let set = ProfileSet::from_profiles([("a".to_string(), BandwidthProfile::default())]).unwrap();
    assert!(set.get("a").is_some());
    let bad = BandwidthProfile {
        send_rate_hz: 0,
        ..BandwidthProfile::default()
    };
    let err = ProfileSet::from_profiles([("b".to_string(), bad)]).unwrap_err();
    assert_eq!(err.field(), Some("send_rate_hz"));
    let err = ProfileSet::from_profiles(Vec::new()).unwrap_err();
    assert!(matches!(err, ProfileError::Empty { .. }), "{err}");
}
