//! Heap memory per encrypted-UDP connection, and the cost of one datagram round trip.
//!
//! `cargo bench -p starlane-bench --bench conn_memory` (about 30 s; needs about 2.5 GB of
//! memory for the laminar row).
//!
//! Memory is measured by a counting global allocator (`cap`): live heap bytes after building
//! [`N`] connections minus live bytes before, divided by `N`. Rows:
//! * laminar 0.5's `VirtualConnection`, as netcore's connection held one before protocol
//!   version 3 (laminar's congestion handler preallocates a 65,535-entry buffer each);
//! * netcore's `Connection` now: the server side of a pair established through the real
//!   handshake (`ClientHandshake` / `ServerHandshake`) that exchanged a reliable message and
//!   a datagram each way;
//! * a server `Endpoint` per client: the connection plus what the endpoint keeps for it (its
//!   map entry, the init and response kept to answer a resent init, timers).
//!
//! Then criterion times one 100-byte datagram round trip between two connections
//! (`send_datagram`, `poll_transmit`, `handle_packet`, `poll_event`, both ways).

use cap::Cap;
use criterion::Criterion;
use starlane_netcore::proto::conn::{ConnConfig, ConnEvent, Connection};
use starlane_netcore::proto::cookie::CookieJar;
use starlane_netcore::proto::endpoint::{Endpoint, EndpointConfig, EndpointEvent};
use starlane_netcore::proto::entropy::EntropySource;
use starlane_netcore::proto::handshake::{
    ClientEvent, ClientHandshake, HandshakeTiming, ServerHandshake, generate_keypair,
};
use std::alloc::System;
use std::collections::HashMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Connections built per row.
const N: usize = 1000;
/// Connections of the projection (an edge with this many UDP clients).
const PROJECTED: f64 = 10_000.0;

fn server_addr() -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 1], 4434))
}

fn client_addr(i: usize) -> SocketAddr {
    let ip = std::net::Ipv4Addr::from(0x0a01_0000u32 + i as u32);
    SocketAddr::from((ip, 40_000))
}

/// Live heap bytes that what `build` returns holds, per connection (it holds `N`).
fn per_connection<T>(build: impl FnOnce() -> T) -> f64 {
    let before = ALLOC.allocated();
    let held = build();
    let after = ALLOC.allocated();
    drop(black_box(held));
    after.saturating_sub(before) as f64 / N as f64
}

/// laminar 0.5's per-connection state, configured as netcore configured it.
fn laminar_connections(now: Instant) -> Vec<laminar::VirtualConnection> {
    let config = laminar::Config {
        heartbeat_interval: None,
        receive_buffer_max_size: starlane_netcore::proto::packet::MAX_DATAGRAM,
        ..laminar::Config::default()
    };
    (0..N)
        .map(|i| laminar::VirtualConnection::new(client_addr(i), &config, now))
        .collect()
}

/// A connection pair through the real handshake: (client side, server side).
fn handshake_pair(
    server: &ServerHandshake,
    jar: &CookieJar,
    now: Instant,
) -> (Connection, Connection) {
    let from = client_addr(0);
    let timing = HandshakeTiming::default();
    let mut client = ClientHandshake::new(now, server.public_key(), timing, EntropySource::os())
        .expect("valid key");
    let hello = client.poll_transmit().expect("a hello");
    let cookie = server
        .answer_hello(jar, from, &hello)
        .expect("a valid hello");
    client.handle_packet(now, &cookie).expect("our cookie");
    let init = client.poll_transmit().expect("an init");
    server.check_init(jar, from, &init).expect("a valid cookie");
    let accepted = server.accept(&init, [7; 8]).expect("a valid init");
    client
        .handle_packet(now, &accepted.response)
        .expect("the genuine response");
    let Some(ClientEvent::Established { session, rtt }) = client.poll_event() else {
        panic!("the handshake did not finish");
    };
    let cfg = ConnConfig::default();
    let c = Connection::new(now, server_addr(), session, cfg, Some(rtt));
    let s = Connection::new(now, from, accepted.session, cfg, Some(rtt));
    (c, s)
}

/// Deliver everything both ways until neither side has anything to send.
fn settle(a: &mut Connection, b: &mut Connection, now: Instant) {
    loop {
        let mut moved = false;
        while let Some(d) = a.poll_transmit(now) {
            let _ = b.handle_packet(now, &d);
            moved = true;
        }
        while let Some(d) = b.poll_transmit(now) {
            let _ = a.handle_packet(now, &d);
            moved = true;
        }
        if !moved {
            break;
        }
    }
    while a.poll_event().is_some() {}
    while b.poll_event().is_some() {}
}

