//! Liveness over WebSocket: a client whose pump runs answers the server's pings and keeps an
//! idle link open past the idle timeout (and gets a round-trip time from its own pings); a
//! client that went silent (never reads, so never answers) is closed with `Timeout`.

use crate::link_events::{accept, next};
use crate::ws_common::client;
use starlane_netcore::transport::{CloseReason, LinkEvent, Liveness, QueueLimits};
use starlane_netcore::websocket::{WsLimits, WsServer, WsServerConfig, connect_native};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_times_out_and_a_live_one_does_not() {
    let liveness = Liveness {
        idle_timeout: Duration::from_millis(600),
        keep_alive: Duration::from_millis(150),
    };
    let (server, mut accepted) = WsServer::bind(WsServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        queues: QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness,
        limits: WsLimits::default(),
        tls: None,
    })
    .expect("bind");
    let url = format!("ws://127.0.0.1:{}/", server.local_addr().port());

    let live = connect_native(&url).await.expect("connect");
    let mut live_edge = accept(&mut accepted).await;
    let silent = client(&url).await;
    let mut silent_edge = accept(&mut accepted).await;
    let start = Instant::now();

    assert_eq!(
        next(&mut silent_edge).await,
        LinkEvent::Closed(CloseReason::Timeout)
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(550),
        "closed after {waited:?}"
    );

    // Three idle timeouts later the live link is still open, and both sides measured a
    // round trip from pings and pongs.
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    assert!(live_edge.events.try_recv().is_err(), "the live link closed");
    assert!(
        live_edge.stats.snapshot().rtt.is_some(),
        "no round trip measured"
    );
    drop(silent);
    drop(live);
    server.shutdown();
}
