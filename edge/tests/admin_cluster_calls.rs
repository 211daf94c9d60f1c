//! Scenario: an operator's admin calls on one edge act on the whole cluster (real Redis).
//! `POST /admin/revoke` with a token closes a session open with it on another edge
//! (`Notice(Revoked)`, then `Revoked`) and that edge refuses the token from then on;
//! `POST /admin/broadcast` reaches a client of the other edge as `Notice(Broadcast)`;
//! malformed requests get 400 with the reason and change nothing.

#![allow(clippy::unwrap_used)]

use crate::common::cluster_edge::*;
use starlane_protocol::client::ServerMsg;
use starlane_protocol::{NoticeKind, RejectReason};

const TOKEN: &str = "admin-calls-token";

/// `POST path` with the admin token and a JSON body: the status code and the response.
async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> (u16, String) {
    crate::common::http_post(addr, path, Some(TOKEN), Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_revoke_and_broadcast_reach_every_edge() {
    let c = TestCluster::new();
    let a = c
        .edge_with("edge-a", |cfg| {
            cfg.admin.bind = "127.0.0.1:0".into();
            cfg.admin.token = TOKEN.into();
        })
        .await;
    let mut b = c.edge("edge-b").await;
    let admin = a
        .edge
        .admin_addr()
        .expect("edge-a serves its admin listener");
    let ada = c.issuer.issue("ada").unwrap();
    let mut on_b = b.welcomed(&ada).await;
    let mut bob_on_b = b.welcomed(&c.issuer.issue("bob").unwrap()).await;

    // Requests naming nothing, or two things, or a past `until`, are refused.
    for bad in [
        "{}".to_string(),
        format!(r#"{{"token": "{ada}", "user_id": 1}}"#),
        format!(r#"{{"token": "{ada}", "until": 1}}"#),
    ] {
        let (status, text) = post(admin, "/admin/revoke", &bad).await;
        assert_eq!(status, 400, "{bad}: {text}");
    }
    let (status, text) = post(admin, "/admin/broadcast", r#"{"text": ""}"#).await;
    assert_eq!(status, 400, "{text}");
    let long = "x".repeat(starlane_protocol::codec::MAX_NOTICE_LEN + 1);
    let (status, text) = post(
        admin,
        "/admin/broadcast",
        &format!(r#"{{"text": "{long}"}}"#),
    )
    .await;
    assert_eq!(status, 400, "{text}");

    let (status, text) = post(admin, "/admin/revoke", &format!(r#"{{"token": "{ada}"}}"#)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        next_reliable(&mut on_b).await,
        Ok(ServerMsg::Notice {
            kind: NoticeKind::Revoked,
            text: String::new()
        })
    );
    expect_rejected(&mut on_b, RejectReason::Revoked).await;
    let mut again = b.hello(&ada).await;
    expect_rejected(&mut again, RejectReason::Revoked).await;

    let (status, text) = post(
        admin,
        "/admin/broadcast",
        r#"{"text": "maintenance at 18:00"}"#,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        next_reliable(&mut bob_on_b).await,
        Ok(ServerMsg::Notice {
            kind: NoticeKind::Broadcast,
            text: "maintenance at 18:00".into()
        })
    );
}
