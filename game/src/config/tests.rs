use super::*;

#[test]
fn empty_file_gives_defaults() {
    let cfg = RegionConfig::from_toml("").expect("empty toml parses");
    assert_eq!(cfg, RegionConfig::default());
    cfg.validate().expect("defaults are valid");
    assert_eq!(cfg.tick_hz, 20);
    assert_eq!(cfg.chunk_radius, 9);
    assert_eq!(cfg.effective_database_url(), "sqlite://data/region.db");
    assert_eq!(cfg.http.bind.to_string(), "127.0.0.1:9101");
}

#[test]
fn shipped_config_matches_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/region.toml");
    let cfg = RegionConfig::from_file(&path).expect("configs/region.toml parses");
    assert_eq!(cfg, RegionConfig::default());
}

#[test]
fn env_overrides_fields() {
    let mut cfg = RegionConfig::default();
    let vars = [
        ("STARLANE_REGION_TICK_HZ", "30"),
        ("STARLANE_REGION_CHUNK_RADIUS", "5"),
        ("STARLANE_REGION_LINK_BIND", "127.0.0.1:0"),
        ("STARLANE_REGION_VISION_SCOUT", "3"),
        ("STARLANE_REGION_STEALTH_CLOAKED", "scout, frigate"),
        ("STARLANE_REGION_HTTP_BIND", "[::]:9200"),
        ("OTHER_VAR", "x"),
    ];
    cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    assert_eq!(cfg.tick_hz, 30);
    assert_eq!(cfg.chunk_radius, 5);
    assert_eq!(cfg.vision.scout, 3);
    assert_eq!(cfg.stealth.cloaked, ["scout", "frigate"]);
    assert_eq!(cfg.link_bind.port(), 0);
    assert_eq!(cfg.http.bind.to_string(), "[::]:9200");
}

#[test]
fn errors_name_the_field() {
    let mut cfg = RegionConfig::default();
    let err = cfg
        .apply_env([("STARLANE_REGION_TICK_HZ".to_string(), "fast".to_string())])
        .expect_err("not a number");
    assert!(err.to_string().contains("STARLANE_REGION_TICK_HZ"), "{err}");
    cfg.tick_hz = 0;
    let err = cfg.validate().expect_err("zero tick rate");
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                field: "tick_hz",
                ..
            }
        ),
        "{err}"
    );
    cfg.tick_hz = 20;
    for rings in 1..=6 {
        cfg.map_rings = rings;
        cfg.validate()
            .expect("the map fits the clients' map message");
    }
    cfg.map_rings = 8;
    let err = cfg
        .validate()
        .expect_err("too many asteroids for the map message");
    assert!(
        err.to_string().contains("map_rings") && err.to_string().contains("at most 4096"),
        "{err}"
    );
    cfg.asteroid_percent = 0;
    cfg.validate().expect("8 rings without asteroids");
    cfg.asteroid_percent = 8;
    cfg.map_rings = 9;
    assert!(cfg.validate().is_err(), "9 rings");
    cfg.map_rings = 1;
    cfg.tick_threads = 65;
    let err = cfg.validate().expect_err("too many tick threads");
    assert!(
        err.to_string().contains("tick_threads") && err.to_string().contains("one per core"),
        "{err}"
    );
    cfg.apply_env([("STARLANE_REGION_TICK_THREADS".to_owned(), "2".to_owned())])
        .expect("env override");
    assert_eq!(cfg.tick_threads, 2);
    cfg.validate().expect("2 tick threads");
    let err = RegionConfig::from_toml("tick_hz = \"x\"").expect_err("wrong type");
    assert!(err.to_string().contains("tick_hz"), "{err}");
    let err = RegionConfig::from_toml("no_such_field = 1").expect_err("unknown field");
    assert!(err.to_string().contains("no_such_field"), "{err}");
}