/// A pair that exchanged a reliable message and a datagram each way (all acknowledged).
fn established_pair(
    server: &ServerHandshake,
    jar: &CookieJar,
    now: Instant,
) -> (Connection, Connection) {
    let (mut c, mut s) = handshake_pair(server, jar, now);
    for conn in [&mut c, &mut s] {
        conn.send_reliable(&[7; 100]).expect("open");
        conn.send_datagram(now, &[8; 100]).expect("open");
    }
    settle(&mut c, &mut s, now);
    (c, s)
}

/// netcore's server-side connections; the client sides are dropped before counting ends.
fn netcore_connections(now: Instant) -> Vec<Connection> {
    let (private, _) = generate_keypair();
    let server = ServerHandshake::new(private, EntropySource::os());
    let jar = CookieJar::new(now, Duration::from_secs(5), EntropySource::os());
    (0..N)
        .map(|_| established_pair(&server, &jar, now).1)
        .collect()
}

/// A server endpoint holding `N` established clients (the clients are dropped).
fn endpoint_with_clients(now: Instant) -> Endpoint {
    let cfg = EndpointConfig::default();
    let (private, public) = generate_keypair();
    let mut server = Endpoint::server(private, cfg.clone());
    let mut clients: HashMap<SocketAddr, Endpoint> = (0..N)
        .map(|i| {
            let e = Endpoint::client(now, server_addr(), public, cfg.clone()).expect("valid key");
            (client_addr(i), e)
        })
        .collect();
    for _ in 0..10 {
        for (addr, c) in clients.iter_mut() {
            while let Some((_, d)) = c.poll_transmit(now) {
                server.handle_datagram(now, *addr, &d);
            }
            while c.poll_event().is_some() {}
        }
        while let Some((to, d)) = server.poll_transmit(now) {
            if let Some(c) = clients.get_mut(&to) {
                c.handle_datagram(now, server_addr(), &d);
            }
        }
        while let Some(ev) = server.poll_event() {
            if let EndpointEvent::Connected { peer, .. } = ev {
                let _ = server.send_reliable(now, peer, &[7; 100]);
                let _ = server.send_datagram(now, peer, &[8; 100]);
            }
        }
    }
    assert_eq!(server.peer_count(), N);
    server
}

fn memory_table() {
    let now = Instant::now();
    // Warm up what is allocated once (the handshake's lazily built tables, thread locals).
    drop(netcore_connections_one(now));
    let laminar = per_connection(|| laminar_connections(now));
    let netcore = per_connection(|| netcore_connections(now));
    let endpoint = per_connection(|| endpoint_with_clients(now));
    let before = laminar + netcore;
    let gb = |bytes: f64| bytes * PROJECTED / 1e9;
    println!("live heap bytes per connection, N = {N} connections per row:\n");
    println!("| per connection | bytes | vs netcore Connection | GB for 10,000 |");
    println!("|---|---|---|---|");
    let row = |name: &str, b: f64| {
        println!("| {name} | {b:.0} | {:.1}x | {:.3} |", b / netcore, gb(b));
    };
    row("laminar 0.5 VirtualConnection::new (alone)", laminar);
    row(
        "netcore Connection, protocol v2 (estimate: the two rows summed)",
        before,
    );
    row("netcore Connection, protocol v4 (no laminar)", netcore);
    row("netcore server Endpoint, per established client", endpoint);
    println!();
}

/// One established pair (warm-up).
fn netcore_connections_one(now: Instant) -> (Connection, Connection) {
    let (private, _) = generate_keypair();
    let server = ServerHandshake::new(private, EntropySource::os());
    let jar = CookieJar::new(now, Duration::from_secs(5), EntropySource::os());
    established_pair(&server, &jar, now)
}

fn round_trip(c: &mut Criterion) {
    let now = Instant::now();
    let (mut a, mut b) = netcore_connections_one(now);
    let payload = [5u8; 100];
    c.bench_function("conn_datagram_round_trip_100B", |bench| {
        bench.iter(|| {
            a.send_datagram(now, black_box(&payload)).expect("open");
            let d = a.poll_transmit(now).expect("the datagram");
            b.handle_packet(now, &d).expect("authentic");
            let Some(ConnEvent::Datagram(got)) = b.poll_event() else {
                panic!("the datagram was delivered");
            };
            b.send_datagram(now, &got).expect("open");
            let d = b.poll_transmit(now).expect("the datagram");
            a.handle_packet(now, &d).expect("authentic");
            black_box(a.poll_event())
        })
    });
}

fn main() {
    memory_table();
    let mut c = Criterion::default().configure_from_args();
    round_trip(&mut c);
    c.final_summary();
}
