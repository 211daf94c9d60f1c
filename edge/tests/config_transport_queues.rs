//! `[transport_queues]`: the shipped file lists netcore's default bounds, TOML and the
//! `STARLANE_EDGE_TRANSPORT_QUEUES_*` variables set them, and a bound out of range (or a
//! variable that is not a number) is refused naming the field and the fix. (That the edge's
//! servers take them: `client_stops_reading`.)

#![allow(clippy::unwrap_used)]

use starlane_edge::config::{ConfigError, EdgeConfig};
use starlane_netcore::transport::QueueLimits;
use std::path::Path;

fn parse(text: &str) -> EdgeConfig {
    EdgeConfig::from_toml_str(text, Path::new("test.toml")).unwrap()
}

fn env(var: &'static str, value: &'static str) -> impl Fn(&str) -> Option<String> {
    move |k| (k == var).then(|| value.to_string())
}

#[test]
fn transport_queues_default_override_and_refuse_bad_bounds() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/edge.toml");
    let shipped = parse(&std::fs::read_to_string(path).unwrap());
    assert_eq!(shipped.transport_queues.limits(), QueueLimits::DEFAULT);
    assert_eq!(
        EdgeConfig::default().transport_queues.limits(),
        QueueLimits::DEFAULT
    );

    let cfg = parse(
        "[dev_issuer]\nenabled = true\n\
         [transport_queues]\nevents = 64\noutgoing = 128\naccept = 32\nudp_loop = 512",
    );
    cfg.validate().unwrap();
    let limits = QueueLimits {
        events: 64,
        outgoing: 128,
        accept: 32,
        udp_loop: 512,
    };
    assert_eq!(cfg.transport_queues.limits(), limits);

    // Each variable sets its field; the others keep theirs.
    for (var, value, want) in [
        (
            "STARLANE_EDGE_TRANSPORT_QUEUES_EVENTS",
            "100",
            QueueLimits {
                events: 100,
                ..limits
            },
        ),
        (
            "STARLANE_EDGE_TRANSPORT_QUEUES_OUTGOING",
            "200",
            QueueLimits {
                outgoing: 200,
                ..limits
            },
        ),
        (
            "STARLANE_EDGE_TRANSPORT_QUEUES_ACCEPT",
            "300",
            QueueLimits {
                accept: 300,
                ..limits
            },
        ),
        (
            "STARLANE_EDGE_TRANSPORT_QUEUES_UDP_LOOP",
            "4000",
            QueueLimits {
                udp_loop: 4000,
                ..limits
            },
        ),
    ] {
        let mut c = cfg.clone();
        c.apply_env(env(var, value)).unwrap();
        assert_eq!(c.transport_queues.limits(), want, "{var}");
        c.validate().unwrap();
    }
    let err = cfg
        .clone()
        .apply_env(env("STARLANE_EDGE_TRANSPORT_QUEUES_OUTGOING", "lots"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Env {
                field: "transport_queues.outgoing",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("whole number"), "{err}");

    // Out of range: the error names the field and the fix.
    for (text, field) in [
        ("events = 15", "transport_queues.events"),
        ("events = 65537", "transport_queues.events"),
        ("outgoing = 0", "transport_queues.outgoing"),
        ("accept = 8", "transport_queues.accept"),
        ("udp_loop = 63", "transport_queues.udp_loop"),
        ("udp_loop = 2000000", "transport_queues.udp_loop"),
    ] {
        let err = parse(&format!(
            "[dev_issuer]\nenabled = true\n[transport_queues]\n{text}"
        ))
        .validate()
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(field) && msg.contains("fix: use"), "{msg}");
        assert!(
            matches!(err, ConfigError::Invalid { field: f, .. } if f == field),
            "{msg}"
        );
    }
    // Through the environment too: validation catches what the variable set.
    let mut c = cfg.clone();
    c.apply_env(env("STARLANE_EDGE_TRANSPORT_QUEUES_EVENTS", "1"))
        .unwrap();
    assert!(matches!(
        c.validate(),
        Err(ConfigError::Invalid {
            field: "transport_queues.events",
            ..
        })
    ));
    // An unknown key is refused by the parser.
    assert!(
        EdgeConfig::from_toml_str("[transport_queues]\nreliable = 5", Path::new("t.toml")).is_err()
    );
}
