//! Over real loopback sockets, a client's address changes mid-connection (a relay in front of
//! it, standing in for a NAT, starts forwarding from a new port): the server's link carries
//! on, and messages keep flowing both ways on the same links.

use crate::link_events::{next_reliable, reliable_arrives};
use crate::udp_common::{WAIT, loopback_server};
use starlane_netcore::transport::{LinkEvent, QueueLimits};
use starlane_netcore::udp::connect;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::net::UdpSocket;

/// A relay on loopback: what the client sends to `front` goes to `server` from `out_a`, or
/// from `out_b` once `rebound` is set; the server's answers to either go back to the client.
async fn relay(server: SocketAddr, rebound: Arc<AtomicBool>) -> SocketAddr {
    let front = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    let out_a = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    let out_b = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
    let addr = front.local_addr().expect("bound");
    let client: Arc<tokio::sync::Mutex<Option<SocketAddr>>> = Arc::default();
    {
        let (front, a, b, client, rebound) = (
            front.clone(),
            out_a.clone(),
            out_b.clone(),
            client.clone(),
            rebound.clone(),
        );
        tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            while let Ok((n, from)) = front.recv_from(&mut buf).await {
                *client.lock().await = Some(from);
                let out = if rebound.load(Ordering::Acquire) {
                    &b
                } else {
                    &a
                };
                let _ = out.send_to(&buf[..n], server).await;
            }
        });
    }
    for out in [out_a, out_b] {
        let (front, client) = (front.clone(), client.clone());
        tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            while let Ok((n, _)) = out.recv_from(&mut buf).await {
                if let Some(c) = *client.lock().await {
                    let _ = front.send_to(&buf[..n], c).await;
                }
            }
        });
    }
    addr
}

/// Messages the server sends, one every 300 µs, while the move happens.
const STREAM: u16 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_links_carry_on_when_the_clients_address_changes() {
    let (server, mut accepted, public) = loopback_server(QueueLimits::DEFAULT);
    let rebound = Arc::new(AtomicBool::new(false));
    let front = relay(server.local_addr(), rebound.clone()).await;
    let mut client = connect(front, public, WAIT).await.expect("connect");
    let mut edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("accepted in time")
        .expect("server running");
    reliable_arrives(&client, &mut edge, b"before").await;
    reliable_arrives(&edge, &mut client, b"welcome").await;

    // The server streams to the client; a quarter in, the client's port changes and it sends
    // a message. Its packets from the new port reach the same link; the server validates the
    // port and moves the connection mid-stream. None of the messages the server queues around
    // the move may be lost (one applied in the loop turn that moved the connection once was:
    // it went to the old address, which the endpoint no longer knew).
    for i in 0..STREAM {
        if i == STREAM / 4 {
            rebound.store(true, Ordering::Release);
            assert!(client.sender.send_reliable(b"after".to_vec()).is_queued());
        }
        assert!(
            edge.sender
                .send_reliable(i.to_le_bytes().to_vec())
                .is_queued()
        );
        tokio::time::sleep(std::time::Duration::from_micros(300)).await;
    }
    match next_reliable(&mut edge).await {
        LinkEvent::Reliable(m) => assert_eq!(m, b"after"),
        other => panic!("{other:?}"),
    }
    for i in 0..STREAM {
        match next_reliable(&mut client).await {
            LinkEvent::Reliable(m) => assert_eq!(m, i.to_le_bytes(), "message {i}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(edge.sender.send_reliable(b"still you".to_vec()).is_queued());
    match next_reliable(&mut client).await {
        LinkEvent::Reliable(m) => assert_eq!(m, b"still you"),
        other => panic!("{other:?}"),
    }
    for i in 0..20u8 {
        reliable_arrives(&edge, &mut client, &[i; 300]).await;
        reliable_arrives(&client, &mut edge, &[i; 30]).await;
    }
    // The loop publishes its counters every 100 ms.
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    let stats = server.stats();
    assert_eq!(stats.connections(), 1, "one connection all along");
    assert_eq!(server.drops().total(), 0, "{:?}", server.drops());
    let paths = stats.paths();
    assert_eq!((paths.probes, paths.migrations), (1, 1), "{paths:?}");
    server.shutdown();
}
