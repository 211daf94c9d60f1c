//! Rate limit: bytes delivered in any simulated second stay within the rate plus one packet,
//! and a full queue drops the newest packets (drop tail).

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{Delivery, id_of, packet, run, steady};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use std::time::{Duration, Instant};

const RATE: u64 = 100_000;
const LEN: usize = 1000;

fn limited(queue_bytes: usize, latency_ms: f64) -> Emulator {
    Emulator::new(ImpairmentConfig {
        rate_limit_bytes_per_sec: Some(RATE),
        queue_bytes,
        latency_ms,
        ..ImpairmentConfig::default()
    })
    .unwrap()
}

/// The most bytes delivered in any one-second window starting at a delivery.
fn busiest_second(out: &[Delivery]) -> usize {
    let mut best = 0;
    let mut end = 0;
    let mut bytes = 0;
    for start in 0..out.len() {
        while end < out.len() && out[end].0 < out[start].0 + Duration::from_secs(1) {
            bytes += out[end].1.len();
            end += 1;
        }
        best = best.max(bytes);
        bytes -= out[start].1.len();
    }
    best
}

#[test]
fn twice_the_rate_is_held_to_the_rate() {
    let mut emulator = limited(10 * LEN, 30.0);
    // 200 packets of 1000 bytes per second for 5 s: twice the rate.
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(1000, LEN, Duration::from_millis(5)),
    );
    let stats = emulator.stats();
    assert!(busiest_second(&out) <= RATE as usize + LEN);
    // Whole seconds too, as a reader of the figures would count them.
    for second in 0..6u64 {
        let window = Duration::from_secs(second)..Duration::from_secs(second + 1);
        let bytes: usize = out
            .iter()
            .filter(|(at, _)| window.contains(at))
            .map(|(_, d)| d.len())
            .sum();
        assert!(
            bytes <= RATE as usize + LEN,
            "second {second}: {bytes} bytes"
        );
    }
    // The link stays busy: about 5 s of traffic plus the queue drain out.
    assert!(
        out.len() >= 500 && out.len() <= 511,
        "{} delivered",
        out.len()
    );
    assert_eq!(stats.delivered + stats.dropped_queue, 1000);
    assert!(
        stats.dropped_queue >= 489,
        "{} dropped",
        stats.dropped_queue
    );
    // Admitted packets keep their order.
    assert!(out.windows(2).all(|w| id_of(&w[0].1) < id_of(&w[1].1)));
}

#[test]
fn a_full_queue_drops_the_tail() {
    let mut emulator = limited(10 * LEN, 0.0);
    let base = Instant::now();
    // A burst of 50 packets at one instant: the first ten fill the queue, the rest are dropped.
    let out = run(
        &mut emulator,
        base,
        (0..50).map(|id| (Duration::ZERO, packet(id, LEN))),
    );
    let ids: Vec<u64> = out.iter().map(|(_, d)| id_of(d)).collect();
    assert_eq!(ids, (0..10).collect::<Vec<_>>());
    assert_eq!(emulator.stats().dropped_queue, 40);
    // Each packet takes 1000 / 100000 s = 10 ms on the link.
    let times: Vec<Duration> = out.iter().map(|(at, _)| *at).collect();
    let expected: Vec<Duration> = (1..=10).map(|k| Duration::from_millis(10 * k)).collect();
    assert_eq!(times, expected);

    // Once the queue has drained, packets are admitted again.
    let later = base + Duration::from_secs(1);
    emulator.send(later, packet(99, LEN));
    assert_eq!(
        emulator.poll_timeout(),
        Some(later + Duration::from_millis(10))
    );
    assert_eq!(emulator.stats().dropped_queue, 40);
}

#[test]
fn packets_under_the_rate_are_not_delayed_further() {
    let mut emulator = limited(10 * LEN, 20.0);
    // 50 packets per second of 1000 bytes: half the rate.
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(200, LEN, Duration::from_millis(20)),
    );
    assert_eq!(out.len(), 200);
    for (at, data) in &out {
        let sent = Duration::from_millis(20 * id_of(data));
        assert_eq!(
            *at - sent,
            Duration::from_millis(30),
            "10 ms on the link + 20 ms latency"
        );
    }
}
