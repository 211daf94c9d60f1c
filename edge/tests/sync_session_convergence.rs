//! Scenario 4: 5% loss, 50 ms each way with 20 ms jitter, in both directions. The region
//! changes things for 10 s then stops; within 1 s of the last change the client's whole view
//! (entities, hex vision, resources) equals the region's, every event was applied exactly
//! once, and no entity that left view lingers.
#![allow(clippy::unwrap_used)]

use crate::sync_session_model;

use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::time::Duration;
use sync_session_model::*;

fn impaired(seed: u64) -> ImpairmentConfig {
    ImpairmentConfig {
        latency_ms: 50.0,
        jitter_ms: 20.0,
        loss: 0.05,
        seed,
        ..ImpairmentConfig::default()
    }
}

fn converges(seed: u64) -> Duration {
    let params = Params {
        total: 3_000,
        own: 15,
        visible: 1_000,
        move_prob: 0.3,
        churn: 8,
        vision: 4,
        resource_every: 3,
        command_acks: 2,
    };
    let profile = profile(100_000, 5_000, 1200, 2_000);
    let mut h = Harness::new(params, &profile, impaired(seed), impaired(seed + 1), seed);
    h.run(h.base + Duration::from_secs(10), true);
    let last_change = h.last_change.unwrap();
    let mut converged = None;
    let deadline = last_change + Duration::from_secs(3);
    while h.now < deadline {
        h.advance(false);
        let equal = h.view_differences().is_empty()
            && seen(&h.client.vision) == seen(&h.region.vision)
            && h.client.resources == h.region.resources
            && h.client.command_acks.len() as u32 == h.region.commands();
        match (equal, converged) {
            (true, None) => converged = Some(h.now - last_change),
            (false, Some(at)) => panic!("diverged again after converging at {at:?}"),
            _ => {}
        }
    }
    let down = h.down.stats();
    let up = h.up.stats();
    println!(
        "seed {seed}: converged {converged:?} after the last change; srtt {:?}, rto {:?}; \
         down lost {}/{} reordered {}, up lost {}/{}; {:?}",
        h.session.srtt(),
        h.session.rto(),
        down.lost,
        down.sent,
        down.reordered,
        up.lost,
        up.sent,
        h.session.stats()
    );
    let diffs = h.view_differences();
    if converged.is_none() {
        for &id in diffs.iter().take(5) {
            println!(
                "  {id}: mirror {:?} client {:?} pending {:?}",
                h.mirror.get(id),
                h.client.rx.entity(id),
                h.session.pending()
            );
        }
        println!(
            "  {} entity diffs, vision equal {}, resources {:?} vs {:?}, commands {} vs {}, events pending {}, rx {:?}",
            diffs.len(),
            seen(&h.client.vision) == seen(&h.region.vision),
            h.client.resources,
            h.region.resources,
            h.client.command_acks.len(),
            h.region.commands(),
            h.session.pending_events(),
            h.client.rx.stats()
        );
    }
    let converged = converged.expect("the client never converged");
    // Every command ack applied exactly once (DeltaReceiver deduplicates resends).
    assert!(h.client.command_acks.values().all(|&n| n == 1));
    assert_eq!(h.session.pending_events(), 0, "events left unacknowledged");
    assert!(
        h.session.stats().events_resent > 0,
        "5% loss must cause resends"
    );
    assert!(h.client.rx.entities().count() == h.region.visible().len());
    assert_eq!(h.session.stats().missing_in_mirror, 0);
    assert_eq!(h.client.rx.stats().missing_baseline, 0);
    converged
}

#[test]
fn client_converges_within_one_second_under_loss_and_jitter() {
    let mut worst = Duration::ZERO;
    for seed in [11, 23, 37] {
        worst = worst.max(converges(seed));
    }
    println!("worst convergence {worst:?}");
    assert!(
        worst <= Duration::from_secs(1),
        "converged only after {worst:?}"
    );
}
