//! Scenario 5: reliable events are resent until acknowledged and count against the budget: a
//! tiny budget on a lossy path still delivers every event, once, and no 1 s window exceeds the
//! budget by more than the burst allowance.
#![allow(clippy::unwrap_used)]

use crate::sync_session_model;

use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::time::Duration;
use sync_session_model::*;

fn lossy(seed: u64) -> ImpairmentConfig {
    ImpairmentConfig {
        latency_ms: 30.0,
        jitter_ms: 10.0,
        loss: 0.1,
        seed,
        ..ImpairmentConfig::default()
    }
}

#[test]
fn tiny_budget_delivers_every_event_within_budget() {
    let params = Params {
        total: 400,
        own: 5,
        visible: 200,
        move_prob: 0.5,
        churn: 1,
        vision: 1,
        resource_every: 4,
        command_acks: 2,
    };
    // 2 kB/s, 100 B burst, 100 B datagrams; the events alone take a few hundred B/s.
    let rate = 2_000;
    let profile = profile(rate, 100, 100, 2_000);
    let mut h = Harness::new(params, &profile, lossy(5), lossy(6), 5);
    h.run(h.base + Duration::from_secs(10), true);
    let stopped = h.now;
    let deadline = stopped + Duration::from_secs(10);
    while h.now < deadline && h.session.pending_events() > 0 {
        h.advance(false);
    }
    let drained = h.now - stopped;
    // Keep going a little so the client's view can settle too.
    h.run(h.now + Duration::from_secs(2), false);

    let stats = *h.session.stats();
    let max = h.max_window_bytes();
    println!(
        "events drained {drained:?} after the changes stopped; max window {max} B = {:.4} x rate; \
         largest datagram {}; {stats:?}",
        max as f64 / f64::from(rate),
        h.max_datagram
    );
    assert_eq!(h.session.pending_events(), 0, "events never acknowledged");
    assert!(stats.events_resent > 0);
    assert!(h.max_datagram <= 100);
    assert!(
        max as f64 <= 1.05 * f64::from(rate),
        "window of {max} bytes"
    );
    let commands = h.region.commands();
    assert!(commands >= 390, "{commands} commands");
    assert_eq!(h.client.command_acks.len() as u32, commands);
    assert!(h.client.command_acks.values().all(|&n| n == 1));
    assert_eq!(seen(&h.client.vision), seen(&h.region.vision));
    assert_eq!(h.client.resources, h.region.resources);
}
