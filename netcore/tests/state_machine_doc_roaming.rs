//! The steps of `STATES.md`'s roaming table: one connection at the server, its client's
//! packets delivered from the connection's address or from a new one.

use super::{Hs, client_addr, server_addr};
use starlane_netcore::proto::drops::DropReason;
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent, MAX_CHALLENGES};
use std::net::SocketAddr;
use std::time::Duration;

fn new_addr() -> SocketAddr {
    "10.0.0.9:6000".parse().unwrap()
}

/// A connected pair, everything the handshake left to send delivered, and the client's init.
fn connected() -> (Hs, Vec<u8>) {
    let mut hs = Hs::new(EndpointConfig::default());
    let init = hs.init();
    hs.server.handle_datagram(hs.now, client_addr(), &init);
    let response = hs.take_server().unwrap();
    hs.client.handle_datagram(hs.now, server_addr(), &response);
    assert!(hs.server.is_connected(client_addr()));
    exchange(&mut hs, client_addr());
    while hs.server.poll_event().is_some() {}
    (hs, init)
}

/// Deliver what each side has to send to the other (the client's from `from`).
fn exchange(hs: &mut Hs, from: SocketAddr) {
    for _ in 0..4 {
        while let Some((_, d)) = hs.client.poll_transmit(hs.now) {
            hs.server.handle_datagram(hs.now, from, &d);
        }
        while let Some((_, d)) = hs.server.poll_transmit(hs.now) {
            hs.client.handle_datagram(hs.now, server_addr(), &d);
        }
    }
}

/// The client's next packet: a 200-byte datagram (room for every challenge of a probe).
fn client_packet(hs: &mut Hs) -> Vec<u8> {
    hs.client
        .send_datagram(hs.now, server_addr(), &[7; 200])
        .unwrap();
    hs.client.poll_transmit(hs.now).unwrap().1
}

fn state(hs: &Hs) -> String {
    match hs.server.probing(client_addr()) {
        Some(_) => "Probing".to_string(),
        None => "Settled".to_string(),
    }
}

/// The client's packet arrives from the new address; returns the server's challenge.
fn probe(hs: &mut Hs) -> Vec<u8> {
    let p = client_packet(hs);
    hs.server.handle_datagram(hs.now, new_addr(), &p);
    let (to, challenge) = hs.server.poll_transmit(hs.now).unwrap();
    assert_eq!(to, new_addr());
    assert!(
        challenge.len() <= p.len(),
        "no answer larger than the packet"
    );
    challenge
}

/// The client's answer to `challenge`.
fn response(hs: &mut Hs, challenge: &[u8]) -> Vec<u8> {
    hs.client.handle_datagram(hs.now, server_addr(), challenge);
    hs.client.poll_transmit(hs.now).unwrap().1
}

pub fn row(from: &str, event: &str) -> String {
    let (mut hs, init) = connected();
    let challenge = (from == "Probing").then(|| probe(&mut hs));
    assert_eq!(state(&hs), from);
    match event {
        "the client's newest packet from a new address" => {
            probe(&mut hs);
            assert_eq!(hs.server.probing(client_addr()), Some(new_addr()));
        }
        "a replayed packet from a new address" => {
            let p = client_packet(&mut hs);
            hs.server.handle_datagram(hs.now, client_addr(), &p);
            hs.server.handle_datagram(hs.now, new_addr(), &p);
            assert_eq!(hs.server_drops(DropReason::Replayed), 1);
            assert_eq!(hs.server.paths().probes, 0);
        }
        "an older packet from a new address" => {
            let older = client_packet(&mut hs);
            let newer = client_packet(&mut hs);
            hs.server.handle_datagram(hs.now, client_addr(), &newer);
            hs.server.handle_datagram(hs.now, new_addr(), &older);
            assert_eq!(hs.server.drops().total(), 1, "the older datagram is stale");
            assert_eq!(hs.server_drops(DropReason::StaleDatagram), 1);
            assert_eq!(hs.server.paths().probes, 0);
        }
        "the response, from the probed address" => {
            let r = response(&mut hs, &challenge.unwrap());
            hs.server.handle_datagram(hs.now, new_addr(), &r);
            let moved = std::iter::from_fn(|| hs.server.poll_event()).any(|e| {
                e == EndpointEvent::Migrated {
                    from: client_addr(),
                    to: new_addr(),
                }
            });
            assert!(moved);
            assert!(hs.server.is_connected(new_addr()) && !hs.server.is_connected(client_addr()));
            assert_eq!(hs.server.paths().migrations, 1);
            // Its init, replayed from the old address, opens nothing there.
            hs.server.handle_datagram(hs.now, client_addr(), &init);
            assert_eq!(hs.server_drops(DropReason::Replayed), 1);
            assert!(!hs.server.is_connected(client_addr()));
            return match hs.server.probing(new_addr()) {
                Some(_) => "Probing".to_string(),
                None => "Settled".to_string(),
            };
        }
        "the response, from another address" => {
            let r = response(&mut hs, &challenge.unwrap());
            hs.server.handle_datagram(hs.now, client_addr(), &r);
            assert_eq!(hs.server.paths().migrations, 0);
            assert!(hs.server.is_connected(client_addr()));
        }
        "no response to the last challenge" => {
            for _ in 0..MAX_CHALLENGES {
                hs.now += Duration::from_secs(1);
                hs.server.handle_timeout(hs.now);
                // Keep the client's connection fresh, from its old address.
                exchange(&mut hs, client_addr());
            }
            let paths = hs.server.paths();
            assert_eq!(
                (paths.challenges, paths.failed),
                (u64::from(MAX_CHALLENGES), 1)
            );
            assert!(hs.server.is_connected(client_addr()));
        }
        other => panic!("no step for roaming event {other:?}"),
    }
    state(&hs)
}
