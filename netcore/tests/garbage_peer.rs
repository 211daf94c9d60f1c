//! A peer speaking garbage allocates nothing, gets no answer larger than what it sent (only
//! hello-shaped datagrams get a cookie), crashes nothing, and a real client still works.

use crate::udp_common::loopback_server;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig};
use starlane_netcore::proto::handshake::generate_keypair;
use starlane_netcore::proto::packet::{HELLO_LEN, INIT_LEN};
use starlane_netcore::transport::{LinkEvent, QueueLimits};
use starlane_netcore::udp::connect;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Deterministic xorshift so the garbage is reproducible.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn garbage(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut s = seed;
    (0..count)
        .map(|i| {
            let len = (xorshift(&mut s) % 1500) as usize;
            let mut d: Vec<u8> = (0..len).map(|_| xorshift(&mut s) as u8).collect();
            // Make many of them look like real packet types.
            if let Some(first) = d.first_mut() {
                *first = (i % 6) as u8;
            }
            if i % 5 == 0 {
                d.resize(INIT_LEN, 0);
                d[0] = 3;
                d[1] = 2;
            }
            d
        })
        .collect()
}

#[test]
fn sans_io_endpoint_survives_garbage() {
    let now = Instant::now();
    let (private, public) = generate_keypair();
    let mut server = Endpoint::server(private, EndpointConfig::default());
    let s_addr: SocketAddr = "127.0.0.1:1".parse().expect("literal");
    let mut client = Endpoint::client(now, s_addr, public, EndpointConfig::default()).expect("key");
    let from: SocketAddr = "127.0.0.1:2".parse().expect("literal");
    let junk = garbage(7, 5000);
    let mut answered = 0;
    for d in &junk {
        server.handle_datagram(now, from, d);
        client.handle_datagram(now, s_addr, d);
        while let Some((to, answer)) = server.poll_transmit(now) {
            assert_eq!(to, from);
            assert!(
                answer.len() < d.len(),
                "an answer is smaller than its request"
            );
            assert_eq!(d.len(), HELLO_LEN, "only a hello is answered");
            answered += 1;
        }
    }
    assert_eq!(server.peer_count(), 0);
    assert_eq!(server.drops().total() + answered, junk.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_server_survives_garbage() {
    let (server, mut accepted, public) = loopback_server(QueueLimits::DEFAULT);
    let attacker = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    attacker
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("set timeout");
    let junk = garbage(99, 2000);
    for d in &junk {
        attacker.send_to(d, server.local_addr()).expect("send");
    }
    let mut buf = [0u8; 2048];
    while let Ok((n, _)) = attacker.recv_from(&mut buf) {
        assert!(n <= 37, "at most cookie answers come back");
    }
    assert!(server.drops().total() > 0);

    // A real client still gets through.
    let mut link = connect(server.local_addr(), public, Duration::from_secs(5))
        .await
        .expect("connect");
    let mut server_link = tokio::time::timeout(Duration::from_secs(5), accepted.recv())
        .await
        .expect("link in time")
        .expect("server running");
    assert!(
        link.sender
            .send_reliable(b"still alive".to_vec())
            .is_queued()
    );
    let ev = tokio::time::timeout(Duration::from_secs(5), server_link.events.recv())
        .await
        .expect("in time");
    assert_eq!(ev, Some(LinkEvent::Reliable(b"still alive".to_vec())));
    let _ = link.events.try_recv();
    server.shutdown();
}
