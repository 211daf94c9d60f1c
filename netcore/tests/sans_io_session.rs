//! Sans-IO: handshake between two endpoints, then tampered and replayed datagrams are dropped.

use starlane_netcore::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::handshake::generate_keypair;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("literal address")
}

/// Run the handshake; returns (server, client, client addr, server addr).
fn established(now: Instant) -> (Endpoint, Endpoint, SocketAddr, SocketAddr) {
    let (private, public) = generate_keypair();
    let (c_addr, s_addr) = (addr("127.0.0.1:5000"), addr("127.0.0.1:6000"));
    let mut server = Endpoint::server(private, EndpointConfig::default());
    let mut client =
        Endpoint::client(now, s_addr, public, EndpointConfig::default()).expect("valid key");
    let (to, init) = client.poll_transmit().expect("init queued");
    assert_eq!(to, s_addr);
    assert_eq!(server.handle_datagram(now, c_addr, &init), None);
    assert_eq!(
        server.poll_event(),
        Some(EndpointEvent::Connected {
            peer: c_addr,
            rtt: None
        })
    );
    let (to, response) = server.poll_transmit().expect("response queued");
    assert_eq!(to, c_addr);
    assert!(
        response.len() <= init.len(),
        "no response larger than its request"
    );
    let later = now + Duration::from_millis(3);
    assert_eq!(client.handle_datagram(later, s_addr, &response), None);
    match client.poll_event() {
        Some(EndpointEvent::Connected {
            peer,
            rtt: Some(rtt),
        }) => {
            assert_eq!(peer, s_addr);
            assert_eq!(rtt, Duration::from_millis(3));
        }
        other => panic!("unexpected {other:?}"),
    }
    (server, client, c_addr, s_addr)
}

#[test]
fn data_round_trips_both_ways() {
    let now = Instant::now();
    let (mut server, mut client, c_addr, s_addr) = established(now);
    let d = client.seal(s_addr, b"hello server").expect("session up");
    assert_eq!(
        server.handle_datagram(now, c_addr, &d),
        Some(b"hello server".to_vec())
    );
    let d = server.seal(c_addr, b"hello client").expect("session up");
    assert_eq!(
        client.handle_datagram(now, s_addr, &d),
        Some(b"hello client".to_vec())
    );
    assert_eq!(server.drops().total(), 0);
}

#[test]
fn tampered_datagram_is_rejected() {
    let now = Instant::now();
    let (mut server, mut client, c_addr, s_addr) = established(now);
    let good = client.seal(s_addr, b"pay 10 credits").expect("session up");
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            server.handle_datagram(now, c_addr, &bad),
            None,
            "flipped byte {i}"
        );
    }
    let drops = server.drops();
    assert_eq!(drops.total(), good.len() as u64);
    assert!(drops.decrypt >= 1);
    // The untouched original still opens: forgeries did not move the replay window.
    assert_eq!(
        server.handle_datagram(now, c_addr, &good),
        Some(b"pay 10 credits".to_vec())
    );
}

#[test]
fn replayed_datagram_is_rejected() {
    let now = Instant::now();
    let (mut server, mut client, c_addr, s_addr) = established(now);
    let first = client.seal(s_addr, b"one").expect("session up");
    let second = client.seal(s_addr, b"two").expect("session up");
    // Out of order is fine, a replay is not.
    assert_eq!(
        server.handle_datagram(now, c_addr, &second),
        Some(b"two".to_vec())
    );
    assert_eq!(
        server.handle_datagram(now, c_addr, &first),
        Some(b"one".to_vec())
    );
    assert_eq!(server.handle_datagram(now, c_addr, &first), None);
    assert_eq!(server.handle_datagram(now, c_addr, &second), None);
    assert_eq!(server.drops().replayed, 2);
    // A datagram from another address with the same bytes has no session.
    assert_eq!(
        server.handle_datagram(now, addr("127.0.0.1:5001"), &first),
        None
    );
    assert_eq!(server.drops().unknown_peer, 1);
}

#[test]
fn disconnect_carries_its_code() {
    let now = Instant::now();
    let (mut server, mut client, c_addr, s_addr) = established(now);
    assert!(server.close(c_addr, 42));
    let (_, d) = server.poll_transmit().expect("disconnect queued");
    assert_eq!(client.handle_datagram(now, s_addr, &d), None);
    assert_eq!(
        client.poll_event(),
        Some(EndpointEvent::Disconnected {
            peer: s_addr,
            code: 42
        })
    );
    assert_eq!(client.peer_count(), 0);
}

#[test]
fn client_resends_init_then_gives_up() {
    let now = Instant::now();
    let (_, public) = generate_keypair();
    let s_addr = addr("127.0.0.1:6000");
    let cfg = EndpointConfig::default();
    let mut client = Endpoint::client(now, s_addr, public, cfg).expect("valid key");
    let (_, first) = client.poll_transmit().expect("init queued");
    let resend_at = client.poll_timeout().expect("timer armed");
    client.handle_timeout(resend_at);
    let (_, again) = client.poll_transmit().expect("init resent");
    assert_eq!(first, again);
    client.handle_timeout(now + cfg.handshake.timeout);
    assert!(matches!(
        client.poll_event(),
        Some(EndpointEvent::ConnectFailed(_))
    ));
    assert_eq!(client.poll_timeout(), None);
}

#[test]
fn idle_session_times_out() {
    let now = Instant::now();
    let (mut server, _client, c_addr, _) = established(now);
    server.handle_timeout(now + Duration::from_secs(11));
    assert_eq!(
        server.poll_event(),
        Some(EndpointEvent::TimedOut { peer: c_addr })
    );
}
