//! Scenario: the region's `/readyz` answers 503 while the region is prepared but not started
//! (its database is not open), 200 once it runs, and 503 again as soon as shutdown begins;
//! `/healthz` answers 200 throughout, and the listener is gone after shutdown.

use crate::edge_stand_in::config;
use crate::ops_http::get;
use starlane_game::Region;

#[tokio::test]
async fn readyz_follows_start_and_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prepared = Region::prepare(config(dir.path()))
        .await
        .expect("listener binds");
    let http = prepared.http_addr();

    let (status, body) = get(http, "/readyz").await.expect("readyz");
    assert_eq!(
        (status, body.as_str()),
        (503, "not ready: database not open\n")
    );
    let (status, _) = get(http, "/healthz").await.expect("healthz");
    assert_eq!(status, 200);

    let region = prepared.start().await.expect("region starts");
    assert_eq!(region.http_addr(), http);
    let (status, body) = get(http, "/readyz").await.expect("readyz");
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    let (status, body) = get(http, "/healthz").await.expect("healthz");
    assert_eq!((status, body.as_str()), (200, "ok\n"));

    region.begin_shutdown();
    let (status, body) = get(http, "/readyz").await.expect("readyz");
    assert_eq!((status, body.as_str()), (503, "not ready: shutting down\n"));
    let (status, _) = get(http, "/healthz").await.expect("healthz");
    assert_eq!(status, 200, "the tick still runs until shutdown stops it");

    region.shutdown().await.expect("clean shutdown");
    assert!(
        get(http, "/readyz").await.is_err(),
        "the listener closes with the region"
    );
}
