//! Replays: a captured session datagram replayed immediately, later, after many newer ones and
//! beyond the replay window is refused and counted (`replayed`, then `too_old`) and never
//! delivers anything twice; a replayed hello or init never creates a second session.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::drops::DropCounters;
use starlane_netcore::proto::endpoint::EndpointConfig;
use starlane_netcore::proto::endpoint::PathCounters;
use starlane_netcore::proto::packet::PacketType;
use starlane_netcore::proto::replay::REPLAY_WINDOW;
use std::net::SocketAddr;
use std::time::Duration;
use transport_common::*;

/// A connected client whose datagrams (both ways) are recorded.
fn connected() -> (Net, usize) {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(10.0));
    net.clients[c].tap_up = Tap::Record;
    net.clients[c].tap_down = Tap::Record;
    net.run_for(Duration::from_millis(500));
    assert!(net.connected(c));
    (net, c)
}

/// A datagram payload that names itself.
fn payload(id: u32) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.resize(600, 0x5a);
    v
}

/// Send datagram `id` from the client and return the session packet that carried it.
fn client_datagram(net: &mut Net, c: usize, id: u32) -> Vec<u8> {
    net.clients[c].seen_up.clear();
    let now = net.now;
    net.clients[c]
        .endpoint
        .send_datagram(now, server_addr(), &payload(id))
        .unwrap();
    net.run_for(Duration::ZERO);
    let carried: Vec<_> = net.clients[c]
        .seen_up
        .iter()
        .filter(|d| d.len() > 600)
        .cloned()
        .collect();
    assert_eq!(carried.len(), 1, "one packet carries the datagram");
    carried[0].clone()
}

fn ids(events: &[(Duration, starlane_netcore::proto::endpoint::EndpointEvent)]) -> Vec<u32> {
    datagrams(events)
        .iter()
        .map(|d| u32::from_le_bytes(d[..4].try_into().unwrap()))
        .collect()
}

/// Replay `d` at the server from `from`; return what the drop counters gained. A refused
/// datagram is not counted as received by the connection it names.
fn replay(net: &mut Net, from: SocketAddr, d: &[u8]) -> DropCounters {
    let before = net.server.drops();
    let received = net.server.stats(from).map(|s| s.packets_in);
    let now = net.now;
    net.server.handle_datagram(now, from, d);
    let gained = drops_gained(before, net.server.drops());
    if gained.total() > 0 {
        assert_eq!(net.server.stats(from).map(|s| s.packets_in), received);
    }
    net.run_for(Duration::ZERO);
    gained
}

#[test]
fn replayed_session_datagrams_are_refused_and_counted() {
    let (mut net, c) = connected();
    let c_addr = net.clients[c].addr;
    let first = client_datagram(&mut net, c, 1);
    net.run_for(Duration::from_millis(50));
    assert_eq!(ids(&net.server_events), vec![1]);

    // Immediately.
    let gained = replay(&mut net, c_addr, &first);
    assert_eq!((gained.replayed, gained.total()), (1, 1), "{gained:?}");
    // Later, after keepalives moved the counters on.
    net.run_for(Duration::from_secs(3));
    let gained = replay(&mut net, c_addr, &first);
    assert_eq!((gained.replayed, gained.total()), (1, 1), "{gained:?}");
    // From another address: its connection ID finds the connection, which refuses the
    // counter; the replay moves nothing (no new address is even probed).
    let other: SocketAddr = "10.9.9.9:999".parse().unwrap();
    let gained = replay(&mut net, other, &first);
    assert_eq!((gained.replayed, gained.total()), (1, 1), "{gained:?}");
    assert_eq!(net.server.paths(), PathCounters::default());
    assert!(net.server.is_connected(c_addr));

    // After many newer packets, still inside the window.
    let mut middle = Vec::new();
    for id in 2..(REPLAY_WINDOW as u32 - 100) {
        let d = client_datagram(&mut net, c, id);
        if id == 500 {
            middle = d;
        }
    }
    net.run_for(Duration::from_millis(50));
    for d in [&first, &middle] {
        let gained = replay(&mut net, c_addr, d);
        assert_eq!((gained.replayed, gained.total()), (1, 1), "{gained:?}");
    }
    // Beyond the window: the first packet is now too old, the middle one still replayed.
    for id in (REPLAY_WINDOW as u32 - 100)..(REPLAY_WINDOW as u32 + 200) {
        client_datagram(&mut net, c, id);
    }
    net.run_for(Duration::from_millis(50));
    let gained = replay(&mut net, c_addr, &first);
    assert_eq!((gained.too_old, gained.total()), (1, 1), "{gained:?}");
    let gained = replay(&mut net, c_addr, &middle);
    assert_eq!((gained.replayed, gained.total()), (1, 1), "{gained:?}");

    // Every datagram was delivered exactly once, and no replay was counted as received.
    let expected: Vec<u32> = (1..(REPLAY_WINDOW as u32 + 200)).collect();
    assert_eq!(ids(&net.server_events), expected);
    assert!(net.connected(c), "replays do not hurt the session");
}