#[test]
fn load_and_bench_sections_parse_validate_and_override() {
    let cfg = RegionConfig::from_toml(
        "[load]\nnpc_count = 5000\npattern = \"columns\"\nnpc_seed = 9\n[bench]\npublish_truth = true\n",
    )
    .expect("load section parses");
    assert_eq!(
        cfg.load,
        LoadConfig {
            npc_count: 5000,
            pattern: NpcPattern::Columns,
            npc_seed: 9
        }
    );
    assert!(cfg.bench.publish_truth);
    cfg.validate().expect("in range");
    let err = RegionConfig::from_toml("[load]\npattern = \"swarm\"").expect_err("bad pattern");
    assert!(err.to_string().contains("swarm"), "{err}");
    let mut cfg = RegionConfig::default();
    cfg.load.npc_count = MAX_NPCS + 1;
    let err = cfg.validate().expect_err("too many NPCs");
    assert!(err.to_string().contains("load.npc_count"), "{err}");
    let vars = [
        ("STARLANE_REGION_LOAD_NPC_COUNT", "100"),
        ("STARLANE_REGION_LOAD_PATTERN", "battle"),
        ("STARLANE_REGION_BENCH_PUBLISH_TRUTH", "true"),
    ];
    let mut cfg = RegionConfig::default();
    cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    assert_eq!(
        (cfg.load.npc_count, cfg.load.pattern),
        (100, NpcPattern::Battle)
    );
    assert!(cfg.bench.publish_truth);
    let err = cfg
        .apply_env([("STARLANE_REGION_LOAD_PATTERN".to_string(), "x".to_string())])
        .expect_err("bad pattern");
    assert!(
        err.to_string().contains("STARLANE_REGION_LOAD_PATTERN"),
        "{err}"
    );
}

#[test]
fn sync_section_defaults_validates_and_overrides() {
    assert_eq!(RegionConfig::default().sync.delta_log_ticks, 64);
    let cfg = RegionConfig::from_toml("[sync]\ndelta_log_ticks = 8\n").expect("parses");
    assert_eq!(cfg.sync.delta_log_ticks, 8);
    cfg.validate().expect("in range");
    for bad in [0, MAX_DELTA_LOG_TICKS + 1] {
        let mut cfg = RegionConfig::default();
        cfg.sync.delta_log_ticks = bad;
        let err = cfg.validate().expect_err("out of range");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "sync.delta_log_ticks",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("sync.delta_log_ticks"), "{err}");
    }
    let mut cfg = RegionConfig::default();
    cfg.apply_env([(
        "STARLANE_REGION_SYNC_DELTA_LOG_TICKS".to_string(),
        "128".to_string(),
    )])
    .expect("valid override");
    assert_eq!(cfg.sync.delta_log_ticks, 128);
}

