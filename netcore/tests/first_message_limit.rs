//! A server's `first_message_limit` on encrypted UDP and QUIC: a client's oversized first
//! reliable message is refused from what the driver knows of its length (the frame's length
//! prefix on QUIC; over UDP, its bytes so far) without the rest being buffered, the link stays
//! up for the server's answer and close, and only the first message is bounded.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::quic_common;
use starlane_netcore::quic::{QuicIdentity, QuicServer, QuicServerConfig, QuicTrust};
use starlane_netcore::transport::{CloseReason, Link, LinkEvent, Liveness, QueueLimits};
use starlane_netcore::udp::{UdpServer, UdpServerConfig, connect, generate_keypair};
use starlane_netcore::webtransport::self_signed_identity;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

const LIMIT: usize = 1000;
const WAIT: Duration = Duration::from_secs(5);

fn udp_server() -> (UdpServer, Receiver<Link>, [u8; 32]) {
    let (private, public) = generate_keypair();
    let (server, accepted) = UdpServer::bind(UdpServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        static_private_key: private,
        idle_timeout: Duration::from_secs(10),
        queues: QueueLimits::DEFAULT,
        first_message_limit: Some(LIMIT),
    })
    .unwrap();
    (server, accepted, public)
}

fn quic_server() -> (QuicServer, Receiver<Link>, [u8; 32]) {
    let (wt, hash) = self_signed_identity(&["localhost", "127.0.0.1"]).unwrap();
    let (server, accepted) = QuicServer::bind(QuicServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: QuicIdentity::from_webtransport(&wt).unwrap(),
        liveness: Liveness::DEFAULT,
        queues: QueueLimits::DEFAULT,
        first_message_limit: Some(LIMIT),
    })
    .unwrap();
    (server, accepted, hash)
}

async fn next_reliable(link: &mut Link) -> LinkEvent {
    tokio::time::timeout(WAIT, quic_common::next_reliable(link))
        .await
        .unwrap()
}

/// The client sends 120 kB first: the server's link says so (`expect_len` of it known), the
/// server answers and closes, and the client gets the answer and the close code. (A QUIC
/// server hands a link over once its stream's first bytes arrive: send, then accept.)
async fn refused(mut client: Link, links: &mut Receiver<Link>, expect_len: impl Fn(usize) -> bool) {
    assert!(client.sender.send_reliable(vec![7u8; 120_000]).is_queued());
    let mut server = quic_common::accept(links).await;
    match next_reliable(&mut server).await {
        LinkEvent::FirstMessageTooLarge(n) => assert!(expect_len(n), "length {n}"),
        other => panic!("expected the refusal, got {other:?}"),
    }
    assert!(
        server
            .sender
            .send_reliable(b"too large".to_vec())
            .is_queued()
    );
    server.sender.close(13);
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Reliable(b"too large".to_vec())
    );
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Closed(CloseReason::Peer(13))
    );
}

/// A first message at the limit is delivered, and a later one may be longer.
async fn accepted(client: Link, links: &mut Receiver<Link>) {
    client.sender.send_reliable(vec![1u8; LIMIT]);
    client.sender.send_reliable(vec![2u8; 20 * LIMIT]);
    let mut server = quic_common::accept(links).await;
    assert_eq!(
        next_reliable(&mut server).await,
        LinkEvent::Reliable(vec![1u8; LIMIT])
    );
    assert_eq!(
        next_reliable(&mut server).await,
        LinkEvent::Reliable(vec![2u8; 20 * LIMIT])
    );
}

#[tokio::test]
async fn udp_refuses_an_oversized_first_message_once_its_bytes_pass_the_limit() {
    let (server, mut links, key) = udp_server();
    let client = connect(server.local_addr(), key, WAIT).await.unwrap();
    // Chunks carry 1024 bytes: the first one already passes the limit.
    refused(client, &mut links, |n| n > LIMIT && n <= LIMIT + 1024).await;

    let client = connect(server.local_addr(), key, WAIT).await.unwrap();
    accepted(client, &mut links).await;
}

#[tokio::test]
async fn quic_refuses_an_oversized_first_frame_from_its_length() {
    let (server, mut links, hash) = quic_server();
    let addr = server.local_addr();
    let trust = || QuicTrust::PinnedSha256(hash);
    let client = starlane_netcore::quic::connect(addr, "localhost", trust(), WAIT)
        .await
        .unwrap();
    refused(client, &mut links, |n| n == 120_000).await;
    assert_eq!(
        server
            .counters()
            .first_messages_too_large
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    let client = starlane_netcore::quic::connect(addr, "localhost", trust(), WAIT)
        .await
        .unwrap();
    accepted(client, &mut links).await;
}
