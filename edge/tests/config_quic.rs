//! `[quic] bind`: shipped default `[::]:4435`, environment override, and a bind that takes
//! the UDP port of another driver is refused naming `quic.bind` and the fix. The liveness
//! settings of `[quic]` and `[webtransport]`: defaults and ranges.

#![allow(clippy::unwrap_used)]

use starlane_edge::config::{ConfigError, EdgeConfig};
use starlane_netcore::transport::Liveness;
use std::path::Path;
use std::time::Duration;

fn parse(text: &str) -> EdgeConfig {
    EdgeConfig::from_toml_str(text, Path::new("test.toml")).unwrap()
}

#[test]
fn quic_bind_defaults_overrides_and_port_clashes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/edge.toml");
    let shipped = parse(&std::fs::read_to_string(path).unwrap());
    assert_eq!(shipped.quic.bind.to_string(), "[::]:4435");
    assert_eq!(EdgeConfig::default().quic.bind.to_string(), "[::]:4435");

    let mut cfg = parse("[dev_issuer]\nenabled = true");
    cfg.apply_env(|k| (k == "STARLANE_EDGE_QUIC_BIND").then(|| "127.0.0.1:7000".into()))
        .unwrap();
    assert_eq!(cfg.quic.bind.to_string(), "127.0.0.1:7000");
    cfg.validate().unwrap();
    assert!(matches!(
        cfg.apply_env(|k| (k == "STARLANE_EDGE_QUIC_BIND").then(|| "nope".into())),
        Err(ConfigError::Env {
            field: "quic.bind",
            ..
        })
    ));

    for (text, other) in [
        ("[quic]\nbind = \"[::]:4434\"", "udp.bind"),
        ("[quic]\nbind = \"127.0.0.1:4433\"", "webtransport.bind"),
    ] {
        let err = parse(&format!("[dev_issuer]\nenabled = true\n{text}"))
            .validate()
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(other) && msg.contains("fix:"), "{msg}");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "quic.bind",
                    ..
                }
            ),
            "{msg}"
        );
    }

    // Same port on different specific addresses, or port 0 (any free port), is fine.
    parse("[dev_issuer]\nenabled = true\n[udp]\nbind = \"127.0.0.1:5000\"\n[quic]\nbind = \"127.0.0.2:5000\"")
        .validate()
        .unwrap();
    parse("[dev_issuer]\nenabled = true\n[udp]\nbind = \"[::]:0\"\n[quic]\nbind = \"[::]:0\"")
        .validate()
        .unwrap();
}

#[test]
fn liveness_defaults_and_ranges() {
    let cfg = parse("[dev_issuer]\nenabled = true");
    assert_eq!(cfg.quic.liveness(), Liveness::DEFAULT);
    assert_eq!(cfg.webtransport.liveness(), Liveness::DEFAULT);
    assert_eq!(Liveness::DEFAULT.idle_timeout, Duration::from_millis(2_500));

    let set = parse(
        "[dev_issuer]\nenabled = true\n[webtransport]\nidle_timeout_ms = 4000\nkeep_alive_ms = 1000",
    );
    set.validate().unwrap();
    assert_eq!(
        set.webtransport.liveness(),
        Liveness {
            idle_timeout: Duration::from_secs(4),
            keep_alive: Duration::from_secs(1)
        }
    );

    for (text, field) in [
        ("[quic]\nidle_timeout_ms = 999", "quic.idle_timeout_ms"),
        ("[quic]\nkeep_alive_ms = 1251", "quic.keep_alive_ms"),
        (
            "[webtransport]\nkeep_alive_ms = 99",
            "webtransport.keep_alive_ms",
        ),
        (
            "[webtransport]\nidle_timeout_ms = 600001",
            "webtransport.idle_timeout_ms",
        ),
    ] {
        let err = parse(&format!("[dev_issuer]\nenabled = true\n{text}"))
            .validate()
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("fix:"), "{msg}");
        assert!(
            matches!(err, ConfigError::Invalid { field: f, .. } if f == field),
            "{msg}"
        );
    }
}
