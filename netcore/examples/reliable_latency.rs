//! Delivery latency of reliable messages in the emulator, laminar's reliable-ordered channel
//! alone (the baseline: laminar is only a dev-dependency now) against netcore's connection
//! (netcore's own packets, frames and resends), on the same path.
//!
//! `cargo run --release -p starlane-netcore --example reliable_latency`
//!
//! Both sides send a 40-byte command every 100 ms and a 200-byte update datagram every 50 ms
//! for 120 s over 100 ms RTT with 5 % loss each way (plus a jitter row); the table gives the
//! delivery latency of the commands (send to in-order delivery) and the target 2 x RTT + 100 ms.

#![allow(clippy::unwrap_used)]

#[path = "../tests/transport_common/mod.rs"]
mod transport_common;

use laminar::{Connection as _, ConnectionMessenger, Packet, SocketEvent, VirtualConnection};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use starlane_netcore::proto::endpoint::{EndpointConfig, EndpointEvent};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use transport_common::{Net, path, percentile, server_addr};

const SECONDS: u64 = 120;

fn impairment(jitter_ms: f64, seed: u64) -> ImpairmentConfig {
    ImpairmentConfig {
        latency_ms: 50.0,
        jitter_ms,
        loss: 0.05,
        seed,
        ..ImpairmentConfig::default()
    }
}

fn stamp(id: u32, sent_ms: u32, len: usize) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend_from_slice(&sent_ms.to_le_bytes());
    v.resize(len, 0);
    v
}

fn sent_ms(v: &[u8]) -> u32 {
    u32::from_le_bytes(v[4..8].try_into().unwrap())
}

/// netcore: returns the latencies of every command both ways.
fn netcore(jitter_ms: f64, seed: u64) -> Vec<Duration> {
    let mut net = Net::new(EndpointConfig::default());
    let c = net.add_client(path(impairment(jitter_ms, seed)));
    net.run_for(Duration::from_secs(3));
    assert!(net.connected(c));
    let c_addr = net.clients[c].addr;
    let start = net.elapsed();
    let mut id = 0;
    for tick in 0..(SECONDS * 20) {
        let now = net.now;
        let ms = net.elapsed().as_millis() as u32;
        let update = stamp(0, ms, 200);
        let _ = net.server.send_datagram(now, c_addr, &update);
        let _ = net.clients[c]
            .endpoint
            .send_datagram(now, server_addr(), &update);
        if tick % 2 == 0 {
            id += 1;
            let cmd = stamp(id, ms, 40);
            net.clients[c]
                .endpoint
                .send_reliable(now, server_addr(), &cmd)
                .unwrap();
            net.server.send_reliable(now, c_addr, &cmd).unwrap();
        }
        net.run_for(Duration::from_millis(50));
    }
    net.run_for(Duration::from_secs(10));
    let _ = start;
    let mut out = Vec::new();
    let all = net.server_events.iter().chain(net.clients[c].events.iter());
    for (at, e) in all {
        if let EndpointEvent::Message { bytes, .. } = e {
            out.push(*at - Duration::from_millis(u64::from(sent_ms(bytes))));
        }
    }
    out
}

struct Msgr {
    config: laminar::Config,
    packets: Vec<Vec<u8>>,
    events: Vec<SocketEvent>,
}

impl ConnectionMessenger<SocketEvent> for Msgr {
    fn config(&self) -> &laminar::Config {
        &self.config
    }
    fn send_event(&mut self, _: &SocketAddr, e: SocketEvent) {
        self.events.push(e);
    }
    fn send_packet(&mut self, _: &SocketAddr, p: &[u8]) {
        self.packets.push(p.to_vec());
    }
}

/// laminar alone: reliable-ordered commands, unreliable-sequenced updates, heartbeats on.
fn laminar_only(jitter_ms: f64, seed: u64) -> Vec<Duration> {
    let base = Instant::now();
    let cfg = laminar::Config {
        heartbeat_interval: Some(Duration::from_millis(100)),
        ..laminar::Config::default()
    };
    let a_addr: SocketAddr = "10.0.0.2:1".parse().unwrap();
    let b_addr = server_addr();
    let dup = path(impairment(jitter_ms, seed));
    let mut paths = [
        Emulator::new(dup.up).unwrap(),
        Emulator::new(dup.down).unwrap(),
    ];
    let mut conns = [
        VirtualConnection::new(b_addr, &cfg, base),
        VirtualConnection::new(a_addr, &cfg, base),
    ];
    let mut m = Msgr {
        config: cfg,
        packets: Vec::new(),
        events: Vec::new(),
    };
    let mut out = Vec::new();
    let mut id = 0u32;
    let end_ms = (SECONDS + 10) * 1000;
    for ms in 0..end_ms {
        let now = base + Duration::from_millis(ms);
        for side in 0..2 {
            // Path `side` carries what side `side` sends to the other.
            while let Some(d) = paths[side].poll_deliver(now) {
                conns[1 - side].process_packet(&mut m, &d, now);
            }
        }
        for e in m.events.drain(..) {
            if let SocketEvent::Packet(p) = e
                && p.delivery_guarantee() == laminar::DeliveryGuarantee::Reliable
            {
                out.push(
                    Duration::from_millis(ms)
                        - Duration::from_millis(u64::from(sent_ms(p.payload()))),
                );
            }
        }
        m.packets.clear();
        for side in 0..2 {
            let peer = if side == 0 { b_addr } else { a_addr };
            if ms < SECONDS * 1000 && ms % 50 == 0 {
                let p = Packet::unreliable_sequenced(peer, stamp(0, ms as u32, 200), Some(1));
                conns[side].process_event(&mut m, p, now);
                if ms % 100 == 0 {
                    id += 1;
                    let p = Packet::reliable_ordered(peer, stamp(id, ms as u32, 40), None);
                    conns[side].process_event(&mut m, p, now);
                }
            }
            conns[side].update(&mut m, now);
            for d in m.packets.drain(..) {
                paths[side].send(now, d);
            }
        }
        m.events.clear();
    }
    out
}

fn row(name: &str, mut lat: Vec<Duration>, expected: usize) {
    let n = lat.len();
    let p50 = percentile(&mut lat, 50.0);
    let p99 = percentile(&mut lat, 99.0);
    let max = lat.last().copied().unwrap_or_default();
    println!(
        "| {name} | {n}/{expected} | {} | {} | {} | {} |",
        p50.as_millis(),
        p99.as_millis(),
        max.as_millis(),
        if p99 <= Duration::from_millis(300) {
            "met"
        } else {
            "missed"
        }
    );
}

fn main() {
    let expected = (SECONDS * 10 * 2) as usize;
    println!(
        "| path (100 ms RTT, 5 % loss each way) | delivered | p50 ms | p99 ms | max ms | p99 <= 300 ms |"
    );
    println!("|---|---|---|---|---|---|");
    for (jitter, label) in [(0.0, "no jitter"), (20.0, "20 ms jitter")] {
        row(
            &format!("laminar reliable-ordered, {label}"),
            laminar_only(jitter, 7),
            expected,
        );
        row(&format!("netcore, {label}"), netcore(jitter, 7), expected);
    }
}
