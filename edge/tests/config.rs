//! Configuration: the shipped file, defaults, environment overrides, validation errors.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::config::{ConfigError, EdgeConfig};
use std::collections::HashMap;
use std::path::Path;

fn parse(text: &str) -> Result<EdgeConfig, ConfigError> {
    EdgeConfig::from_toml_str(text, Path::new("test.toml"))
}

fn field_of(err: ConfigError) -> &'static str {
    match err {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn shipped_file_matches_defaults_and_needs_a_key_source() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/edge.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cfg = parse(&text).unwrap();
    let def = EdgeConfig::default();
    assert_eq!(format!("{cfg:?}"), format!("{def:?}"));
    assert_eq!(cfg.udp.bind.to_string(), "[::]:4434");
    assert_eq!(cfg.webtransport.bind.to_string(), "[::]:4433");
    assert_eq!(cfg.http.bind.to_string(), "[::]:9100");
    assert_eq!(cfg.region_link.addr.to_string(), "127.0.0.1:4500");
    assert_eq!(cfg.jwt.issuer, "login-server");
    assert_eq!(cfg.certificate.rotate_before_secs, 2 * 86_400);
    assert!(!cfg.dev_issuer.enabled);
    // Production defaults name no key source and no dev issuer: validation says what to set.
    let err = cfg.validate().unwrap_err();
    assert!(err.to_string().contains("jwt.public_key_file"), "{err}");
    assert_eq!(field_of(err), "jwt.public_key_file");
}

#[test]
fn dev_issuer_or_key_file_makes_it_valid() {
    parse("[dev_issuer]\nenabled = true")
        .unwrap()
        .validate()
        .unwrap();
    parse("[jwt]\npublic_key_file = \"k.pem\"")
        .unwrap()
        .validate()
        .unwrap();
    parse("[jwt]\npublic_key_url = \"https://login/.well-known/jwks.json\"\nca_file = \"ca.pem\"")
        .unwrap()
        .validate()
        .unwrap();
    // Plain HTTP only with the explicit opt-in.
    parse("[jwt]\npublic_key_url = \"http://login/api/public-key\"\nallow_insecure_http = true")
        .unwrap()
        .validate()
        .unwrap();
    let err = parse("[jwt]\npublic_key_url = \"http://login/api/public-key\"")
        .unwrap()
        .validate()
        .unwrap_err();
    assert!(
        err.to_string().contains("jwt.allow_insecure_http = true"),
        "{err}"
    );
    assert_eq!(field_of(err), "jwt.public_key_url");
}

#[test]
fn invalid_values_name_their_field() {
    let cases = [
        (
            "[jwt]\npublic_key_file = \"a\"\npublic_key_url = \"http://b\"",
            "jwt.public_key_file",
        ),
        ("[jwt]\npublic_key_url = \"ftp://b\"", "jwt.public_key_url"),
        ("[jwt]\npublic_key_url = \"http://b\"", "jwt.public_key_url"),
        (
            "[jwt]\npublic_key_file = \"k.pem\"\nca_file = \"ca.pem\"",
            "jwt.ca_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[jwt]\nmax_token_bytes = 0",
            "jwt.max_token_bytes",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nregion = \"r1\"",
            "region_link.region",
        ),
        (
            "[dev_issuer]\nenabled = true\n[jwt]\nmax_token_bytes = 16385",
            "jwt.max_token_bytes",
        ),
        (
            "[dev_issuer]\nenabled = true\n[jwt]\nissuer = \"\"",
            "jwt.issuer",
        ),
        (
            "[dev_issuer]\nenabled = true\n[jwt]\nrefresh_secs = 0",
            "jwt.refresh_secs",
        ),
        (
            "[dev_issuer]\nenabled = true\n[certificate]\nvalidity_days = 30",
            "certificate.validity_days",
        ),
        (
            "[dev_issuer]\nenabled = true\n[certificate]\nvalidity_days = 2\nrotate_before_secs = 172800",
            "certificate.rotate_before_secs",
        ),
        (
            "[dev_issuer]\nenabled = true\n[certificate]\ncert_file = \"c.pem\"",
            "certificate.cert_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nregion_cert_file = \"\"",
            "region_link.region_cert_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nreconnect_min_ms = 9000",
            "region_link.reconnect_min_ms",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\npins = [\"abc\"]",
            "region_link.pins",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nproduction = true",
            "region_link.ca_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nproduction = true\nca_file = \"ca.pem\"",
            "region_link.cert_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\ncert_file = \"edge.pem\"",
            "region_link.cert_file",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nqueue_capacity = 1",
            "region_link.queue_capacity",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region_link]\nserver_name = \"not a name\"",
            "region_link.server_name",
        ),
        (
            "[dev_issuer]\nenabled = true\n[region]\naddr = \"127.0.0.1:4500\"",
            "region",
        ),
        (
            "[dev_issuer]\nenabled = true\n[session]\nhello_timeout_secs = 0",
            "session.hello_timeout_secs",
        ),
        ("dev_issuer.enabled = true\ndata_dir = \"\"", "data_dir"),
    ];
    for (text, field) in cases {
        let err = parse(text).unwrap().validate().unwrap_err();
        assert!(err.to_string().contains("fix:"), "{err}");
        assert_eq!(field_of(err), field, "{text}");
    }
}

