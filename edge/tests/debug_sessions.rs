//! `GET /debug/sessions` lists each open session with its transport, its verified user (null
//! before the token is checked) and its link's live stats (the bytes waiting in its outgoing
//! queue among them), and forgets a session once it ends.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::loop_region::LoopRegion;
use crate::common::session_harness::dev_verifier;
use serde_json::Value;
use starlane_edge::http::{Readiness, router};
use starlane_edge::metrics::EdgeMetrics;
use starlane_edge::region_hub::RegionHub;
use starlane_edge::session::{SessionContext, run_session};
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::{LinkEvent, QueueLimits, TransportKind, link_pair};
use starlane_protocol::PROTOCOL_VERSION;
use starlane_protocol::client::ClientMsg;
use starlane_protocol::link::Join;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

const T: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Ready;

impl Readiness for Ready {
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// `GET path` over plain HTTP/1.1; returns the status line and the body parsed as JSON.
async fn get_json(addr: SocketAddr, path: &str) -> (String, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(T, stream.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap().to_string();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, serde_json::from_str(body).unwrap())
}

/// The listed sessions, after checking the answer is a 200.
async fn sessions(addr: SocketAddr) -> Vec<Value> {
    let (status, json) = get_json(addr, "/debug/sessions").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    json["sessions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn debug_sessions_lists_users_and_live_link_stats() {
    let (_dir, issuer, verifier) = dev_verifier();
    let hub = Arc::new(RegionHub::default());
    let mut region = LoopRegion::connect(&hub);
    let metrics = EdgeMetrics::new();
    let (_shutdown, shutdown_rx) = watch::channel(false);
    let ctx = Arc::new(SessionContext::new(
        verifier,
        hub,
        metrics.clone(),
        Duration::from_secs(60),
        shutdown_rx,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(metrics.clone(), Arc::new(Ready));
    tokio::spawn(async move { axum::serve(listener, app).await });
    assert!(sessions(addr).await.is_empty());

    // A browser session that logs in, and a native one that has not sent its token yet.
    let (link, browser) = link_pair(
        "10.0.0.1:443".parse().unwrap(),
        TransportKind::WebTransport,
        QueueLimits::DEFAULT,
    );
    let browser_task = tokio::spawn(run_session(link, ctx.clone()));
    let (link, native) = link_pair(
        "10.0.0.2:5000".parse().unwrap(),
        TransportKind::Udp,
        QueueLimits::DEFAULT,
    );
    let native_task = tokio::spawn(run_session(link, ctx.clone()));
    let hello = ClientMsg::Hello {
        version: PROTOCOL_VERSION,
        token: issuer.issue_for(77, "ada").unwrap(),
    };
    browser
        .events
        .try_deliver(LinkEvent::Reliable(hello.encode()))
        .unwrap();
    // The session asks the region to join the player once the token is verified.
    let join = region.next_event().await;
    let RegionLinkEvent::Join {
        join: Join { session, .. },
        ..
    } = join
    else {
        panic!("expected a join, got {join:?}")
    };
    let s = &browser.stats;
    s.bytes_in.store(1_200, Ordering::Relaxed);
    s.bytes_out.store(48_000, Ordering::Relaxed);
    s.packets_in.store(30, Ordering::Relaxed);
    s.packets_out.store(400, Ordering::Relaxed);
    s.packets_lost.store(8, Ordering::Relaxed);
    s.set_rtt(Duration::from_millis(45), Duration::from_millis(6));
    s.outgoing_bytes.store(2_400, Ordering::Relaxed);
    s.outgoing_bytes_peak.store(9_600, Ordering::Relaxed);

    let listed = sessions(addr).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let ada = listed.iter().find(|v| v["id"] == session).unwrap();
    assert_eq!(ada["transport"], "webtransport");
    assert_eq!(ada["user_id"], 77);
    assert_eq!(ada["username"], "ada");
    // The stats are read when asked, not when last exported.
    assert_eq!(ada["srtt_ms"], 45.0);
    assert_eq!(ada["rtt_var_ms"], 6.0);
    assert_eq!(ada["loss"], 0.02);
    assert_eq!(ada["bytes_in"], 1_200);
    assert_eq!(ada["bytes_out"], 48_000);
    assert_eq!(ada["packets_in"], 30);
    assert_eq!(ada["packets_out"], 400);
    assert_eq!(ada["packets_lost"], 8);
    assert_eq!(ada["outgoing_bytes"], 2_400);
    assert_eq!(ada["outgoing_bytes_peak"], 9_600);
    assert!(ada["age_secs"].as_f64().unwrap() >= 0.0);
    let anonymous = listed.iter().find(|v| v["id"] != session).unwrap();
    assert_eq!(anonymous["transport"], "udp");
    assert_eq!(anonymous["user_id"], Value::Null);
    assert_eq!(anonymous["username"], Value::Null);
    assert_eq!(anonymous["srtt_ms"], Value::Null);
    assert_eq!(anonymous["rtt_var_ms"], Value::Null);
    assert_eq!(anonymous["bytes_in"], 0);

    // A session that ends leaves the list.
    drop(native);
    tokio::time::timeout(T, native_task).await.unwrap().unwrap();
    let listed = sessions(addr).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], session);
    drop(browser);
    tokio::time::timeout(T, browser_task)
        .await
        .unwrap()
        .unwrap();
    assert!(sessions(addr).await.is_empty());
}
