//! Scenario: while an edge drains (admin call or SIGTERM both come to `EdgeHandle::drain`),
//! its `/readyz` answers 503 `draining` and `starlane_edge_draining` is 1; the other edge of
//! the region stays ready, and the draining edge's connect endpoint hands out the other one.

#![allow(clippy::unwrap_used)]

use crate::common::http_get;
use crate::common::two_edges;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_while_draining() {
    let set = two_edges::start(30).await;
    assert_eq!(http_get(set.b.http_addr(), "/readyz").await.0, 200);
    assert!(set.b.drain());
    assert!(!set.b.drain(), "a second drain is no new drain");
    let (status, text) = http_get(set.b.http_addr(), "/readyz").await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("draining"), "{text}");
    let (_, metrics) = http_get(set.b.http_addr(), "/metrics").await;
    assert!(metrics.contains("starlane_edge_draining 1"), "{metrics}");
    assert_eq!(http_get(set.a.http_addr(), "/readyz").await.0, 200);
    let (_, metrics) = http_get(set.a.http_addr(), "/metrics").await;
    assert!(metrics.contains("starlane_edge_draining 0"), "{metrics}");
}
