//! Shared set-up of the real-socket UDP tests: a server on loopback and one connected client.

use starlane_netcore::transport::{Link, QueueLimits};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

/// How long set-up may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// A server on an ephemeral loopback port with a fresh key and a 10 s idle timeout, connected
/// to by one client: the server (keep it alive), the client's link and the server's link.
pub async fn loopback_pair() -> (UdpServer, Link, Link) {
    let (server, mut accepted, public) = loopback_server(QueueLimits::DEFAULT);
    let client = connect(server.local_addr(), public, WAIT)
        .await
        .expect("connect");
    let edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("accepted in time")
        .expect("the server is running");
    (server, client, edge)
}

/// A server on an ephemeral loopback port with a fresh key, a 10 s idle timeout and queues
/// bounded by `queues`: the server (keep it alive), its accept queue and its public key.
pub fn loopback_server(queues: QueueLimits) -> (UdpServer, Receiver<Link>, [u8; 32]) {
    let (private, public) = generate_keypair();
    let cfg = UdpServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
        queues,
        first_message_limit: None,
    };
    let (server, accepted) = UdpServer::bind(cfg).expect("bind loopback");
    assert_eq!(server.public_key(), public);
    (server, accepted, public)
}