#[test]
fn unknown_fields_and_bad_types_fail_to_parse() {
    assert!(matches!(parse("bogus = 1"), Err(ConfigError::Parse { .. })));
    assert!(matches!(
        parse("[udp]\nbind = \"nope\""),
        Err(ConfigError::Parse { .. })
    ));
}

#[test]
fn cluster_section_keys_and_defaults() {
    let c = EdgeConfig::default().cluster;
    assert_eq!(
        (c.redis_url.as_str(), c.prefix.as_str(), c.heartbeat_secs),
        ("", "starlane:", 2)
    );
    assert_eq!((c.region.as_str(), c.capacity), ("default", 10_000));
    assert_eq!(
        (c.public_host.as_str(), c.revocation_resync_secs),
        ("127.0.0.1", 5)
    );
    // A key of the region's section: refused at its line, with the edge's keys listed.
    let err = parse("[cluster]\nadvertise_link_addr = \"10.0.0.5:4500\"\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(
        text.contains(
            "expected one of `redis_url`, `prefix`, `heartbeat_secs`, `region`, `capacity`, \
             `public_host`, `revocation_resync_secs`"
        ),
        "{text}"
    );
    let cfg = parse("[dev_issuer]\nenabled = true\n[cluster]\nregion = \"\"\n").unwrap();
    let err = cfg.validate().unwrap_err().to_string();
    assert!(err.contains("cluster.region is empty"), "{err}");
}

/// deploy/k8s's edge configuration, with what its Deployment sets per pod, is valid.
#[test]
fn the_kubernetes_edge_configuration_loads_with_a_pods_environment() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/k8s/base/config/edge.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut cfg = EdgeConfig::from_toml_str(&text, &path).unwrap();
    let resume_key = "ab".repeat(32);
    // The starlane-bandwidth ConfigMap's files, where the pod mounts them.
    let profiles = path.with_file_name("bandwidth").display().to_string();
    let env: HashMap<&str, &str> = HashMap::from([
        ("STARLANE_EDGE_BANDWIDTH_DIR", profiles.as_str()),
        ("STARLANE_EDGE_EDGE_ID", "starlane-edge-7d9f-abcde"),
        ("STARLANE_EDGE_CLUSTER_PUBLIC_HOST", "198.51.100.4"),
        ("STARLANE_EDGE_DIRECTORY_PUBLIC_HOST", "198.51.100.4"),
        ("STARLANE_EDGE_CLUSTER_REGION", "r1"),
        ("STARLANE_EDGE_DIRECTORY_REGION", "r1"),
        ("STARLANE_EDGE_REGION_LINK_REGION", "r1"),
        (
            "STARLANE_EDGE_DRAIN_CONNECT_URL",
            "https://r1.connect.example/connect",
        ),
        (
            "STARLANE_EDGE_JWT_PUBLIC_KEY_URL",
            "https://login.example/jwks.json",
        ),
        (
            "STARLANE_EDGE_CLUSTER_REDIS_URL",
            "redis://redis.starlane:6379",
        ),
        ("STARLANE_EDGE_ADMIN_TOKEN", "0123456789abcdef"),
        ("STARLANE_EDGE_RESUME_KEY", &resume_key),
        (
            "STARLANE_EDGE_WEBSOCKET_PUBLIC_URL",
            "wss://node-3.r1.edges.example:4436/",
        ),
    ]);
    cfg.apply_env(|k| env.get(k).map(|v| v.to_string()))
        .unwrap();
    cfg.validate().unwrap();
    assert_eq!(cfg.cluster.region, "r1");
    // The WebSocket fallback: wss:// with the mounted certificate, the pod's own URL.
    assert_eq!(cfg.websocket.tls, starlane_edge::config::WsTls::Certificate);
    assert_eq!(
        cfg.websocket.url("198.51.100.4", 4436),
        "wss://node-3.r1.edges.example:4436/"
    );
    assert_eq!(cfg.region_link.region, "r1");
    assert!(cfg.region_link.production);
    assert_eq!(cfg.bandwidth.watch_secs, 10);
    assert!(
        cfg.drain.window_secs < 45,
        "the drain window must end within the pod's terminationGracePeriodSeconds (45)"
    );
}

