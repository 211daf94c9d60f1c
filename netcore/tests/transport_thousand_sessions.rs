//! A thousand clients hand-shake with one server over lightly impaired paths (1 % loss,
//! 20 ms one way, a little jitter), all connect, and each exchanges a reliable message with
//! the server both ways; the server holds exactly a thousand sessions.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::emulator::ImpairmentConfig;
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use std::collections::HashMap;
use std::time::Duration;
use transport_common::*;

const CLIENTS: usize = 1000;

fn message(dir: &str, i: usize) -> Vec<u8> {
    format!("{dir} {i}").into_bytes()
}

#[test]
fn a_thousand_clients_connect_and_exchange_messages() {
    let mut net = Net::new(EndpointConfig::default());
    // Arrivals spread over the first second.
    for i in 0..CLIENTS {
        if i.is_multiple_of(100) {
            net.run_for(Duration::from_millis(100));
        }
        net.add_client(path(ImpairmentConfig {
            latency_ms: 20.0,
            jitter_ms: 2.0,
            loss: 0.01,
            seed: i as u64 + 1,
            ..ImpairmentConfig::default()
        }));
    }
    net.run_for(Duration::from_secs(2));
    let not_connected: Vec<usize> = (0..CLIENTS).filter(|i| !net.connected(*i)).collect();
    assert!(not_connected.is_empty(), "not connected: {not_connected:?}");
    assert_eq!(net.server.peer_count(), CLIENTS);
    assert_eq!(connects(&net.server_events), CLIENTS);
    for c in &net.clients {
        assert_eq!(connects(&c.events), 1);
    }

    for i in 0..CLIENTS {
        net.client_sends(i, &message("up", i));
        net.server_sends(i, &message("down", i));
    }
    net.run_for(Duration::from_millis(1500));

    let mut up: HashMap<std::net::SocketAddr, Vec<Vec<u8>>> = HashMap::new();
    for (_, e) in &net.server_events {
        if let EndpointEvent::Message { peer, bytes } = e {
            up.entry(*peer).or_default().push(bytes.clone());
        }
    }
    for (i, c) in net.clients.iter().enumerate() {
        assert_eq!(up.get(&c.addr), Some(&vec![message("up", i)]), "client {i}");
        assert_eq!(messages(&c.events), vec![message("down", i)], "client {i}");
    }
    assert_eq!(net.server.peer_count(), CLIENTS);
    assert!(
        !net.server_events
            .iter()
            .any(|(_, e)| matches!(e, EndpointEvent::Closed { .. })),
        "no session was lost"
    );
    let lost: u64 = net.clients.iter().map(|c| c.up.stats().lost).sum();
    assert!(lost > 0, "the paths did lose packets");
}
