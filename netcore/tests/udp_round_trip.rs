//! Handshake and encrypted round trip of reliable messages and datagrams over loopback UDP.

use starlane_netcore::transport::{Link, LinkEvent, TransportKind};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

async fn next(link: &mut Link) -> LinkEvent {
    tokio::time::timeout(WAIT, link.events.recv())
        .await
        .expect("event in time")
        .expect("link open")
}

/// Next event that is not a datagram (datagrams may be lost; reliable ones may not).
async fn next_reliable(link: &mut Link) -> LinkEvent {
    loop {
        match next(link).await {
            LinkEvent::Datagram(_) => continue,
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_and_datagrams_round_trip() {
    let (private, public) = generate_keypair();
    let cfg = UdpServerConfig {
        bind: "127.0.0.1:0".parse().expect("literal"),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
        queues: starlane_netcore::transport::QueueLimits::DEFAULT,
        first_message_limit: None,
    };
    let (server, mut accepted) = UdpServer::bind(cfg).expect("bind loopback");
    assert_eq!(server.public_key(), public);

    let mut client = connect(server.local_addr(), public, WAIT)
        .await
        .expect("connect");
    let mut edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .expect("in time")
        .expect("running");
    assert_eq!(edge.transport, TransportKind::Udp);
    assert_eq!(edge.peer, client_addr_seen_by(&edge));
    // The server timed the handshake it answered: the hello and the init (resends add more).
    let (packets, time) = server.stats().handshake_time();
    assert!(packets >= 2, "{packets} handshake packets");
    assert!(time > Duration::ZERO);

    // Reliable messages arrive exactly once, in order, including ones split into several chunks.
    let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    for i in 0..50u8 {
        assert!(
            client
                .sender
                .send_reliable(vec![i; 1 + i as usize])
                .is_queued()
        );
    }
    assert!(client.sender.send_reliable(big.clone()).is_queued());
    for i in 0..50u8 {
        assert_eq!(
            next_reliable(&mut edge).await,
            LinkEvent::Reliable(vec![i; 1 + i as usize])
        );
    }
    assert_eq!(next_reliable(&mut edge).await, LinkEvent::Reliable(big));

    // Server to client, both kinds.
    assert!(edge.sender.send_reliable(b"welcome".to_vec()).is_queued());
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Reliable(b"welcome".to_vec())
    );
    let mut got = false;
    for _ in 0..20 {
        assert!(edge.sender.send_datagram(b"state".to_vec()).is_queued());
        if let Ok(Some(LinkEvent::Datagram(d))) =
            tokio::time::timeout(Duration::from_millis(100), client.events.recv()).await
        {
            assert_eq!(d, b"state");
            got = true;
            break;
        }
    }
    assert!(got, "a datagram crossed loopback");
    assert!(client.sender.send_datagram(b"input".to_vec()).is_queued());
    assert_eq!(
        next(&mut edge).await,
        LinkEvent::Datagram(b"input".to_vec())
    );

    // The driver publishes link stats every 100 ms: wait for the first figures.
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let (e, c) = (edge.stats.snapshot(), client.stats.snapshot());
        if e.packets_in > 0 && c.packets_in > 0 && c.rtt.is_some() && e.rtt.is_some() {
            assert!(e.bytes_in >= 50 * 2, "the 51 messages crossed: {e:?}");
            assert!(c.bytes_out >= e.bytes_in, "sent at least what arrived");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no stats: {e:?} {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.drops().total(), 0);
    server.shutdown();
}

fn client_addr_seen_by(link: &Link) -> std::net::SocketAddr {
    assert!(link.peer.ip().is_loopback());
    link.peer
}