#[test]
fn store_section_parses_and_its_errors_name_the_field() {
    let cfg = RegionConfig::from_toml(
        "[store]\nurl = \"postgres://starlane@db:5432/world\"\npool_size = 16\n\
         snapshot_interval_secs = 10\nhome_region_policy = \"hash\"\nregions = [\"eu\", \"us\"]\n",
    )
    .expect("parses");
    cfg.validate().expect("valid");
    assert_eq!(
        cfg.effective_database_url(),
        "postgres://starlane@db:5432/world"
    );
    assert_eq!(
        cfg.store.home_policy().expect("policy"),
        HomePolicy::Hash(vec!["eu".into(), "us".into()])
    );
    let fixed =
        RegionConfig::from_toml("[store]\nhome_region_policy = \"fixed:eu\"\n").expect("parses");
    assert_eq!(
        fixed.store.home_policy().expect("policy"),
        HomePolicy::Fixed("eu".into())
    );
    let field_of = |toml: &str| match RegionConfig::from_toml(toml).and_then(|c| c.validate()) {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("{toml}: expected an invalid field, got {other:?}"),
    };
    assert_eq!(field_of("[store]\nurl = \"mysql://x/y\"\n"), "store.url");
    assert_eq!(field_of("[store]\npool_size = 0\n"), "store.pool_size");
    assert_eq!(
        field_of("[store]\nsnapshot_interval_secs = 0\n"),
        "store.snapshot_interval_secs"
    );
    assert_eq!(
        field_of("[store]\nhome_region_policy = \"nearest\"\n"),
        "store.home_region_policy"
    );
    assert_eq!(
        field_of("[store]\nhome_region_policy = \"hash\"\n"),
        "store.regions"
    );
    // The old top-level settings say where they went.
    assert_eq!(
        field_of("database_url = \"sqlite://x.db\"\n"),
        "database_url"
    );
    assert_eq!(field_of("save_interval_secs = 5\n"), "save_interval_secs");
    let mut env = RegionConfig::default();
    let vars = [
        ("STARLANE_REGION_STORE_URL", "postgres://a@b/c"),
        ("STARLANE_REGION_STORE_SNAPSHOT_INTERVAL_SECS", "2"),
    ];
    env.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    assert_eq!(
        (env.store.url.as_str(), env.store.snapshot_interval_secs),
        ("postgres://a@b/c", 2)
    );
    let old = [("STARLANE_REGION_DATABASE_URL", "sqlite://x.db")];
    let err = RegionConfig::default()
        .apply_env(old.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect_err("renamed");
    assert!(
        err.to_string().contains("STARLANE_REGION_STORE_URL"),
        "{err}"
    );
}

#[test]
fn cluster_needs_a_dialable_link_address() {
    let text = "link_bind = \"[::]:4500\"\n[cluster]\nredis_url = \"redis://127.0.0.1:6379\"\n";
    let mut cfg = RegionConfig::from_toml(text).expect("parses");
    let err = cfg.validate().expect_err("[::] cannot be dialed");
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                field: "cluster.advertise_link_addr",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("[::]:4500"), "{err}");
    cfg.cluster.advertise_link_addr = "0.0.0.0:4500".into();
    let err = cfg.validate().expect_err("0.0.0.0 cannot be dialed");
    assert!(
        err.to_string().contains("cluster.advertise_link_addr"),
        "{err}"
    );
    cfg.cluster.advertise_link_addr = "region-1:4500".into();
    let err = cfg.validate().expect_err("not an ip:port");
    assert!(
        err.to_string().contains("cluster.advertise_link_addr"),
        "{err}"
    );
    cfg.cluster.advertise_link_addr = "10.0.0.5:4500".into();
    cfg.validate().expect("an address edges can dial");
    assert_eq!(
        cfg.cluster
            .advertised("[::]:4500".parse().expect("addr"))
            .expect("advertised")
            .to_string(),
        "10.0.0.5:4500"
    );
    // Off (the default), the unspecified link_bind is fine.
    cfg.cluster.redis_url.clear();
    cfg.cluster.advertise_link_addr.clear();
    cfg.validate().expect("no cluster, nothing to advertise");
}

#[test]
fn cluster_keys_are_the_region_ones() {
    let c = RegionConfig::default().cluster;
    assert_eq!((c.region.as_str(), c.capacity), ("", 10_000));
    assert_eq!((c.prefix.as_str(), c.heartbeat_secs), ("starlane:", 2));
    // A key of the edge's section: refused at its line, with the region's keys listed.
    let err = RegionConfig::from_toml("[cluster]\npublic_host = \"x\"\n").expect_err("edge key");
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(
        text.contains(
            "expected one of `redis_url`, `prefix`, `heartbeat_secs`, `region`, `capacity`, \
             `advertise_link_addr`"
        ),
        "{text}"
    );
}

#[test]
fn cluster_region_defaults_to_region_id_and_env_sets_it() {
    let mut cfg = RegionConfig::default();
    assert_eq!(cfg.cluster.region_or(&cfg.region_id), "region");
    let vars = [
        ("STARLANE_REGION_CLUSTER_REDIS_URL", "redis://127.0.0.1:1"),
        ("STARLANE_REGION_CLUSTER_REGION", "eu-1"),
        ("STARLANE_REGION_LINK_BIND", "127.0.0.1:4500"),
    ];
    cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    cfg.validate().expect("valid");
    assert!(cfg.cluster.enabled());
    assert_eq!(cfg.cluster.region_or(&cfg.region_id), "eu-1");
    cfg.cluster.redis_url = "http://x".into();
    let err = cfg.validate().expect_err("not a redis url");
    assert!(err.to_string().contains("cluster.redis_url"), "{err}");
}