#[test]
fn replayed_server_datagram_is_refused_by_the_client() {
    let (mut net, c) = connected();
    let c_addr = net.clients[c].addr;
    net.clients[c].seen_down.clear();
    let now = net.now;
    net.server.send_datagram(now, c_addr, &payload(7)).unwrap();
    net.run_for(Duration::from_millis(50));
    let carried: Vec<_> = net.clients[c]
        .seen_down
        .iter()
        .filter(|d| d.len() > 600)
        .cloned()
        .collect();
    assert_eq!(carried.len(), 1);
    for _ in 0..10 {
        let now = net.now;
        net.clients[c]
            .endpoint
            .handle_datagram(now, server_addr(), &carried[0]);
    }
    net.run_for(Duration::from_millis(50));
    assert_eq!(ids(&net.clients[c].events), vec![7]);
    let drops = net.clients[c].endpoint.drops();
    assert_eq!((drops.replayed, drops.total()), (10, 10), "{drops:?}");
}

#[test]
fn replayed_hello_and_init_create_no_second_session() {
    let (mut net, c) = connected();
    let c_addr = net.clients[c].addr;
    let hello = of_type(&net.clients[c].seen_up, PacketType::Hello)[0].clone();
    let init = of_type(&net.clients[c].seen_up, PacketType::Init)[0].clone();
    let client_drops = net.clients[c].endpoint.drops();

    for _ in 0..50 {
        let now = net.now;
        net.server.handle_datagram(now, c_addr, &hello);
        net.server.handle_datagram(now, c_addr, &init);
    }
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.server.peer_count(), 1);
    assert_eq!(connects(&net.server_events), 1, "no second Connected");
    assert_eq!(connects(&net.clients[c].events), 1);
    // The answers (cookies, the same response again) reach the client, which ignores them.
    let gained = net.clients[c].endpoint.drops().handshake_failed - client_drops.handshake_failed;
    assert_eq!(gained, 100, "50 cookies and 50 responses ignored");

    // The same init from another address carries a cookie for the first one.
    let other: SocketAddr = "10.9.9.9:999".parse().unwrap();
    let gained = replay(&mut net, other, &init);
    assert_eq!((gained.bad_cookie, gained.total()), (1, 1), "{gained:?}");
    assert_eq!(net.server.peer_count(), 1);

    // The original session still works both ways.
    net.client_sends(c, b"up");
    net.server_sends(c, b"down");
    net.run_for(Duration::from_millis(100));
    assert_eq!(messages(&net.server_events), vec![b"up".to_vec()]);
    assert_eq!(messages(&net.clients[c].events), vec![b"down".to_vec()]);

    // Once the cookie has expired (two rotations), the init is refused outright.
    net.run_for(EndpointConfig::default().cookie_rotate_every * 2);
    let now = net.now;
    net.server.close(now, c_addr, 0);
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.server.peer_count(), 0);
    let gained = replay(&mut net, c_addr, &init);
    assert_eq!((gained.bad_cookie, gained.total()), (1, 1), "{gained:?}");
    assert_eq!(net.server.peer_count(), 0);
    assert_eq!(connects(&net.server_events), 1);
}

#[test]
fn replayed_init_after_close_creates_no_session() {
    let (mut net, c) = connected();
    let c_addr = net.clients[c].addr;
    let init = of_type(&net.clients[c].seen_up, PacketType::Init)[0].clone();
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 0);
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.server.peer_count(), 0, "the close reached the server");
    // Within the cookie's lifetime an attacker who saw the init sends it again (and again).
    let unrouted = net.unrouted.len();
    let seen_down = net.clients[c].seen_down.len();
    for _ in 0..3 {
        let gained = replay(&mut net, c_addr, &init);
        assert_eq!(gained.total(), 1, "refused and counted: {gained:?}");
        assert_eq!(
            net.server.peer_count(),
            0,
            "a replayed init revived a session nobody can use"
        );
    }
    net.run_for(Duration::from_millis(100));
    assert_eq!(connects(&net.server_events), 1);
    assert_eq!(net.unrouted.len(), unrouted);
    assert_eq!(
        net.clients[c].seen_down.len(),
        seen_down,
        "no response goes to the victim's address"
    );
}
