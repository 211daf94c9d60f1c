//! A client holding the wrong server key cannot connect, and gives up within its timeout.

use crate::udp_common::loopback_server;
use starlane_netcore::transport::QueueLimits;
use starlane_netcore::udp::{ConnectError, connect, generate_keypair};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_server_key_fails_within_timeout() {
    let (server, mut accepted, _) = loopback_server(QueueLimits::DEFAULT);
    let (_, wrong_public) = generate_keypair();
    let start = Instant::now();
    let result = connect(
        server.local_addr(),
        wrong_public,
        Duration::from_millis(800),
    )
    .await;
    let took = start.elapsed();
    assert!(
        matches!(result, Err(ConnectError::TimedOut)),
        "got {result:?}"
    );
    assert!(
        took >= Duration::from_millis(750) && took < Duration::from_millis(1700),
        "took {took:?}"
    );
    assert!(accepted.try_recv().is_err(), "no link was created");
    assert!(
        server.drops().handshake_failed >= 2,
        "inits were resent and refused"
    );
    server.shutdown();
}
