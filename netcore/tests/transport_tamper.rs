//! Tampering: every single-byte change (three masks at every position) of a data datagram, of
//! a disconnect and of a handshake response is refused and counted under the reason its new
//! bytes call for; truncated and extended copies are refused too. The forgeries never move the
//! replay window: the untouched original is accepted afterwards.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::conn::CloseCause;
use starlane_netcore::proto::drops::DropReason;
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use starlane_netcore::proto::handshake::ClientState;
use starlane_netcore::proto::packet::{MAX_DATAGRAM, PacketType, SESSION_HEADER_CID_LEN, TAG_LEN};
use starlane_netcore::proto::replay::REPLAY_WINDOW;
use std::collections::HashSet;
use std::time::Duration;
use transport_common::*;

const MASKS: [u8; 3] = [0x01, 0x80, 0xff];

/// Every single-byte change of `d`: (position, changed copy).
fn flips(d: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    for pos in 0..d.len() {
        for mask in MASKS {
            let mut f = d.to_vec();
            f[pos] ^= mask;
            out.push((pos, f));
        }
    }
    out
}

/// The counter of a packet to the server (after its connection ID).
fn counter(d: &[u8]) -> u64 {
    u64::from_le_bytes(d[9..17].try_into().unwrap())
}

/// Why the server must refuse a session datagram `f` from a connected peer that has accepted
/// the counters in `accepted` (and nothing else), whose connection ID is `cid`.
fn server_reason(f: &[u8], accepted: &HashSet<u64>, cid: &[u8]) -> DropReason {
    match PacketType::from_byte(f[0]) {
        None => DropReason::UnknownType,
        Some(PacketType::Hello | PacketType::Init) => DropReason::BadLength,
        Some(PacketType::Cookie | PacketType::Response) => DropReason::UnexpectedType,
        Some(PacketType::Data | PacketType::Disconnect) if &f[1..9] != cid => {
            DropReason::UnknownPeer
        }
        Some(PacketType::Data | PacketType::Disconnect) => {
            let c = counter(f);
            let top = accepted.iter().max().copied().unwrap_or(0);
            if accepted.contains(&c) {
                DropReason::Replayed
            } else if c < top && top - c >= REPLAY_WINDOW {
                DropReason::TooOld
            } else {
                DropReason::Decrypt
            }
        }
    }
}

/// A connected client whose next datagrams are held back, and the counters the server has
/// accepted from it.
fn connected_and_holding() -> (Net, usize, HashSet<u64>) {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(10.0));
    net.clients[c].tap_up = Tap::Record;
    net.run_for(Duration::from_millis(700));
    assert!(net.connected(c));
    net.clients[c].tap_up = Tap::Hold;
    // Let what is on its way arrive; from now on the client's datagrams are held.
    let delivered: Vec<Vec<u8>> = std::mem::take(&mut net.clients[c].seen_up);
    net.run_for(Duration::from_millis(30));
    net.clients[c].seen_up.clear();
    let accepted = delivered
        .iter()
        .filter(|d| d[0] == PacketType::Data as u8)
        .map(|d| counter(d))
        .collect();
    (net, c, accepted)
}

/// Feed every forgery to the server and check each is counted under the expected reason.
fn forge_at_server(net: &mut Net, c: usize, orig: &[u8], accepted: &HashSet<u64>) {
    let from = net.clients[c].addr;
    let received = net.server.stats(from).unwrap().packets_in;
    let events = net.server_events.len();
    let mut cases: Vec<(Vec<u8>, DropReason)> = flips(orig)
        .into_iter()
        .map(|(_, f)| {
            let r = server_reason(&f, accepted, &orig[1..9]);
            (f, r)
        })
        .collect();
    for len in 0..orig.len() {
        let r = match len {
            0 => DropReason::TooShort,
            // Too short to hold the connection ID: it names no connection.
            1..9 => DropReason::UnknownPeer,
            _ if len < SESSION_HEADER_CID_LEN + TAG_LEN => DropReason::TooShort,
            _ => DropReason::Decrypt,
        };
        cases.push((orig[..len].to_vec(), r));
    }
    for extra in [1, MAX_DATAGRAM - orig.len(), MAX_DATAGRAM + 1 - orig.len()] {
        let mut f = orig.to_vec();
        f.resize(orig.len() + extra, 0);
        let r = if f.len() > MAX_DATAGRAM {
            DropReason::Oversized
        } else {
            DropReason::Decrypt
        };
        cases.push((f, r));
    }
    // The counter rewritten to ones already accepted (the oldest and the newest).
    for c in [accepted.iter().min(), accepted.iter().max()] {
        let mut f = orig.to_vec();
        f[9..17].copy_from_slice(&c.unwrap().to_le_bytes());
        cases.push((f, DropReason::Replayed));
    }
    let mut reasons_seen = HashSet::new();
    for (f, expected) in &cases {
        let before = net.server.drops();
        let now = net.now;
        net.server.handle_datagram(now, from, f);
        let gained = drops_gained(before, net.server.drops());
        assert_eq!(
            (gained.get(*expected), gained.total()),
            (1, 1),
            "forgery {f:02x?}: expected {expected:?}, got {gained:?}"
        );
        reasons_seen.insert(*expected);
    }
    for r in [
        DropReason::UnknownType,
        DropReason::UnknownPeer,
        DropReason::Replayed,
        DropReason::Decrypt,
        DropReason::TooShort,
        DropReason::Oversized,
    ] {
        assert!(reasons_seen.contains(&r), "the cases cover {r:?}");
    }
    net.run_for(Duration::ZERO);
    assert_eq!(net.server.stats(from).unwrap().packets_in, received);
    assert_eq!(net.server_events.len(), events, "no forgery had an effect");
    assert!(net.server.is_connected(from));
}

