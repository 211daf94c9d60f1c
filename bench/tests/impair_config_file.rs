//! Impairment files: presets, both-direction fields, per-direction tables, flag overrides,
//! and errors that name the field.

#![allow(clippy::unwrap_used)]

use starlane_bench::impair::{ConfigFileError, ImpairArgs, parse_duplex};
use starlane_netcore::proto::emulator::{DuplexConfig, ImpairmentConfig, Preset, downstream_seed};

#[test]
fn empty_file_is_the_default_preset() {
    assert_eq!(
        parse_duplex("", Preset::Clean).unwrap(),
        DuplexConfig::preset(Preset::Clean, 0)
    );
    assert_eq!(
        parse_duplex("", Preset::Lossy).unwrap(),
        DuplexConfig::preset(Preset::Lossy, 0)
    );
}

#[test]
fn preset_fields_and_direction_tables_stack() {
    let text = r#"
        preset = "lossy"
        seed = 7
        jitter_ms = 5.0
        [down]
        rate_limit_bytes_per_sec = 250000
        [up.gilbert_elliott]
        p_good_to_bad = 0.01
        p_bad_to_good = 0.5
    "#;
    let err = parse_duplex(text, Preset::Clean).unwrap_err();
    // The preset's 5 % loss and the bursty model exclude each other: the error says so.
    assert!(
        matches!(&err, ConfigFileError::Invalid { direction: "up", source } if source.field == "loss")
    );

    let text = text.replace("seed = 7", "seed = 7\nloss = 0.0");
    let duplex = parse_duplex(&text, Preset::Clean).unwrap();
    assert_eq!(duplex.up.latency_ms, 50.0, "from the preset");
    assert_eq!(duplex.up.jitter_ms, 5.0);
    assert_eq!(duplex.down.jitter_ms, 5.0);
    assert_eq!(duplex.up.seed, 7);
    assert_eq!(duplex.down.seed, downstream_seed(7));
    assert_eq!(duplex.up.rate_limit_bytes_per_sec, None);
    assert_eq!(duplex.down.rate_limit_bytes_per_sec, Some(250_000));
    assert_eq!(
        duplex.up.gilbert_elliott.unwrap().loss_in_bad,
        1.0,
        "default"
    );
    assert!(duplex.down.gilbert_elliott.is_none());
}

#[test]
fn a_config_survives_toml_round_trip() {
    for preset in Preset::ALL {
        let cfg = preset.config();
        let text = toml::to_string(&cfg).unwrap();
        assert_eq!(
            toml::from_str::<ImpairmentConfig>(&text).unwrap(),
            cfg,
            "{text}"
        );
    }
}

#[test]
fn errors_name_the_field() {
    let err = parse_duplex("los = 0.1", Preset::Clean).unwrap_err();
    assert!(err.to_string().contains("los"), "{err}");
    let err = parse_duplex("loss = \"high\"", Preset::Clean).unwrap_err();
    assert!(err.to_string().contains("loss"), "{err}");
    let err = parse_duplex("[down]\nloss = 2.0", Preset::Clean).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("down impairment: impairment setting `loss`"),
        "{err}"
    );
    let err = parse_duplex("preset = \"wifi\"", Preset::Clean).unwrap_err();
    assert!(err.to_string().contains("mobile"), "{err}");
    let err = parse_duplex("up = 3", Preset::Clean).unwrap_err();
    assert!(err.to_string().contains("[up]"), "{err}");
}

#[test]
fn flags_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("impair.toml");
    std::fs::write(&path, "preset = \"mobile\"\nlatency_ms = 30.0\n").unwrap();
    let args = ImpairArgs {
        config: Some(path),
        seed: Some(9),
        loss: Some(0.02),
        mtu: Some(1200),
        ..ImpairArgs::default()
    };
    let duplex = args.resolve().unwrap();
    for cfg in [&duplex.up, &duplex.down] {
        assert_eq!(cfg.latency_ms, 30.0);
        assert_eq!(cfg.loss, 0.02);
        assert!(cfg.gilbert_elliott.is_none(), "--loss replaces bursty loss");
        assert_eq!(cfg.mtu, Some(1200));
    }
    assert_eq!((duplex.up.seed, duplex.down.seed), (9, downstream_seed(9)));

    let bad = ImpairArgs {
        loss: Some(-1.0),
        ..ImpairArgs::default()
    };
    assert!(matches!(
        bad.resolve(),
        Err(ConfigFileError::Invalid { .. })
    ));
    let missing = ImpairArgs {
        config: Some("/nonexistent/impair.toml".into()),
        ..ImpairArgs::default()
    };
    assert!(matches!(
        missing.resolve(),
        Err(ConfigFileError::Read { .. })
    ));
}

#[test]
fn the_readme_example_parses() {
    let text = r#"
        preset = "mobile"
        seed = 7
        latency_ms = 40.0
        jitter_ms = 10.0
        jitter_distribution = "normal"
        preserve_order = false
        duplicate = 0.001
        reorder = 0.01
        reorder_extra_ms = 20.0
        mtu = 1200

        [gilbert_elliott]
        p_good_to_bad = 0.01
        p_bad_to_good = 0.25
        loss_in_bad = 0.9

        [down]
        rate_limit_bytes_per_sec = 250000
        queue_bytes = 32768
    "#;
    let duplex = parse_duplex(text, Preset::Clean).unwrap();
    assert_eq!(duplex.up.gilbert_elliott.unwrap().p_bad_to_good, 0.25);
    assert_eq!(duplex.up.mtu, Some(1200));
    assert_eq!(duplex.down.queue_bytes, 32_768);
    assert_eq!(duplex.up.rate_limit_bytes_per_sec, None);
}
