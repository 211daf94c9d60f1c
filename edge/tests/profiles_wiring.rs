//! Bandwidth profiles wired into a running edge: sessions pick their profile by transport, the
//! per-profile metrics, and reloading the profile directory without dropping sessions.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::Edge;
use starlane_edge::config::{ConfigError, EMBEDDED_PROFILES, EdgeConfig};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_protocol::client::{ClientMsg, ServerMsg};
use starlane_protocol::link::{Join, Joined, RegionToEdge};
use starlane_protocol::{Hex, MapInfo, PROTOCOL_VERSION};
use std::net::SocketAddr;
use std::path::Path;

use crate::common;

use common::*;

/// A profile directory holding the shipped profiles.
fn profile_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join("bandwidth");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in EMBEDDED_PROFILES {
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }
    dir
}

fn edge_config(root: &Path, region: SocketAddr, profiles: &Path) -> EdgeConfig {
    let mut cfg = loopback_edge_config(root, region, root.join("region_cert.pem"));
    cfg.bandwidth.dir = profiles.to_path_buf();
    cfg.bandwidth.browser = "broadband".into();
    cfg.bandwidth.native = "mobile".into();
    cfg
}

fn gauge(vec: &prometheus::IntGaugeVec, label: &str) -> i64 {
    vec.with_label_values(&[label]).get()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_get_profiles_and_reload_keeps_them_connected() {
    let root = tempfile::tempdir().unwrap();
    let (region, ck) = fake_region();
    std::fs::write(root.path().join("region_cert.pem"), &ck.cert_pem).unwrap();
    let dir = profile_dir(root.path());
    let edge = Edge::start(
        edge_config(root.path(), region.local_addr().unwrap(), &dir),
        None,
    )
    .await
    .unwrap();
    let m = edge.metrics().clone();
    assert_eq!(gauge(&m.profile_bytes_per_sec, "mobile"), 50_000);

    let mut peer = link_up(&edge, &region).await;

    let mut client = starlane_netcore::udp::connect(edge.udp_addr(), edge.udp_public_key(), T)
        .await
        .unwrap();
    let token = edge.dev_issuer().unwrap().issue("ada").unwrap();
    client.sender.send_reliable(
        ClientMsg::Hello {
            version: PROTOCOL_VERSION,
            token,
        }
        .encode(),
    );
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = peer_event(&mut peer).await
    else {
        panic!("expected join")
    };
    let map = MapInfo {
        chunk_radius: 9,
        chunks: vec![Hex::new(0, 0)],
        blocked: vec![],
    };
    let joined = RegionToEdge::Joined(Joined {
        catalog: Default::default(),
        session,
        empire: 2,
        tick_rate_hz: 20,
        map,
    });
    to_edge(&peer, joined);
    assert!(matches!(
        client_msg(&mut client).await,
        ServerMsg::Welcome { .. }
    ));
    // UDP is a native client: it uses the native profile.
    assert_eq!(gauge(&m.profile_sessions, "mobile"), 1);
    assert_eq!(gauge(&m.profile_sessions, "broadband"), 0);

    // Change the mobile profile's rate and reload.
    let mobile = dir.join("mobile.toml");
    let text = std::fs::read_to_string(&mobile).unwrap();
    let edited = text.replace("bytes_per_sec = 50000", "bytes_per_sec = 60000");
    assert_ne!(
        edited, text,
        "the shipped mobile profile sets bytes_per_sec = 50000"
    );
    std::fs::write(&mobile, edited).unwrap();
    assert_eq!(edge.reload_profiles().unwrap(), vec!["mobile".to_string()]);
    assert_eq!(gauge(&m.profile_bytes_per_sec, "mobile"), 60_000);
    assert_eq!(
        m.profile_reloads.with_label_values(&["ok"]).get(),
        1,
        "one successful reload"
    );
    assert_eq!(
        edge.profiles()
            .current()
            .get("mobile")
            .unwrap()
            .bytes_per_sec,
        60_000
    );

    // A broken file: the reload fails and the previous set stays in force.
    std::fs::write(&mobile, "bytes_per_sec = \"fast\"\n").unwrap();
    let err = edge.reload_profiles().unwrap_err();
    assert!(err.to_string().contains("mobile"), "{err}");
    assert_eq!(m.profile_reloads.with_label_values(&["error"]).get(), 1);
    assert_eq!(gauge(&m.profile_bytes_per_sec, "mobile"), 60_000);
    assert_eq!(
        edge.profiles()
            .current()
            .get("mobile")
            .unwrap()
            .bytes_per_sec,
        60_000
    );

    // The session is still connected: a command still reaches the region.
    assert_command_forwarded(&client, &mut peer, session).await;
    assert_eq!(gauge(&m.profile_sessions, "mobile"), 1);
    let text = m.render();
    assert!(text.contains("starlane_edge_profile_sessions{profile=\"mobile\"} 1"));
    assert!(text.contains("starlane_edge_profile_reloads_total{result=\"error\"} 1"));
    edge.shutdown().await;
}

fn field_of(err: ConfigError) -> &'static str {
    match err {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn config_checks_profile_names_and_dir() {
    let mut cfg = EdgeConfig::default();
    cfg.dev_issuer.enabled = true;
    // Default: built-in profiles, from any working directory.
    cfg.validate().unwrap();
    assert_eq!(cfg.load_profiles().unwrap().len(), EMBEDDED_PROFILES.len());

    cfg.bandwidth.native = "dialup".into();
    let err = cfg.validate().unwrap_err();
    assert!(err.to_string().contains("known: broadband"), "{err}");
    assert_eq!(field_of(err), "bandwidth.native");

    cfg.bandwidth.native = "lan".into();
    cfg.bandwidth.dir = "/nonexistent/starlane/bandwidth".into();
    let err = cfg.validate().unwrap_err();
    assert!(err.to_string().contains("bandwidth.dir = \"\""), "{err}");
    assert_eq!(field_of(err), "bandwidth.dir");

    let parsed = EdgeConfig::from_toml_str(
        "[bandwidth]\nbrowser = \"mobile\"\nnative = \"lan\"",
        Path::new("t.toml"),
    )
    .unwrap();
    assert_eq!(parsed.bandwidth.selection().browser, "mobile");
    assert!(parsed.bandwidth.source_dir().is_none());
}
