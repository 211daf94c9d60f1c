//! Every way a connection ends, and the code each side sees: an application code both ways; a
//! graceful close that first delivers what is queued, or gives up at the linger deadline when
//! the peer never acknowledges; `OVERLOADED` after the send queue refuses a message;
//! `PROTOCOL_VIOLATION` for an authenticated malformed body or frame; a disconnect lost once still
//! arrives (it is sent twice); and after a close the keys are gone: sending fails and the
//! peer's later datagrams are `unknown_peer`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::transport_common;

use starlane_netcore::proto::conn::body::CHANNEL_FRAMES;
use starlane_netcore::proto::conn::reliable::PushError;
use starlane_netcore::proto::conn::{CLOSE_LINGER, CloseCause, ConnConfig, SendError, codes};
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::{ClientEvent, ClientHandshake, HandshakeTiming};
use starlane_netcore::proto::packet::PacketType;
use starlane_netcore::proto::session::Session;
use std::net::SocketAddr;
use std::time::Duration;
use transport_common::*;

fn connected(path: starlane_netcore::proto::emulator::DuplexConfig) -> (Net, usize) {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(path);
    net.run_for(Duration::from_secs(1));
    assert!(net.connected(c));
    (net, c)
}

fn causes(events: &[(Duration, EndpointEvent)], peer: SocketAddr) -> Vec<CloseCause> {
    closes(events, peer).into_iter().map(|(_, c)| c).collect()
}

#[test]
fn application_codes_reach_the_peer_both_ways() {
    let (mut net, c) = connected(clean(20.0));
    let c_addr = net.clients[c].addr;
    let now = net.now;
    assert!(net.clients[c].endpoint.close(now, server_addr(), 42));
    net.run_for(Duration::from_millis(100));
    assert_eq!(
        causes(&net.clients[c].events, server_addr()),
        vec![CloseCause::Local(42)]
    );
    assert_eq!(
        causes(&net.server_events, c_addr),
        vec![CloseCause::Peer(42)]
    );
    assert_eq!(net.server.peer_count(), 0);

    let c2 = net.add_client(clean(20.0));
    net.run_for(Duration::from_secs(1));
    let c2_addr = net.clients[c2].addr;
    let now = net.now;
    assert!(net.server.close(now, c2_addr, 7));
    assert!(!net.server.close(now, c2_addr, 7), "closed once");
    net.run_for(Duration::from_millis(100));
    assert_eq!(
        causes(&net.server_events, c2_addr),
        vec![CloseCause::Local(7)]
    );
    assert_eq!(
        causes(&net.clients[c2].events, server_addr()),
        vec![CloseCause::Peer(7)]
    );
}

#[test]
fn graceful_close_delivers_queued_messages_first() {
    let (mut net, c) = connected(path(starlane_netcore::proto::emulator::ImpairmentConfig {
        latency_ms: 30.0,
        loss: 0.10,
        seed: 5,
        ..Default::default()
    }));
    let c_addr = net.clients[c].addr;
    let sent: Vec<Vec<u8>> = (0..20u8).map(|i| vec![i; 100 + 300 * i as usize]).collect();
    for m in &sent {
        net.client_sends(c, m);
    }
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 9);
    let refused = net.clients[c]
        .endpoint
        .send_reliable(now, server_addr(), b"late");
    assert_eq!(refused, Err(SendError::Closed), "nothing new once closing");
    net.run_for(Duration::from_secs(3));
    assert_eq!(messages(&net.server_events), sent);
    assert_eq!(
        causes(&net.server_events, c_addr),
        vec![CloseCause::Peer(9)]
    );
    let last_message = net
        .server_events
        .iter()
        .rposition(|(_, e)| matches!(e, EndpointEvent::Message { .. }))
        .unwrap();
    let closed = net
        .server_events
        .iter()
        .position(|(_, e)| matches!(e, EndpointEvent::Closed { .. }))
        .unwrap();
    assert!(last_message < closed, "every message before the close");
    assert_eq!(
        causes(&net.clients[c].events, server_addr()),
        vec![CloseCause::Local(9)]
    );
}

