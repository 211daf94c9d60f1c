//! The delivery target: at 5 % loss each way and 100 ms RTT (and with 20 ms of jitter on top),
//! reliable commands sent 10 times a second both ways for 60 s are all delivered exactly once
//! and in order, and the 99th percentile of their delivery latency (send to in-order delivery)
//! stays under 2 x RTT + 100 ms = 300 ms. Each path runs with several seeds, with and without
//! a 20 Hz stream of unreliable updates beside the commands.

#![allow(clippy::unwrap_used)]

use crate::transport_common;

use starlane_netcore::proto::emulator::ImpairmentConfig;
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use std::time::Duration;
use transport_common::*;

const SECONDS: u64 = 60;
const RTT: Duration = Duration::from_millis(100);
const TARGET: Duration = Duration::from_millis(2 * 100 + 100);

/// A command: its id and the millisecond it was sent, padded to a typical size.
fn command(id: u32, sent_ms: u32) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend_from_slice(&sent_ms.to_le_bytes());
    v.resize(40, 0);
    v
}

fn decode(v: &[u8]) -> (u32, u32) {
    (
        u32::from_le_bytes(v[..4].try_into().unwrap()),
        u32::from_le_bytes(v[4..8].try_into().unwrap()),
    )
}

struct Outcome {
    latencies: Vec<Duration>,
    up_ids: Vec<u32>,
    down_ids: Vec<u32>,
    sent: u32,
    lost_up: u64,
}

fn run(jitter_ms: f64, updates: bool, seed: u64) -> Outcome {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(path(ImpairmentConfig {
        latency_ms: RTT.as_secs_f64() * 1000.0 / 2.0,
        jitter_ms,
        loss: 0.05,
        seed,
        ..ImpairmentConfig::default()
    }));
    net.run_for(Duration::from_secs(3));
    assert!(net.connected(c), "seed {seed}: connected");
    let c_addr = net.clients[c].addr;
    let mut id = 0u32;
    // Ticks of 50 ms: a command every other tick (10/s), an update every tick (20/s).
    for tick in 0..(SECONDS * 20) {
        let now = net.now;
        let ms = net.elapsed().as_millis() as u32;
        if updates {
            let update = vec![0x55; 200];
            net.server.send_datagram(now, c_addr, &update).unwrap();
            net.clients[c]
                .endpoint
                .send_datagram(now, server_addr(), &update)
                .unwrap();
        }
        if tick.is_multiple_of(2) {
            id += 1;
            net.client_sends(c, &command(id, ms));
            net.server_sends(c, &command(id, ms));
        }
        net.run_for(Duration::from_millis(50));
    }
    net.run_for(Duration::from_secs(5));
    let mut latencies = Vec::new();
    let mut ids = [Vec::new(), Vec::new()];
    for (side, log) in [&net.server_events, &net.clients[c].events]
        .into_iter()
        .enumerate()
    {
        for (at, e) in log {
            if let EndpointEvent::Message { bytes, .. } = e {
                let (id, sent_ms) = decode(bytes);
                ids[side].push(id);
                latencies.push(*at - Duration::from_millis(u64::from(sent_ms)));
            }
        }
    }
    let [up_ids, down_ids] = ids;
    Outcome {
        latencies,
        up_ids,
        down_ids,
        sent: id,
        lost_up: net.clients[c].up.stats().lost,
    }
}

fn check(jitter_ms: f64, updates: bool) {
    for seed in 1..=5u64 {
        let label = format!("jitter {jitter_ms} ms, updates {updates}, seed {seed}");
        let mut o = run(jitter_ms, updates, seed);
        let expected: Vec<u32> = (1..=o.sent).collect();
        assert_eq!(
            o.up_ids, expected,
            "{label}: client to server, exactly once in order"
        );
        assert_eq!(
            o.down_ids, expected,
            "{label}: server to client, exactly once in order"
        );
        assert!(o.lost_up > 0, "{label}: the path lost packets");
        let p50 = percentile(&mut o.latencies, 50.0);
        let p99 = percentile(&mut o.latencies, 99.0);
        let max = *o.latencies.last().unwrap();
        eprintln!("{label}: p50 {p50:?} p99 {p99:?} max {max:?}");
        assert!(
            p99 < TARGET,
            "{label}: p99 {p99:?} (p50 {p50:?}, max {max:?}) misses {TARGET:?}"
        );
        assert!(p50 >= RTT / 4, "{label}: latency includes the path");
    }
}

#[test]
fn p99_under_target_without_jitter() {
    check(0.0, false);
}

#[test]
fn p99_under_target_with_jitter() {
    check(20.0, false);
}

#[test]
fn p99_under_target_beside_update_stream() {
    check(0.0, true);
    check(20.0, true);
}
