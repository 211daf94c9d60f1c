//! Scenario: the connect endpoint of an edge in a cluster on a real Redis hands a player of
//! another home region the least-loaded edge of that region from the registry: never a
//! draining one, nor one whose record expired, nor the one the client says it lost; 503 when
//! no edge of the region takes sessions. Answers are counted by outcome.

#![allow(clippy::unwrap_used)]

use crate::common::cluster_edge::*;
use crate::common::connect_client::*;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_least_loaded_live_taking_edge_of_the_home_region_is_answered() {
    let c = TestCluster::new();
    let admin = c.admin().await;
    let a = c.edge("edge-a").await;
    let http = a.edge.http_addr();
    let token = c.issuer.issue_for(900, "ada").unwrap();
    admin.set_home_region(900, "r2").await.unwrap();

    // Nothing in r2 yet: no edge (the endpoint's own region r1 is not the player's).
    let (status, body) = post_connect(http, "/connect", &token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("no_edge_available"))
    );

    // The least loaded of r2, with its region and what to pin.
    put(&admin, &fake_edge("e1", "r2", 5, false), LONG).await;
    put(&admin, &fake_edge("e2", "r2", 2, false), LONG).await;
    answered_until(http, &token, Some("e2.example:4434")).await;
    let (status, body) = post_connect(http, "/connect", &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["region"], "r2");
    assert_eq!(body["webtransport_url"], "https://e2.example:4433/");
    assert_eq!(body["quic_addr"], "e2.example:4435");
    assert_eq!(body["cert_hash"], "ab".repeat(32));
    assert_eq!(body["udp_public_key"], "cd".repeat(32));

    // A client that lost e2 is sent elsewhere at once, even while e2's record lives.
    let (_, body) = post_connect(http, "/connect?lost=e2.example:4434", &token).await;
    assert_eq!(body["udp_addr"], "e1.example:4434");

    // A draining edge is skipped.
    put(&admin, &fake_edge("e2", "r2", 2, true), LONG).await;
    answered_until(http, &token, Some("e1.example:4434")).await;

    // An idle edge whose record expires (its heartbeats stopped) is answered, then not.
    put(
        &admin,
        &fake_edge("e0", "r2", 0, false),
        Duration::from_secs(2),
    )
    .await;
    answered_until(http, &token, Some("e0.example:4434")).await;
    answered_until(http, &token, Some("e1.example:4434")).await;

    // No edge takes sessions: 503.
    put(&admin, &fake_edge("e1", "r2", 10, false), LONG).await;
    answered_until(http, &token, None).await;

    // A request without a token is refused before any lookup.
    let (status, _) = post_connect(http, "/connect", "").await;
    assert_eq!(status, 401);
    let answers = &a.edge.metrics();
    let count = |outcome: &str| {
        let text = prometheus::TextEncoder::new()
            .encode_to_string(&answers.registry().gather())
            .unwrap();
        text.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "starlane_edge_connect_answers_total{{outcome=\"{outcome}\"}}"
                ))
            })
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert!(count("ok") >= 5, "ok {}", count("ok"));
    assert!(count("no_edge") >= 2, "no_edge {}", count("no_edge"));
    assert_eq!(count("unauthorized"), 1);
}
