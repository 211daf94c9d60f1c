//! Scenario 2: 2,000 visible entities and a budget that cannot carry their changes: every own
//! unit's state at the client is never more than two region ticks behind the mirror.
#![allow(clippy::unwrap_used)]

use crate::sync_session_model;

use std::time::Duration;
use sync_session_model::*;

#[test]
fn own_units_stay_within_two_ticks() {
    let params = Params {
        total: 3_000,
        own: 30,
        visible: 2_000,
        move_prob: 1.0,
        churn: 5,
        vision: 1,
        resource_every: 20,
        command_acks: 1,
    };
    // 2,000 moving entities need about 2,000 x 6 B x 20 Hz = 240 kB/s; give 20 kB/s.
    let profile = profile(20_000, 1_200, 1200, 2_000);
    let mut h = Harness::new(params, &profile, delayed(5.0), delayed(5.0), 2);
    let end = h.base + Duration::from_secs(20);
    let warmup = h.base + Duration::from_secs(1);
    let mut worst = Duration::ZERO;
    let mut checks = 0;
    while h.now < end {
        if h.region_due() && h.now >= warmup {
            for id in 1..=h.region.params.own {
                worst = worst.max(h.staleness(id));
                checks += 1;
            }
        }
        h.advance(true);
    }
    let other_worst = h
        .region
        .visible()
        .iter()
        .map(|&id| h.staleness(id))
        .max()
        .unwrap();
    println!(
        "own units: worst lag {worst:?} over {checks} checks; others up to {other_worst:?} behind; {} records",
        h.session.stats().records
    );
    assert!(checks > 10_000);
    assert!(worst <= 2 * TICK, "an own unit lagged {worst:?}");
    // The budget really is short: other entities fall behind.
    assert!(other_worst > 4 * TICK);
}
