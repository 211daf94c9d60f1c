//! A server bound on `[::]` is reachable over IPv4 (127.0.0.1) and IPv6 (::1).

use starlane_netcore::transport::{Link, LinkEvent};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

async fn echo_once(
    server_addr: SocketAddr,
    key: [u8; 32],
    accepted: &mut tokio::sync::mpsc::Receiver<Link>,
) {
    let client = connect(server_addr, key, WAIT).await.expect("connect");
    let mut edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("in time")
        .expect("running");
    assert!(client.sender.send_reliable(b"ping".to_vec()).is_queued());
    let ev = tokio::time::timeout(WAIT, edge.events.recv())
        .await
        .expect("in time");
    assert_eq!(ev, Some(LinkEvent::Reliable(b"ping".to_vec())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dual_stack_accepts_v4_and_v6() {
    let (private, public) = generate_keypair();
    let cfg = UdpServerConfig {
        bind: "[::]:0".parse().expect("literal"),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
        queues: starlane_netcore::transport::QueueLimits::DEFAULT,
        first_message_limit: None,
    };
    let (server, mut accepted) = UdpServer::bind(cfg).expect("bind [::]");
    let port = server.local_addr().port();
    echo_once((Ipv4Addr::LOCALHOST, port).into(), public, &mut accepted).await;
    echo_once((Ipv6Addr::LOCALHOST, port).into(), public, &mut accepted).await;
    server.shutdown();
}