#[test]
fn tampered_data_datagrams_are_refused_and_the_original_still_works() {
    let (mut net, c, accepted) = connected_and_holding();
    let now = net.now;
    net.clients[c]
        .endpoint
        .send_datagram(now, server_addr(), &[0x42; 300])
        .unwrap();
    net.run_for(Duration::ZERO);
    let orig = net.clients[c]
        .seen_up
        .iter()
        .find(|d| d.len() > 300)
        .unwrap()
        .clone();
    forge_at_server(&mut net, c, &orig, &accepted);

    let now = net.now;
    net.server.handle_datagram(now, net.clients[c].addr, &orig);
    net.run_for(Duration::ZERO);
    assert_eq!(datagrams(&net.server_events), vec![vec![0x42; 300]]);
}

#[test]
fn tampered_disconnects_are_refused_and_the_original_still_closes() {
    let (mut net, c, accepted) = connected_and_holding();
    let c_addr = net.clients[c].addr;
    let now = net.now;
    net.clients[c].endpoint.close(now, server_addr(), 42);
    net.run_for(Duration::ZERO);
    let disconnects = of_type(&net.clients[c].seen_up, PacketType::Disconnect);
    assert_eq!(disconnects.len(), 2, "a disconnect is sent twice");
    forge_at_server(&mut net, c, &disconnects[0], &accepted);
    assert!(closes(&net.server_events, c_addr).is_empty());

    let now = net.now;
    net.server.handle_datagram(now, c_addr, &disconnects[0]);
    net.run_for(Duration::ZERO);
    assert_eq!(
        closes(&net.server_events, c_addr)
            .into_iter()
            .map(|(_, cause)| cause)
            .collect::<Vec<_>>(),
        vec![CloseCause::Peer(42)]
    );
    assert!(!net.server.is_connected(c_addr));
}

#[test]
fn tampered_responses_are_refused_and_the_handshake_still_completes() {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(clean(10.0));
    net.clients[c].tap_down = Tap::Hold;
    net.run_for(Duration::from_millis(30));
    let cookie = of_type(&net.clients[c].seen_down, PacketType::Cookie)[0].clone();
    let now = net.now;
    net.clients[c]
        .endpoint
        .handle_datagram(now, server_addr(), &cookie);
    net.run_for(Duration::from_millis(30));
    assert_eq!(net.server.peer_count(), 1, "the server accepted the init");
    let response = of_type(&net.clients[c].seen_down, PacketType::Response)[0].clone();
    assert_eq!(
        net.clients[c].endpoint.client_state(),
        Some(ClientState::AwaitResponse)
    );

    let mut cases: Vec<(Vec<u8>, DropReason)> = flips(&response)
        .into_iter()
        .map(|(pos, f)| {
            let r = match (pos, PacketType::from_byte(f[0])) {
                (0, None) => DropReason::UnknownType,
                // A session type from an address with no session yet.
                (0, Some(PacketType::Data | PacketType::Disconnect)) => DropReason::UnknownPeer,
                (0, Some(_)) => DropReason::HandshakeFailed,
                _ => DropReason::HandshakeFailed,
            };
            (f, r)
        })
        .collect();
    for len in 1..response.len() {
        cases.push((response[..len].to_vec(), DropReason::BadLength));
    }
    let mut longer = response.clone();
    longer.push(0);
    cases.push((longer, DropReason::BadLength));
    for (f, expected) in &cases {
        let before = net.clients[c].endpoint.drops();
        let now = net.now;
        net.clients[c]
            .endpoint
            .handle_datagram(now, server_addr(), f);
        let gained = drops_gained(before, net.clients[c].endpoint.drops());
        assert_eq!(
            (gained.get(*expected), gained.total()),
            (1, 1),
            "forgery {f:02x?}: expected {expected:?}, got {gained:?}"
        );
        assert_eq!(
            net.clients[c].endpoint.client_state(),
            Some(ClientState::AwaitResponse)
        );
    }
    net.run_for(Duration::ZERO);
    assert_eq!(connects(&net.clients[c].events), 0);

    // The genuine response arrives late, and the path heals: the client connects before
    // its handshake deadline, to the one session the server holds for it.
    let now = net.now;
    net.clients[c]
        .endpoint
        .handle_datagram(now, server_addr(), &response);
    net.clients[c].tap_down = Tap::Pass;
    net.run_for(EndpointConfig::default().handshake.timeout);
    assert!(
        net.connected(c),
        "client state {:?}, client drops {:?}, server drops {:?}",
        net.clients[c].endpoint.client_state(),
        net.clients[c].endpoint.drops(),
        net.server.drops()
    );
    assert_eq!(net.server.peer_count(), 1);
    net.client_sends(c, b"after");
    net.run_for(Duration::from_millis(100));
    assert_eq!(messages(&net.server_events), vec![b"after".to_vec()]);
    assert!(
        !net.server_events
            .iter()
            .any(|(_, e)| matches!(e, EndpointEvent::Closed { .. }))
    );
}