/// deploy/k8s's region configuration, with what its StatefulSet sets, is valid.
#[test]
fn the_kubernetes_region_configuration_loads_with_a_pods_environment() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/k8s/base/config/region.toml");
    let mut cfg = RegionConfig::from_file(&path).expect("parses");
    let vars = [
        ("STARLANE_REGION_REGION_ID", "r1"),
        ("STARLANE_REGION_CLUSTER_REGION", "r1"),
        (
            "STARLANE_REGION_CLUSTER_ADVERTISE_LINK_ADDR",
            "10.1.2.3:4500",
        ),
        (
            "STARLANE_REGION_STORE_URL",
            "postgres://starlane@postgres.starlane/starlane",
        ),
        (
            "STARLANE_REGION_CLUSTER_REDIS_URL",
            "redis://redis.starlane:6379",
        ),
    ];
    cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    cfg.validate().expect("valid");
    assert_eq!(cfg.region_id, "r1");
    assert_eq!(cfg.cluster.advertise_link_addr, "10.1.2.3:4500");
    assert!(cfg.link.production);
    assert_eq!(
        cfg.http.bind.port(),
        9101,
        "the pod's probes and scrape annotation"
    );
    assert_eq!(cfg.link_bind.port(), 4500, "the region Service's link port");
}

#[test]
fn combat_settings_are_validated_by_field() {
    let err = |text: &str| {
        RegionConfig::from_toml(text)
            .expect("parses")
            .validate()
            .expect_err("invalid")
            .to_string()
    };
    let e = err("[combat]\nreport_secs = 0\n");
    assert!(e.contains("combat.report_secs"), "{e}");
    let e = err(
        "[combat.weapon_range]\nscout = 2\nfrigate = 19\nstation = 4\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n",
    );
    assert!(e.contains("combat.weapon_range.frigate"), "{e}");
    assert!(e.contains("2*chunk_radius"), "{e}");
    let e = err(
        "[combat.fire_ticks]\nscout = 10\nfrigate = 20\nstation = 0\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n",
    );
    assert!(e.contains("combat.fire_ticks.station"), "{e}");
    let e = err(
        "[combat.attack]\nscout = 10001\nfrigate = 1\nstation = 1\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n",
    );
    assert!(e.contains("combat.attack.scout"), "{e}");
    // An unarmed kind is fine.
    RegionConfig::from_toml("[combat.attack]\nscout = 0\nfrigate = 0\nstation = 0\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n")
        .expect("parses")
        .validate()
        .expect("unarmed kinds are valid");
    let e = RegionConfig::from_toml("[combat]\nrange = 3\n")
        .expect_err("unknown field")
        .to_string();
    assert!(e.contains("range"), "{e}");
}

