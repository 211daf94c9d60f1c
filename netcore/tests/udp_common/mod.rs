//! Shared set-up of the real-socket UDP tests: a server on loopback and one connected client.

use starlane_netcore::transport::Link;
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use std::time::Duration;

/// How long set-up may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// A server on an ephemeral loopback port with a fresh key and a 10 s idle timeout, connected
/// to by one client: the server (keep it alive), the client's link and the server's link.
pub async fn loopback_pair() -> (UdpServer, Link, Link) {
    let (private, public) = generate_keypair();
    let cfg = UdpServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
    };
    let (server, mut accepted) = UdpServer::bind(cfg).expect("bind loopback");
    assert_eq!(server.public_key(), public);
    let client = connect(server.local_addr(), public, WAIT)
        .await
        .expect("connect");
    let edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("accepted in time")
        .expect("the server is running");
    (server, client, edge)
}
