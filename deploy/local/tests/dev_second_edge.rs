//! Scenario: `starlane-local run --dev-second-edge` (the browser drain test's set-up). The
//! connect info hands out the second edge `b`; `/api/connect` on the web server passes the
//! bearer token (and `?lost=`) to edge `a`'s connect endpoint and its answer (or refusal) back; `b`'s admin
//! listener drains it only with the configured token; a client playing on `b` then moves to
//! `a` through `/api/connect` and resumes its session there.

#![allow(clippy::unwrap_used)]

use crate::common::wait_until;
use starlane_client::{Client, ClientEvent, ConnectInfo, fetch_dev_token};
use starlane_local::{Local, LocalOptions};
use starlane_protocol::MoveReason;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const ADMIN_TOKEN: &str = "second-edge-admin";

/// `POST url` with an optional bearer token: the status and the body.
async fn post(url: String, bearer: Option<String>) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.post(&url);
        if let Some(token) = bearer {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let mut res = req.send_empty().unwrap();
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_edge_drains_and_its_client_moves_to_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>test</title>").unwrap();
    let mut opts = LocalOptions::new(dir.path().join("data"));
    opts.web_dir = web;
    opts.ephemeral_ports = true;
    opts.second_edge_admin_token = Some(ADMIN_TOKEN.into());
    opts.ai_empires = Some(0);
    let local = Local::start(opts).await.unwrap();
    let a = local.edge();
    let b = local.second_edge().expect("a second edge");
    let base = format!("http://127.0.0.1:{}", local.http_addr().port());

    // The connect info hands out edge b.
    let info = ConnectInfo::fetch(&base).await.unwrap();
    assert_eq!(info.udp_addr.port(), b.udp_addr().port());
    assert_ne!(b.udp_addr().port(), a.udp_addr().port());

    // /api/connect: edge a's connect endpoint on the web server's origin.
    let connect = format!("{base}/api/connect");
    let (status, body) = post(connect.clone(), None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("missing_bearer_token"), "{body}");
    let (status, _) = post(connect.clone(), Some("not.a.token".into())).await;
    assert_eq!(status, 401);
    let token = fetch_dev_token(&base, "ada").await.unwrap();
    let (status, body) = post(connect.clone(), Some(token.clone())).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let wt_port = a.webtransport_addr().port();
    assert_eq!(
        answer["webtransport_url"].as_str().unwrap(),
        format!("https://127.0.0.1:{wt_port}/")
    );
    assert_eq!(answer["cert_hash"].as_str().unwrap(), a.cert_hash());
    // `?lost=` is passed on: the endpoint does not hand out the edge a client lost.
    let lost = format!("{connect}?lost=https://127.0.0.1:{wt_port}/");
    let (status, body) = post(lost, Some(token.clone())).await;
    assert!(!body.contains(&format!(":{wt_port}/")), "{status} {body}");

    // A client plays on b.
    let mut client = Client::connect(&info, &token).await.unwrap();
    let empire = client.empire;
    wait_until(&mut client, WAIT, |c| c.world.my_units().next().is_some()).await;

    // b's admin listener drains it with the token only.
    let admin = b.admin_addr().expect("b has an admin listener");
    let drain = format!("http://{admin}/admin/drain");
    let (status, _) = post(drain.clone(), Some("wrong".into())).await;
    assert_eq!(status, 403);
    assert!(!b.is_draining());
    let (status, _) = post(drain, Some(ADMIN_TOKEN.into())).await;
    assert_eq!(status, 202);
    assert!(b.is_draining());

    // The client moves to a through /api/connect and resumes there.
    let deadline = tokio::time::Instant::now() + WAIT;
    let reason = loop {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::Moved { reason })) => break reason,
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            other => panic!("no move: {other:?}"),
        }
    };
    assert_eq!(reason, Some(MoveReason::Drain));
    assert_eq!(client.empire, empire, "same empire after the move");
    wait_until(&mut client, WAIT, |c| c.world.my_units().next().is_some()).await;
    assert_eq!(a.metrics().resumes.with_label_values(&["ok"]).get(), 1);
    assert!(!a.is_draining());

    drop(client);
    local.shutdown().await.unwrap();
}
