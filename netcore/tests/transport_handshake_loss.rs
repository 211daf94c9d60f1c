//! The handshake under loss and attack: it completes through 30 % loss each way before its
//! deadline for every seed tried, with exactly one session per client; it fails cleanly (one
//! `ConnectFailed(TimedOut)` at the deadline, then silence) when the server cannot be
//! reached; and a forged response injected before the genuine one does not stop the client
//! from connecting.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use starlane_netcore::proto::handshake::{ClientState, HandshakeError};
use starlane_netcore::proto::packet::{PacketType, RESPONSE_LEN};
use std::time::Duration;
use transport_common::*;

const SEEDS: u64 = 12;

#[test]
fn completes_through_thirty_percent_loss() {
    let config = EndpointConfig::default();
    let deadline = config.handshake.timeout;
    let mut net = Net::new(config);
    for seed in 1..=SEEDS {
        net.add_client(path(ImpairmentConfig {
            latency_ms: 40.0,
            jitter_ms: 10.0,
            loss: 0.30,
            seed,
            ..ImpairmentConfig::default()
        }));
    }
    net.run_for(deadline);
    for (i, c) in net.clients.iter().enumerate() {
        let at = connected_at(&c.events);
        assert!(
            at.is_some_and(|t| t < deadline),
            "seed {}: {:?}",
            i + 1,
            c.endpoint.client_state()
        );
        assert_eq!(connects(&c.events), 1);
        assert!(
            !c.events
                .iter()
                .any(|(_, e)| matches!(e, EndpointEvent::ConnectFailed(_)))
        );
    }
    assert_eq!(net.server.peer_count(), SEEDS as usize, "one session each");
    assert_eq!(connects(&net.server_events), SEEDS as usize);
    let lost: u64 = net
        .clients
        .iter()
        .map(|c| c.up.stats().lost + c.down.stats().lost)
        .sum();
    assert!(lost > 0, "the handshakes did go through loss");

    // The sessions work.
    for i in 0..net.clients.len() {
        net.client_sends(i, b"hi");
    }
    net.run_for(Duration::from_secs(3));
    assert_eq!(messages(&net.server_events).len(), SEEDS as usize);
}

fn fails_cleanly(cut_up: bool) {
    let config = EndpointConfig::default();
    let timing = config.handshake;
    let mut net = Net::new(config);
    let c = net.add_client(clean(20.0));
    if cut_up {
        net.clients[c].up = Emulator::new(black_hole()).unwrap();
    } else {
        net.clients[c].down = Emulator::new(black_hole()).unwrap();
    }
    net.clients[c].tap_up = Tap::Record;
    net.run_for(timing.timeout - Duration::from_millis(1));
    assert_eq!(
        net.clients[c].endpoint.client_state(),
        Some(ClientState::AwaitCookie)
    );
    assert!(net.clients[c].events.is_empty());
    net.run_for(Duration::from_secs(10));
    let events: Vec<_> = net.clients[c].events.clone();
    assert_eq!(
        events,
        vec![(
            timing.timeout,
            EndpointEvent::ConnectFailed(HandshakeError::TimedOut)
        )]
    );
    assert_eq!(
        net.clients[c].endpoint.client_state(),
        Some(ClientState::Failed)
    );
    assert!(
        net.clients[c].endpoint.poll_timeout().is_none(),
        "no timer left"
    );
    // Only hellos, one per resend interval, none after the deadline.
    let sent = &net.clients[c].seen_up;
    assert_eq!(of_type(sent, PacketType::Hello).len(), sent.len());
    let most = (timing.timeout.as_millis() / timing.resend_interval.as_millis()) as usize + 1;
    assert!(
        sent.len() >= most - 1 && sent.len() <= most,
        "{} hellos",
        sent.len()
    );
    assert_eq!(net.server.peer_count(), 0);
    assert_eq!(net.server.sources_tracked(), 0);
}

#[test]
fn fails_cleanly_when_nothing_reaches_the_server() {
    fails_cleanly(true);
}

#[test]
fn fails_cleanly_when_nothing_comes_back() {
    fails_cleanly(false);
}

#[test]
fn a_forged_response_does_not_stop_the_handshake() {
    let config = EndpointConfig::default();
    let mut net = Net::new(config.clone());
    let c = net.add_client(clean(50.0));
    // The cookie is back at 100 ms and the init leaves; the genuine response lands at 200 ms.
    net.run_for(Duration::from_millis(120));
    assert_eq!(
        net.clients[c].endpoint.client_state(),
        Some(ClientState::AwaitResponse)
    );
    // An off-path attacker sprays response-shaped datagrams from the server's address.
    let mut rng = Rng::new(99);
    let mut forged = rng.bytes(RESPONSE_LEN);
    forged[0] = PacketType::Response as u8;
    let now = net.now;
    net.clients[c]
        .endpoint
        .handle_datagram(now, server_addr(), &forged);
    assert_eq!(net.clients[c].endpoint.drops().handshake_failed, 1);
    assert_eq!(
        net.clients[c].endpoint.client_state(),
        Some(ClientState::AwaitResponse)
    );
    net.run_for(config.handshake.timeout);
    assert!(
        net.connected(c),
        "client {:?}, client drops {:?}, server drops {:?}",
        net.clients[c].endpoint.client_state(),
        net.clients[c].endpoint.drops(),
        net.server.drops()
    );
    assert_eq!(connects(&net.clients[c].events), 1);
    assert_eq!(net.server.peer_count(), 1);
    net.client_sends(c, b"through");
    net.server_sends(c, b"back");
    net.run_for(Duration::from_millis(300));
    assert_eq!(messages(&net.server_events), vec![b"through".to_vec()]);
    assert_eq!(messages(&net.clients[c].events), vec![b"back".to_vec()]);
}
