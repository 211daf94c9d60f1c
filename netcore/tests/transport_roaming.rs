//! A playing client's address changes mid-game (its NAT rebinds): it keeps its connection.
//!
//! In simulated time, over a 60 ms round trip: the server sends the state as a datagram every
//! 50 ms tick and a numbered reliable message every 100 ms; the client sends an input every
//! tick and a numbered reliable message every 100 ms. At 2 s the client's address changes.
//! The server hears the new address on the client's next packet, validates it with one
//! challenge round trip, and moves the connection; no session is lost, every reliable message
//! arrives exactly once and in order both ways, and the server's states stop reaching the
//! client for no more than one round trip plus one tick from the moment the server heard the
//! new address. The figures are printed for the bench record.

use crate::transport_common;

use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use std::net::SocketAddr;
use std::time::Duration;
use transport_common::*;

const TICK: Duration = Duration::from_millis(50);
const ONE_WAY_MS: f64 = 30.0;
const RTT: Duration = Duration::from_millis(60);
const REBIND_AT: Duration = Duration::from_secs(2);
const END: Duration = Duration::from_secs(4);
const STEP: Duration = Duration::from_millis(1);

fn numbered(tag: u8, n: u32) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend_from_slice(&n.to_le_bytes());
    m
}

/// What the run saw.
struct Run {
    /// When the server first heard the new address (a probe started), and when it first sent
    /// a state there.
    heard: Option<Duration>,
    first_state_there: Option<Duration>,
    /// Reliable messages sent each way.
    down_sent: u32,
    up_sent: u32,
}

/// Play until `END`, moving the client to `new_addr` at `REBIND_AT`.
fn play(net: &mut Net, c: usize, new_addr: SocketAddr) -> Run {
    let mut key = net.clients[c].addr;
    let mut run = Run {
        heard: None,
        first_state_there: None,
        down_sent: 0,
        up_sent: 0,
    };
    let mut seen_events = 0;
    let mut next_tick = net.elapsed();
    let mut next_reliable = net.elapsed();
    while net.elapsed() < END {
        let now = net.now;
        if net.elapsed() >= REBIND_AT && net.clients[c].addr != new_addr {
            net.rebind(c, new_addr);
        }
        if net.elapsed() >= next_tick {
            next_tick += TICK;
            let state = numbered(b's', next_tick.as_millis() as u32);
            net.server.send_datagram(now, key, &state).expect("open");
            if key == new_addr && run.first_state_there.is_none() {
                run.first_state_there = Some(net.elapsed());
            }
            let input = numbered(b'i', next_tick.as_millis() as u32);
            net.clients[c]
                .endpoint
                .send_datagram(now, server_addr(), &input)
                .expect("open");
        }
        if net.elapsed() >= next_reliable {
            next_reliable += TICK * 2;
            let down = numbered(b'd', run.down_sent);
            net.server.send_reliable(now, key, &down).expect("open");
            run.down_sent += 1;
            net.client_sends(c, &numbered(b'u', run.up_sent));
            run.up_sent += 1;
        }
        net.run_for(STEP);
        if run.heard.is_none() && net.server.paths().probes > 0 {
            run.heard = Some(net.elapsed());
        }
        for (_, ev) in &net.server_events[seen_events..] {
            if let EndpointEvent::Migrated { from, to } = ev {
                assert_eq!((*from, *to), (key, new_addr));
                key = *to;
            }
        }
        seen_events = net.server_events.len();
    }
    net.run_for(Duration::from_secs(1));
    run
}

