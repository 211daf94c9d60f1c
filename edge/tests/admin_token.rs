//! Scenario: the admin listener on its own loopback bind refuses calls without the bearer
//! token (401) or with a wrong one (403), and with the right one drains the edge; a
//! non-loopback admin bind without a token is refused at start, naming the field, and a
//! loopback one without a token serves nothing.

#![allow(clippy::unwrap_used)]

use crate::common::{self, loopback_edge_config};
use starlane_edge::Edge;

/// `POST path` with an optional bearer token: the status code and the response.
async fn post(addr: std::net::SocketAddr, path: &str, token: Option<&str>) -> (u16, String) {
    common::http_post(addr, path, token, None).await
}

#[tokio::test]
async fn admin_calls_need_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let (region, ck) = common::fake_region();
    let cert_file = dir.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let mut cfg = loopback_edge_config(dir.path(), region.local_addr().unwrap(), cert_file);
    cfg.admin.bind = "127.0.0.1:0".into();
    cfg.admin.token = "s3cret-admin".into();

    let mut open = cfg.clone();
    open.admin.bind = "0.0.0.0:0".into();
    open.admin.token = String::new();
    let err = open.validate().unwrap_err().to_string();
    assert!(err.contains("admin.token"), "{err}");

    let edge = Edge::start(cfg, None).await.unwrap();
    let admin = edge.admin_addr().unwrap();
    assert!(admin.ip().is_loopback());
    let (status, text) = post(admin, "/admin/drain", None).await;
    assert_eq!(status, 401, "{text}");
    let (status, text) = post(admin, "/admin/drain", Some("s3cret-admin-not")).await;
    assert_eq!(status, 403, "{text}");
    assert!(!edge.is_draining());
    // Nor is the admin call served on the public HTTP listener.
    let (status, _) = post(edge.http_addr(), "/admin/drain", Some("s3cret-admin")).await;
    assert_eq!(status, 404);
    let (status, text) = post(admin, "/admin/drain", Some("s3cret-admin")).await;
    assert_eq!(status, 202, "{text}");
    assert!(edge.is_draining());
    let (status, _) = post(admin, "/admin/drain", Some("s3cret-admin")).await;
    assert_eq!(status, 200);
    edge.shutdown().await;

    // Without a token the listener stays off, even on loopback: no admin call goes unchecked.
    let dir2 = tempfile::tempdir().unwrap();
    let cert_file = dir2.path().join("region_cert.pem");
    std::fs::write(&cert_file, &ck.cert_pem).unwrap();
    let mut tokenless = loopback_edge_config(dir2.path(), region.local_addr().unwrap(), cert_file);
    tokenless.admin.bind = "127.0.0.1:0".into();
    let edge = Edge::start(tokenless, None).await.unwrap();
    assert_eq!(edge.admin_addr(), None);
    edge.shutdown().await;
}