#[test]
fn graceful_close_gives_up_at_the_linger_deadline() {
    let (mut net, c) = connected(clean(20.0));
    // From now on nothing the client sends arrives, so nothing is ever acknowledged.
    net.clients[c].up = starlane_netcore::proto::emulator::Emulator::new(black_hole()).unwrap();
    net.client_sends(c, b"never acknowledged");
    let closing_at = net.elapsed();
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 3);
    net.run_for(CLOSE_LINGER - Duration::from_millis(10));
    assert!(net.connected(c), "still lingering");
    net.run_for(Duration::from_millis(20));
    let closed = closes(&net.clients[c].events, server_addr());
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].1, CloseCause::Local(3));
    let waited = closed[0].0 - closing_at;
    assert!(
        waited >= CLOSE_LINGER && waited <= CLOSE_LINGER + Duration::from_millis(10),
        "closed after {waited:?}"
    );
}

#[test]
fn overloaded_after_the_send_queue_refuses_a_message() {
    let max_queued = 64 * 1024;
    let mut cfg = EndpointConfig::default();
    cfg.conn = ConnConfig {
        max_queued_bytes: max_queued,
        ..cfg.conn
    };
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client_with(clean(20.0), cfg);
    net.run_for(Duration::from_secs(1));
    let c_addr = net.clients[c].addr;
    let msg = [0xabu8; 1000];
    let now = net.now;
    let mut accepted = 0;
    let refused = loop {
        match net.clients[c]
            .endpoint
            .send_reliable(now, server_addr(), &msg)
        {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(refused, SendError::Push(PushError::QueueFull));
    assert_eq!(accepted, max_queued / msg.len(), "exactly what fits");
    // The driver's answer to a full queue: close with OVERLOADED (queued messages still go).
    net.clients[c]
        .endpoint
        .close(now, server_addr(), codes::OVERLOADED);
    net.run_for(Duration::from_secs(2));
    assert_eq!(messages(&net.server_events).len(), accepted);
    assert_eq!(
        causes(&net.server_events, c_addr),
        vec![CloseCause::Peer(codes::OVERLOADED)]
    );
}

/// A hand-driven client: runs the handshake against the server directly and keeps the raw
/// session, so it can seal whatever body it likes.
fn raw_session(net: &mut Net, from: SocketAddr) -> Session {
    let now = net.now;
    let timing = HandshakeTiming::default();
    let entropy = EntropySource::os();
    let mut hs = ClientHandshake::new(now, net.server_public, timing, entropy).unwrap();
    for _ in 0..2 {
        let d = hs.poll_transmit().unwrap();
        net.server.handle_datagram(now, from, &d);
        let (to, answer) = net.server.poll_transmit(now).unwrap();
        assert_eq!(to, from);
        hs.handle_packet(now, &answer).unwrap();
    }
    match hs.poll_event() {
        Some(ClientEvent::Established { session, .. }) => session,
        other => panic!("handshake did not finish: {other:?}"),
    }
}

/// A data packet whose plaintext is `body`, sealed with the session's key.
fn sealed(session: &mut Session, body: &[u8]) -> Vec<u8> {
    session.seal(PacketType::Data, body).unwrap()
}

/// A frames body (channel byte 0) carrying `frames`.
fn frames_body(frames: &[u8]) -> Vec<u8> {
    [&[CHANNEL_FRAMES], frames].concat()
}

#[test]
fn an_authenticated_malformed_body_or_frame_is_a_protocol_violation() {
    let mut net = Net::new(EndpointConfig::default());
    // Bodies that do not parse: frames of an unknown kind, a RELIABLE with reserved flags, a
    // truncated ACK; an unknown channel byte; an empty body (no channel byte).
    let bad = [
        frames_body(&[9]),
        frames_body(&[2, 0, 0, 0, 0, 0x80, 0, 0]),
        frames_body(&[1, 0, 0]),
        vec![2, 4, 1, 0, 0, 0],
        Vec::new(),
    ];
    for (i, body) in bad.iter().enumerate() {
        let from: SocketAddr = format!("10.7.7.{}:7000", i + 1).parse().unwrap();
        let mut session = raw_session(&mut net, from);
        assert!(net.server.is_connected(from));
        // A well-formed frame first (a PONG): accepted, nothing happens.
        let good = sealed(&mut session, &frames_body(&[4, 1, 0, 0, 0]));
        let before = net.server.drops();
        let now = net.now;
        net.server.handle_datagram(now, from, &good);
        assert_eq!(net.server.drops(), before);
        assert!(net.server.is_connected(from));

        let d = sealed(&mut session, body);
        net.server.handle_datagram(now, from, &d);
        let gained = drops_gained(before, net.server.drops());
        assert_eq!((gained.malformed, gained.total()), (1, 1), "{gained:?}");
        net.run_for(Duration::ZERO);
        assert_eq!(
            causes(&net.server_events, from),
            vec![CloseCause::Local(codes::PROTOCOL_VIOLATION)]
        );
        assert!(!net.server.is_connected(from));
        // The peer is told, authenticated, with the code.
        let told: Vec<_> = net
            .unrouted
            .iter()
            .filter(|(to, d)| *to == from && d[0] == PacketType::Disconnect as u8)
            .filter_map(|(_, d)| session.open(d).ok())
            .collect();
        assert!(!told.is_empty(), "a disconnect reached the peer");
        assert!(
            told.iter()
                .all(|o| o.body == vec![codes::PROTOCOL_VIOLATION])
        );
    }
}

#[test]
fn a_disconnect_lost_once_still_arrives() {
    let (mut net, c) = connected(clean(20.0));
    let c_addr = net.clients[c].addr;
    net.clients[c].tap_up = Tap::Hold;
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 77);
    net.run_for(Duration::ZERO);
    let sent = of_type(&net.clients[c].seen_up, PacketType::Disconnect);
    assert_eq!(sent.len(), 2, "sent twice");
    assert_ne!(sent[0], sent[1], "two packets, two counters");
    // The first copy is lost; the second closes the server's side.
    let now = net.now;
    net.server.handle_datagram(now, c_addr, &sent[1]);
    net.run_for(Duration::ZERO);
    assert_eq!(
        causes(&net.server_events, c_addr),
        vec![CloseCause::Peer(77)]
    );
    // The first copy, late, finds no session.
    let before = net.server.drops();
    net.server.handle_datagram(now, c_addr, &sent[0]);
    let gained = drops_gained(before, net.server.drops());
    assert_eq!((gained.unknown_peer, gained.total()), (1, 1));
}

#[test]
fn after_close_keys_are_gone() {
    let (mut net, c) = connected(clean(20.0));
    let c_addr = net.clients[c].addr;
    // The server closes, but the client does not hear about it.
    net.clients[c].tap_down = Tap::Hold;
    let now = net.now;
    net.server.close(now, c_addr, 1);
    net.run_for(Duration::ZERO);
    assert_eq!(
        causes(&net.server_events, c_addr),
        vec![CloseCause::Local(1)]
    );
    assert_eq!(
        net.server.send_reliable(now, c_addr, b"x"),
        Err(SendError::Closed)
    );
    assert_eq!(
        net.server.send_datagram(now, c_addr, b"x"),
        Err(SendError::Closed)
    );
    assert!(net.server.stats(c_addr).is_none());

    // The client keeps talking; the server knows no session for it any more.
    let before = net.server.drops();
    for i in 0..10u8 {
        net.client_sends(c, &[i]);
        let now = net.now;
        net.clients[c]
            .endpoint
            .send_datagram(now, server_addr(), &[i])
            .unwrap();
        net.run_for(Duration::from_millis(50));
    }
    let gained = drops_gained(before, net.server.drops());
    assert!(gained.unknown_peer >= 20, "{gained:?}");
    assert_eq!(gained.unknown_peer, gained.total(), "{gained:?}");
    assert!(messages(&net.server_events).is_empty());
    assert!(datagrams(&net.server_events).is_empty());

    // The client closes too (after lingering: its messages are never acknowledged); the
    // server's disconnects, held back until now, find no session.
    let held = net.clients[c].seen_down.clone();
    assert_eq!(of_type(&held, PacketType::Disconnect).len(), 2);
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 0);
    assert_eq!(
        net.clients[c]
            .endpoint
            .send_reliable(now, server_addr(), b"x"),
        Err(SendError::Closed)
    );
    net.run_for(CLOSE_LINGER + Duration::from_millis(10));
    assert!(!net.connected(c));
    assert_eq!(
        net.clients[c]
            .endpoint
            .send_datagram(net.now, server_addr(), b"x"),
        Err(SendError::Closed)
    );
    let now = net.now;
    let before = net.clients[c].endpoint.drops();
    for d in &held {
        net.clients[c]
            .endpoint
            .handle_datagram(now, server_addr(), d);
    }
    let gained = drops_gained(before, net.clients[c].endpoint.drops());
    assert_eq!(gained.unknown_peer, held.len() as u64, "{gained:?}");
    assert_eq!(
        causes(&net.clients[c].events, server_addr()),
        vec![CloseCause::Local(0)]
    );
}