#[test]
fn combat_env_overrides() {
    let mut cfg = RegionConfig::default();
    let vars = [
        ("STARLANE_REGION_COMBAT_ENABLED", "false"),
        ("STARLANE_REGION_COMBAT_SEED", "77"),
    ];
    cfg.apply_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect("valid overrides");
    assert!(!cfg.combat.enabled);
    assert_eq!(cfg.combat.seed, 77);
    let bad = [("STARLANE_REGION_COMBAT_ENABLED", "maybe")];
    let e = cfg
        .apply_env(bad.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .expect_err("not a bool")
        .to_string();
    assert!(e.contains("STARLANE_REGION_COMBAT_ENABLED"), "{e}");
}

#[test]
fn command_kind_limits_are_validated_by_field() {
    let e = RegionConfig::from_toml("[command_kinds]\nattack = { rate = 10, burst = 0 }\n")
        .expect("parses")
        .validate()
        .expect_err("burst 0")
        .to_string();
    assert!(e.contains("command_kinds.attack.burst"), "{e}");
    let e = RegionConfig::from_toml("[command_kinds]\nmove = { rate = 10001, burst = 5 }\n")
        .expect("parses")
        .validate()
        .expect_err("rate too high")
        .to_string();
    assert!(e.contains("command_kinds.move.rate"), "{e}");
    let e = RegionConfig::from_toml("[command_kinds]\nrepair = { rate = 1, burst = 1 }\n")
        .expect_err("unknown kind")
        .to_string();
    assert!(e.contains("repair"), "{e}");
}

#[test]
fn command_kinds_follow_the_protocol_kind_order() {
    // `[command_kinds]` keys and `all()` are indexed by `Command::kind_index`.
    let kinds = CommandKinds {
        moves: KindLimit { rate: 1, burst: 1 },
        stop: KindLimit { rate: 2, burst: 1 },
        attack: KindLimit { rate: 3, burst: 1 },
        build: KindLimit { rate: 4, burst: 1 },
        train: KindLimit { rate: 5, burst: 1 },
        cancel: KindLimit { rate: 6, burst: 1 },
        share: KindLimit { rate: 7, burst: 1 },
        revoke: KindLimit { rate: 8, burst: 1 },
        chat: KindLimit { rate: 9, burst: 1 },
        alliance: KindLimit { rate: 10, burst: 1 },
        friend: KindLimit { rate: 11, burst: 1 },
        mail: KindLimit { rate: 12, burst: 1 },
    };
    let text = starlane_protocol::Command::KIND_NAMES
        .iter()
        .zip(kinds.all())
        .map(|(name, k)| format!("{name} = {{ rate = {}, burst = 1 }}\n", k.rate))
        .collect::<String>();
    let cfg = RegionConfig::from_toml(&format!("[command_kinds]\n{text}")).expect("parses");
    assert_eq!(cfg.command_kinds, kinds);
}

#[test]
fn vision_settings_name_the_bad_field() {
    let field_of = |toml: &str| match RegionConfig::from_toml(toml).and_then(|c| c.validate()) {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("{toml}: expected an invalid field, got {other:?}"),
    };
    assert_eq!(
        field_of("[shared_vision]\nmax_grants = 0\n"),
        "shared_vision.max_grants"
    );
    assert_eq!(
        field_of("[stealth]\ncloaked = [\"metal_field\"]\n"),
        "stealth.cloaked",
        "resource fields cannot cloak"
    );
    assert_eq!(
        field_of("[stealth]\ncloaked = [\"ghost\"]\n"),
        "stealth.cloaked"
    );
    // Scouts see 6 hexes: they cannot detect farther.
    let detect = "scout = 7\nfrigate = 0\nstation = 0\nextractor = 0\nshipyard = 0\n\
                  metal_field = 0\ncrystal_field = 0\n";
    assert_eq!(
        field_of(&format!("[stealth.detect]\n{detect}")),
        "stealth.detect.scout"
    );
    let ok = RegionConfig::from_toml("[stealth]\ncloaked = [\"scout\"]\n").expect("parses");
    ok.validate().expect("cloaked scouts are valid");
    assert_eq!(
        ok.stealth.cloaked_kinds(),
        [starlane_protocol::EntityKind::Scout]
    );
    assert_eq!(
        field_of("[social]\nchat_max_bytes = 513\n"),
        "social.chat_max_bytes"
    );
    assert_eq!(
        field_of("[social]\nmax_members = 1\n"),
        "social.max_members"
    );
    assert_eq!(
        field_of("[social]\nmail_max_bytes = 2001\n"),
        "social.mail_max_bytes"
    );
    assert_eq!(
        field_of("[social]\nmailbox_max = 0\n"),
        "social.mailbox_max"
    );
    assert_eq!(
        field_of("[social]\nmax_friends = 1001\n"),
        "social.max_friends"
    );
    assert_eq!(field_of("[social]\nidle_secs = 1\n"), "social.idle_secs");
    assert_eq!(
        field_of("[vision_cache]\nremember = [\"station\", \"frigate\"]\npermanent = []\n"),
        "vision_cache.remember"
    );
    assert_eq!(
        field_of("[vision_cache]\nremember = [\"castle\"]\n"),
        "vision_cache.remember"
    );
    assert_eq!(
        field_of("[vision_cache]\nremember = [\"shipyard\"]\npermanent = [\"station\"]\n"),
        "vision_cache.permanent"
    );
    assert_eq!(
        field_of("[vision_cache]\nkeep_secs = 0\n"),
        "vision_cache.keep_secs"
    );
    // Nothing remembered is a valid policy; so is a frigate that cannot move.
    let cfg = RegionConfig::from_toml(
        "[vision_cache]\nremember = []\npermanent = []\n\n[move_ticks]\nscout = 2\nfrigate = 0\nstation = 0\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n",
    )
    .expect("parses");
    cfg.validate().expect("valid");
    let parked = RegionConfig::from_toml(
        "[vision_cache]\nremember = [\"frigate\"]\npermanent = []\n\n[move_ticks]\nscout = 2\nfrigate = 0\nstation = 0\nextractor = 0\nshipyard = 0\nmetal_field = 0\ncrystal_field = 0\n",
    )
    .expect("parses");
    parked
        .validate()
        .expect("a frigate that cannot move may be remembered");
}
