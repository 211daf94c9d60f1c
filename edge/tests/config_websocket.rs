//! `[websocket]`: shipped defaults (enabled, loopback, plain), environment overrides, and the
//! refusals that name the field and the fix: plain ws:// off loopback, `certificate` without
//! a certificate, `proxy` without a wss:// URL, a URL of another scheme, the http port taken.

#![allow(clippy::unwrap_used)]

use starlane_edge::config::{ConfigError, EdgeConfig, WsTls};
use std::path::Path;

fn parse(text: &str) -> EdgeConfig {
    EdgeConfig::from_toml_str(
        &format!("[dev_issuer]\nenabled = true\n{text}"),
        Path::new("t"),
    )
    .unwrap()
}

fn refused(text: &str) -> (&'static str, String) {
    match parse(text).validate() {
        Err(e @ ConfigError::Invalid { field, .. }) => (field, e.to_string()),
        other => panic!("{text}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn websocket_defaults_overrides_and_refusals() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/edge.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let shipped = EdgeConfig::from_toml_str(&text, Path::new("edge.toml")).unwrap();
    assert_eq!(shipped.websocket, EdgeConfig::default().websocket);
    assert!(shipped.websocket.enabled);
    assert_eq!(shipped.websocket.bind.to_string(), "127.0.0.1:4436");
    assert_eq!(shipped.websocket.tls, WsTls::None);
    parse("").validate().unwrap();

    // The URL clients are given: derived, or public_url.
    let cfg = parse("");
    assert_eq!(cfg.websocket.url("127.0.0.1", 4436), "ws://127.0.0.1:4436/");
    assert_eq!(cfg.websocket.url("::1", 9), "ws://[::1]:9/");
    let cfg = parse(
        "[websocket]\ntls = \"proxy\"\nbind = \"[::]:4436\"\npublic_url = \"wss://e.example/ws\"",
    );
    cfg.validate().unwrap();
    assert_eq!(cfg.websocket.url("10.0.0.1", 4436), "wss://e.example/ws");

    let mut cfg = parse("");
    let env = |k: &str| match k {
        "STARLANE_EDGE_WEBSOCKET_BIND" => Some("[::]:4500".into()),
        "STARLANE_EDGE_WEBSOCKET_TLS" => Some("proxy".into()),
        "STARLANE_EDGE_WEBSOCKET_PUBLIC_URL" => Some("wss://edge.example:443/".into()),
        _ => None,
    };
    cfg.apply_env(env).unwrap();
    assert_eq!(cfg.websocket.tls, WsTls::Proxy);
    cfg.validate().unwrap();
    let bad = cfg.apply_env(|k| (k == "STARLANE_EDGE_WEBSOCKET_TLS").then(|| "tls".into()));
    assert!(matches!(
        bad,
        Err(ConfigError::Env {
            field: "websocket.tls",
            ..
        })
    ));

    for (text, field) in [
        ("[websocket]\nbind = \"[::]:4436\"", "websocket.tls"),
        (
            "[websocket]\nbind = \"[::]:4436\"\ntls = \"certificate\"",
            "websocket.cert_file",
        ),
        (
            "[websocket]\nbind = \"[::]:4436\"\ntls = \"proxy\"",
            "websocket.public_url",
        ),
        (
            "[websocket]\npublic_url = \"https://e.example/\"",
            "websocket.public_url",
        ),
        (
            "[websocket]\nbind = \"127.0.0.1:9100\"\n[http]\nbind = \"127.0.0.1:9100\"",
            "websocket.bind",
        ),
        (
            "[websocket]\nkeep_alive_ms = 5000",
            "websocket.keep_alive_ms",
        ),
    ] {
        let (got, msg) = refused(text);
        assert_eq!(got, field, "{text}: {msg}");
        assert!(msg.contains("fix:"), "{msg}");
    }
    // Off, nothing is checked.
    parse("[websocket]\nenabled = false\nbind = \"[::]:4436\"")
        .validate()
        .unwrap();
}
