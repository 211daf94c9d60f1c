//! Reordering: jitter and the `reorder` option reorder packets; `preserve_order` never does.

#![allow(clippy::unwrap_used)]

use crate::emulator_common;

use emulator_common::{Delivery, id_of, run, steady};
use starlane_netcore::proto::emulator::{Emulator, ImpairmentConfig};
use std::time::{Duration, Instant};

const PACKETS: u64 = 10_000;

fn deliveries(cfg: ImpairmentConfig) -> (Vec<Delivery>, u64) {
    let mut emulator = Emulator::new(cfg).unwrap();
    let out = run(
        &mut emulator,
        Instant::now(),
        steady(PACKETS, 24, Duration::from_millis(1)),
    );
    assert_eq!(out.len() as u64, PACKETS);
    (out, emulator.stats().reordered)
}

/// Deliveries of a packet after one sent later.
fn out_of_order(out: &[Delivery]) -> u64 {
    let mut highest = None;
    let mut count = 0;
    for (_, data) in out {
        let id = id_of(data);
        match highest {
            Some(h) if id < h => count += 1,
            _ => highest = Some(id),
        }
    }
    count
}

#[test]
fn jitter_reorders_packets() {
    let (out, reordered) = deliveries(ImpairmentConfig {
        latency_ms: 50.0,
        jitter_ms: 20.0,
        seed: 31,
        ..ImpairmentConfig::default()
    });
    assert!(reordered > PACKETS / 2, "{reordered} reordered");
    assert_eq!(out_of_order(&out), reordered);
}

#[test]
fn preserve_order_never_reorders_and_keeps_the_delay_bounds() {
    let (out, reordered) = deliveries(ImpairmentConfig {
        latency_ms: 50.0,
        jitter_ms: 20.0,
        preserve_order: true,
        seed: 31,
        ..ImpairmentConfig::default()
    });
    assert_eq!(reordered, 0);
    assert_eq!(out_of_order(&out), 0);
    let ids: Vec<u64> = out.iter().map(|(_, data)| id_of(data)).collect();
    assert_eq!(ids, (0..PACKETS).collect::<Vec<_>>());
    for (at, data) in &out {
        let sent = Duration::from_millis(id_of(data));
        let delay = *at - sent;
        assert!(
            delay >= Duration::from_millis(30),
            "never sooner than the minimum"
        );
        // Held behind a slow predecessor at most: that one left within the maximum delay.
        assert!(delay <= Duration::from_millis(70), "delay {delay:?}");
    }
}

#[test]
fn reorder_option_holds_packets_back() {
    let (out, reordered) = deliveries(ImpairmentConfig {
        latency_ms: 10.0,
        reorder: 0.05,
        reorder_extra_ms: 5.0,
        seed: 32,
        ..ImpairmentConfig::default()
    });
    // About 500 packets are held 5 ms; each is overtaken by the packets of the next 5 ms, so
    // it is the held packet whose delivery counts as out of order.
    assert!(reordered > 350 && reordered < 650, "{reordered} reordered");
    assert_eq!(out_of_order(&out), reordered);

    let (_, none) = deliveries(ImpairmentConfig {
        latency_ms: 10.0,
        seed: 32,
        ..ImpairmentConfig::default()
    });
    assert_eq!(none, 0, "no jitter and no reorder: in order");
}

#[test]
fn reorder_and_preserve_order_are_exclusive() {
    let err = ImpairmentConfig {
        reorder: 0.1,
        preserve_order: true,
        ..ImpairmentConfig::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(err.field, "reorder");
    assert!(err.to_string().contains("preserve_order"), "{err}");
}
