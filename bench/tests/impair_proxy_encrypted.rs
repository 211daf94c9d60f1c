//! An encrypted UDP session (Noise handshake, laminar) works through the proxy at 5 % loss
//! each way: every reliable message arrives, in order.

#![allow(clippy::unwrap_used)]

use starlane_bench::impair::ImpairProxy;
use starlane_netcore::emulator::{DuplexConfig, ImpairmentConfig};
use starlane_netcore::link::{Link, LinkEvent};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// The next reliable message (datagrams and other events skipped), within a bounded wait.
async fn next_reliable(link: &mut Link) -> Vec<u8> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let event = tokio::time::timeout_at(deadline, link.events.recv())
            .await
            .expect("a reliable message in time")
            .expect("link open");
        if let LinkEvent::Reliable(data) = event {
            return data;
        }
    }
}

/// The next reliable message that is not filler.
async fn next_message(link: &mut Link) -> Vec<u8> {
    loop {
        let data = next_reliable(link).await;
        if data != b"filler" {
            return data;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_messages_survive_five_percent_loss() {
    let (private, public) = generate_keypair();
    let (server, mut accepted) = UdpServer::bind(UdpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
    })
    .unwrap();
    let path = DuplexConfig::symmetric(ImpairmentConfig {
        latency_ms: 5.0,
        jitter_ms: 2.0,
        loss: 0.05,
        seed: 3,
        ..ImpairmentConfig::default()
    });
    let proxy = ImpairProxy::start(
        "127.0.0.1:0".parse().unwrap(),
        server.local_addr(),
        path.up,
        path.down,
    )
    .unwrap();

    let mut client = connect(proxy.local_addr(), public, WAIT).await.unwrap();
    let mut edge = tokio::time::timeout(WAIT, accepted.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.peer, proxy.local_addr());
    assert_eq!(edge.peer.ip(), proxy.local_addr().ip());
    assert_ne!(
        edge.peer,
        proxy.local_addr(),
        "the server sees the proxy's upstream socket"
    );

    for i in 0..100u32 {
        assert!(client.sender.send_reliable(format!("up {i}").into_bytes()));
        assert!(edge.sender.send_reliable(format!("down {i}").into_bytes()));
    }
    // Laminar only resends a reliable packet once the peer has acknowledged 32 later ones, and
    // acknowledgements ride on reliable traffic: keep some flowing both ways, as a game does.
    let (up, down) = (client.sender.clone(), edge.sender.clone());
    let filler = tokio::spawn(async move {
        for _ in 0..2000 {
            up.send_reliable(b"filler".to_vec());
            down.send_reliable(b"filler".to_vec());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    for i in 0..100u32 {
        assert_eq!(
            next_message(&mut edge).await,
            format!("up {i}").into_bytes()
        );
    }
    for i in 0..100u32 {
        assert_eq!(
            next_message(&mut client).await,
            format!("down {i}").into_bytes()
        );
    }
    filler.abort();
    let stats = proxy.stats();
    assert!(
        stats.up.lost > 0 && stats.down.lost > 0,
        "loss happened: {stats}"
    );
    server.shutdown();
}
