//! Packet counter exhaustion: once a connection has sent data with its last data counter
//! (`2^64 - 4` by default, `ConnConfig::data_counter_limit - 1`), the next send closes the
//! connection with `EXHAUSTED` (252) instead. The two counters after it carry the two
//! disconnects, so the peer is told why; nothing is sent after the close. Checked from both
//! sending paths: a datagram send, and frames built by `poll_transmit`, with a small limit
//! (the default limit's arithmetic is the same; `session.rs`'s unit tests check that counter
//! `2^64 - 1` is never used).

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::conn::codes;
use starlane_netcore::proto::conn::{
    CloseCause, ConnConfig, ConnEvent, ConnState, Connection, SendError,
};
use starlane_netcore::proto::endpoint::EndpointConfig;
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::{ClientEvent, ClientHandshake, HandshakeTiming};
use starlane_netcore::proto::packet::PacketType;
use starlane_netcore::proto::session::SealError;
use std::net::SocketAddr;
use std::time::Duration;
use transport_common::*;

/// The client's address (not one of the harness's clients: this side is driven by hand).
fn me() -> SocketAddr {
    "10.8.8.8:8000".parse().unwrap()
}

/// A real handshake against the harness's server; the client's connection may use `limit`
/// packet counters for data.
fn connect_with_limit(net: &mut Net, limit: u64) -> Connection {
    let now = net.now;
    let timing = HandshakeTiming::default();
    let entropy = EntropySource::seeded(3);
    let mut hs = ClientHandshake::new(now, net.server_public, timing, entropy).unwrap();
    for _ in 0..2 {
        let d = hs.poll_transmit().unwrap();
        net.server.handle_datagram(now, me(), &d);
        let (to, answer) = net.server.poll_transmit(now).unwrap();
        assert_eq!(to, me());
        hs.handle_packet(now, &answer).unwrap();
    }
    let Some(ClientEvent::Established { session, rtt }) = hs.poll_event() else {
        panic!("handshake did not finish");
    };
    assert!(net.server.is_connected(me()));
    let config = ConnConfig {
        data_counter_limit: limit,
        ..ConnConfig::default()
    };
    Connection::new(now, server_addr(), session, config, Some(rtt))
}

/// Everything the connection has to send, in order, as (type, counter).
fn drain(net: &Net, conn: &mut Connection, sent: &mut Vec<(u8, u64)>) -> Vec<Vec<u8>> {
    let out: Vec<Vec<u8>> = std::iter::from_fn(|| conn.poll_transmit(net.now)).collect();
    for d in &out {
        // A client's packets carry the server's connection ID before the counter.
        let counter = u64::from_le_bytes(d[9..17].try_into().unwrap());
        sent.push((d[0], counter));
    }
    out
}

/// Hand `datagrams` to the server, then the server's answers back to the connection.
fn exchange(net: &mut Net, conn: &mut Connection, datagrams: &[Vec<u8>]) {
    let now = net.now;
    for d in datagrams {
        net.server.handle_datagram(now, me(), d);
    }
    net.run_for(Duration::ZERO);
    for (to, d) in std::mem::take(&mut net.unrouted) {
        if to == me() {
            let _ = conn.handle_packet(now, &d);
        }
    }
}

fn conn_events(conn: &mut Connection) -> Vec<ConnEvent> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

/// The close reached the peer with its code, the local side reports it, the last packets are
/// the two disconnects on the two counters from `limit`, and nothing more goes out.
fn assert_exhausted(net: &mut Net, conn: &mut Connection, sent: &[(u8, u64)], limit: u64) {
    let events = conn_events(conn);
    assert!(
        events.contains(&ConnEvent::Closed(CloseCause::Local(codes::EXHAUSTED))),
        "{events:?}"
    );
    assert_eq!(conn.state(), ConnState::Closed);
    assert!(!conn.has_keys());
    let disconnect = PacketType::Disconnect as u8;
    assert_eq!(
        sent[sent.len() - 2..],
        [(disconnect, limit), (disconnect, limit + 1)]
    );
    assert!(
        sent.iter().all(|(_, c)| *c < limit + 2),
        "no counter after the disconnects' is used"
    );
    assert_eq!(conn.send_reliable(b"late"), Err(SendError::Closed));
    let now = net.now + Duration::from_secs(1);
    conn.handle_timeout(now);
    assert_eq!(conn.poll_transmit(now), None, "silent once closed");

    assert_eq!(
        closes(&net.server_events, me())
            .into_iter()
            .map(|(_, c)| c)
            .collect::<Vec<_>>(),
        vec![CloseCause::Peer(codes::EXHAUSTED)]
    );
    assert!(!net.server.is_connected(me()));
    // Nothing was refused but the second disconnect copy, which finds the connection gone.
    let drops = net.server.drops();
    assert_eq!((drops.unknown_peer, drops.total()), (1, 1), "{drops:?}");
}

#[test]
fn a_datagram_send_at_the_limit_closes_with_exhausted() {
    let mut net = Net::new(EndpointConfig::default());
    let limit = 4;
    let mut conn = connect_with_limit(&mut net, limit);
    let mut sent = Vec::new();
    // The first ping takes counter 0, three datagrams the next three.
    let out = drain(&net, &mut conn, &mut sent);
    exchange(&mut net, &mut conn, &out);
    for i in 0..3u8 {
        conn.send_datagram(net.now, &[i; 10]).unwrap();
    }
    // Counter 3 was the last for data: the fourth datagram closes instead.
    assert_eq!(
        conn.send_datagram(net.now, &[9; 10]),
        Err(SealError::Exhausted.into())
    );
    let out = drain(&net, &mut conn, &mut sent);
    exchange(&mut net, &mut conn, &out);

    let got: Vec<Vec<u8>> = datagrams(&net.server_events);
    assert_eq!(got, vec![vec![0; 10], vec![1; 10], vec![2; 10]]);
    assert_exhausted(&mut net, &mut conn, &sent, limit);
}

#[test]
fn frames_at_the_limit_close_with_exhausted() {
    let mut net = Net::new(EndpointConfig::default());
    let limit = 6;
    let mut conn = connect_with_limit(&mut net, limit);
    let mut sent = Vec::new();
    // Reliable messages go out in frame packets (chunks, ACKs, pings) until the counter runs
    // out; each round trip the server's ACKs and pongs come back.
    let mut queued = 0;
    while !conn.is_closed() {
        assert!(queued < 20, "the counter should have run out");
        conn.send_reliable(format!("m{queued}").as_bytes()).unwrap();
        queued += 1;
        net.now += Duration::from_millis(600);
        conn.handle_timeout(net.now);
        let out = drain(&net, &mut conn, &mut sent);
        exchange(&mut net, &mut conn, &out);
    }
    let data = sent.iter().filter(|(t, _)| *t == PacketType::Data as u8);
    assert_eq!(data.count(), 6, "counters 0 ..= 5 carried data: {sent:?}");
    // Every message sent in a data packet arrived, in order.
    let got = messages(&net.server_events);
    assert!(!got.is_empty());
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, format!("m{i}").as_bytes());
    }
    assert_exhausted(&mut net, &mut conn, &sent, limit);
}
