//! Reliable messages arrive exactly once and in order under 10 % loss with jitter,
//! duplication and reordering, both ways.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::emulator::ImpairmentConfig;
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use std::time::Duration;
use transport_common::{Net, path, server_addr};

#[test]
fn exactly_once_in_order_under_hostile_path() {
    for seed in [1u64, 2, 3] {
        let mut net = Net::new(EndpointConfig::default());
        let c = net.add_client(path(ImpairmentConfig {
            latency_ms: 50.0,
            jitter_ms: 20.0,
            loss: 0.10,
            duplicate: 0.05,
            reorder: 0.05,
            reorder_extra_ms: 30.0,
            seed,
            ..ImpairmentConfig::default()
        }));
        net.run_for(Duration::from_secs(3));
        assert!(net.connected(c), "seed {seed}: handshake through 10 % loss");
        let c_addr = net.clients[c].addr;
        let n = 500u32;
        for i in 0..n {
            let now = net.now;
            // Sizes from 1 byte to several chunks.
            let len = 1 + (i as usize * 37) % 3000;
            let mut up = i.to_le_bytes().to_vec();
            up.resize(len.max(4), 0xa5);
            net.clients[c]
                .endpoint
                .send_reliable(now, server_addr(), &up)
                .unwrap();
            net.server.send_reliable(now, c_addr, &up).unwrap();
            net.run_for(Duration::from_millis(10));
        }
        net.run_for(Duration::from_secs(10));
        let got_up: Vec<u32> = net
            .server_events
            .iter()
            .filter_map(|(_, e)| match e {
                EndpointEvent::Message { bytes, .. } => {
                    Some(u32::from_le_bytes(bytes[..4].try_into().unwrap()))
                }
                _ => None,
            })
            .collect();
        let got_down: Vec<u32> = net.clients[c]
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                EndpointEvent::Message { bytes, .. } => {
                    Some(u32::from_le_bytes(bytes[..4].try_into().unwrap()))
                }
                _ => None,
            })
            .collect();
        let expected: Vec<u32> = (0..n).collect();
        assert_eq!(got_up, expected, "seed {seed}: client to server");
        assert_eq!(got_down, expected, "seed {seed}: server to client");
        let stats = net.server.stats(c_addr).unwrap();
        assert!(
            stats.resent > 0,
            "the path lost packets, so chunks were resent"
        );
        assert!(stats.packets_lost > 0, "the client reported losses");
    }
}