#[test]
fn environment_overrides_what_a_container_sets_per_pod() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("STARLANE_EDGE_CLUSTER_REDIS_URL", "redis://redis:6379"),
        ("STARLANE_EDGE_CLUSTER_PREFIX", "prod:"),
        ("STARLANE_EDGE_CLUSTER_REGION", " r2 "),
        ("STARLANE_EDGE_CLUSTER_CAPACITY", "4000"),
        ("STARLANE_EDGE_CLUSTER_PUBLIC_HOST", "203.0.113.7"),
        ("STARLANE_EDGE_DIRECTORY_REGION", "r2"),
        ("STARLANE_EDGE_DIRECTORY_PUBLIC_HOST", "203.0.113.7"),
        ("STARLANE_EDGE_BANDWIDTH_DIR", "/etc/starlane/bandwidth"),
        ("STARLANE_EDGE_BANDWIDTH_WATCH_SECS", "10"),
    ]);
    let mut cfg = EdgeConfig::default();
    cfg.apply_env(|k| env.get(k).map(|v| v.to_string()))
        .unwrap();
    assert_eq!(cfg.cluster.redis_url, "redis://redis:6379");
    assert_eq!(cfg.cluster.prefix, "prod:");
    assert_eq!(cfg.cluster.region, "r2");
    assert_eq!(cfg.cluster.capacity, 4000);
    assert_eq!(cfg.cluster.public_host, "203.0.113.7");
    assert_eq!(cfg.directory.region, "r2");
    assert_eq!(cfg.directory.public_host, "203.0.113.7");
    assert_eq!(cfg.bandwidth.dir, Path::new("/etc/starlane/bandwidth"));
    assert_eq!(cfg.bandwidth.watch_secs, 10);
    let err = cfg
        .apply_env(|k| (k == "STARLANE_EDGE_CLUSTER_CAPACITY").then(|| "lots".to_string()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Env {
                field: "cluster.capacity",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn environment_overrides_main_fields() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("STARLANE_EDGE_UDP_BIND", "127.0.0.1:1"),
        ("STARLANE_EDGE_HTTP_BIND", "127.0.0.1:2"),
        ("STARLANE_EDGE_REGION_ADDR", "10.0.0.1:4500"),
        ("STARLANE_EDGE_JWT_ISSUER", "corp-login"),
        ("STARLANE_EDGE_JWT_PUBLIC_KEY_URL", "http://login/key"),
        ("STARLANE_EDGE_JWT_ALLOW_INSECURE_HTTP", "true"),
        ("STARLANE_EDGE_JWT_MAX_TOKEN_BYTES", "4096"),
        ("STARLANE_EDGE_DEV_ISSUER_ENABLED", "true"),
        ("STARLANE_EDGE_DATA_DIR", "/var/lib/edge"),
    ]);
    let mut cfg = EdgeConfig::default();
    cfg.apply_env(|k| env.get(k).map(|v| v.to_string()))
        .unwrap();
    assert_eq!(cfg.udp.bind.to_string(), "127.0.0.1:1");
    assert_eq!(cfg.http.bind.to_string(), "127.0.0.1:2");
    assert_eq!(cfg.region_link.addr.to_string(), "10.0.0.1:4500");
    assert_eq!(cfg.jwt.issuer, "corp-login");
    assert_eq!(cfg.jwt.public_key_url.as_deref(), Some("http://login/key"));
    assert!(cfg.jwt.allow_insecure_http);
    assert_eq!(cfg.jwt.max_token_bytes, 4096);
    assert!(cfg.dev_issuer.enabled);
    assert_eq!(cfg.data_dir, Path::new("/var/lib/edge"));
    cfg.validate().unwrap();

    let err = cfg
        .apply_env(|k| (k == "STARLANE_EDGE_WEBTRANSPORT_BIND").then(|| "x".to_string()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Env {
                field: "webtransport.bind",
                ..
            }
        ),
        "{err}"
    );
    let err = cfg
        .apply_env(|k| (k == "STARLANE_EDGE_DEV_ISSUER_ENABLED").then(|| "maybe".to_string()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Env {
                field: "dev_issuer.enabled",
                ..
            }
        ),
        "{err}"
    );
}