#[test]
fn a_client_whose_address_changes_keeps_its_session() {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(ONE_WAY_MS));
    net.run_for(Duration::from_millis(500));
    assert!(net.connected(c));
    let old = net.clients[c].addr;
    let new_addr: SocketAddr = "10.200.0.9:51000".parse().expect("literal");
    let run = play(&mut net, c, new_addr);

    // One connection, moved once, never closed, on either side.
    let migrations: Vec<_> = net
        .server_events
        .iter()
        .filter(|(_, e)| matches!(e, EndpointEvent::Migrated { .. }))
        .collect();
    assert_eq!(migrations.len(), 1, "{migrations:?}");
    assert!(closes(&net.server_events, old).is_empty());
    assert!(closes(&net.server_events, new_addr).is_empty());
    assert!(net.server.is_connected(new_addr) && !net.server.is_connected(old));
    assert!(net.connected(c));
    assert_eq!(connects(&net.server_events), 1, "no second handshake");
    let paths = net.server.paths();
    assert_eq!((paths.probes, paths.migrations, paths.failed), (1, 1, 0));

    // Every reliable message once, in order, both ways.
    let want_up: Vec<Vec<u8>> = (0..run.up_sent).map(|n| numbered(b'u', n)).collect();
    let want_down: Vec<Vec<u8>> = (0..run.down_sent).map(|n| numbered(b'd', n)).collect();
    assert_eq!(messages(&net.server_events), want_up);
    assert_eq!(messages(&net.clients[c].events), want_down);

    // The stall: from the server hearing the new address to its first state sent there.
    let heard = run.heard.expect("the server heard the new address");
    let there = run
        .first_state_there
        .expect("a state went to the new address");
    assert!(heard >= REBIND_AT);
    let stall = there - heard;
    assert!(
        stall <= RTT + TICK + STEP * 2,
        "stall {stall:?} over one round trip ({RTT:?}) plus one tick ({TICK:?})"
    );
    // The client's view: the longest gap between states it received, around the change.
    let times: Vec<Duration> = net.clients[c]
        .events
        .iter()
        .filter(|(_, e)| matches!(e, EndpointEvent::Datagram { .. }))
        .map(|(t, _)| *t)
        .collect();
    let gap = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    let heard_after = heard - REBIND_AT;
    println!(
        "roaming over a {RTT:?} round trip, {TICK:?} ticks: new address heard {heard_after:?} \
         after the change, server stall {stall:?}, longest gap between states at the client \
         {gap:?}, challenges {}",
        paths.challenges
    );
    // The last state before the change arrived up to a tick before it; then the server hears
    // the new address, stalls, and its next state takes a one-way trip.
    assert!(
        gap <= TICK + heard_after + stall + RTT / 2 + STEP * 2,
        "{gap:?}"
    );
}

#[test]
fn a_packet_raced_from_a_spoofed_address_moves_nothing() {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(ONE_WAY_MS));
    net.run_for(Duration::from_millis(500));
    let home = net.clients[c].addr;
    // An on-path attacker copies the client's next packet and gets it to the server first,
    // from an address of its own.
    net.clients[c].tap_up = Tap::Hold;
    net.client_sends(c, b"hello");
    net.run_for(Duration::ZERO);
    let copy = net.clients[c].seen_up.pop().expect("the client sent");
    let spoofed: SocketAddr = "10.66.0.1:6666".parse().expect("literal");
    let now = net.now;
    net.server.handle_datagram(now, spoofed, &copy);
    // The server probes the attacker's address, within what it received from there.
    let mut to_spoofed = 0;
    net.run_for(Duration::from_secs(3));
    for (to, d) in &net.unrouted {
        if *to == spoofed {
            to_spoofed += d.len();
        }
    }
    assert!(
        to_spoofed > 0 && to_spoofed <= copy.len(),
        "{to_spoofed} bytes"
    );
    let paths = net.server.paths();
    assert_eq!(
        (paths.probes, paths.migrations, paths.failed),
        (1, 0, 1),
        "{paths:?}"
    );
    assert!(net.server.is_connected(home), "the connection stayed");
    // The genuine packet, released late, is a replay now; the client goes on as before.
    net.clients[c].tap_up = Tap::Pass;
    let now = net.now;
    net.server.handle_datagram(now, home, &copy);
    assert_eq!(net.server.drops().replayed, 1);
    net.client_sends(c, b"still here");
    net.run_for(Duration::from_millis(500));
    assert_eq!(
        messages(&net.server_events),
        vec![b"hello".to_vec(), b"still here".to_vec()]
    );
}
