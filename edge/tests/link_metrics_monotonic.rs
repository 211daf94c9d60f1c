//! A transport counter that goes back (QUIC takes back a loss when the "lost" packet turns up)
//! never makes an exported counter go back or count twice: it adds nothing until it passes what
//! was already reported.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use starlane_edge::metrics::{EdgeMetrics, LinkMeter};
use starlane_netcore::transport::{LinkStats, TransportKind};
use std::sync::atomic::Ordering;

fn lost_total(m: &EdgeMetrics) -> u64 {
    m.link.packets_lost.with_label_values(&["quic"]).get()
}

#[test]
fn a_loss_taken_back_is_not_counted_twice() {
    let metrics = EdgeMetrics::new();
    let stats = LinkStats::default();
    let mut meter = LinkMeter::new(TransportKind::Quic);
    stats.packets_out.store(100, Ordering::Relaxed);
    stats.packets_lost.store(5, Ordering::Relaxed);
    meter.sample(&stats, &metrics);
    assert_eq!(lost_total(&metrics), 5);

    // Two of the five turn up after all.
    stats.packets_lost.store(3, Ordering::Relaxed);
    meter.sample(&stats, &metrics);
    assert_eq!(lost_total(&metrics), 5);

    // Two more are lost: the transport is back at 5, nothing new to report.
    stats.packets_lost.store(5, Ordering::Relaxed);
    meter.sample(&stats, &metrics);
    assert_eq!(lost_total(&metrics), 5);

    // One beyond what was reported.
    stats.packets_lost.store(6, Ordering::Relaxed);
    stats.packets_out.store(150, Ordering::Relaxed);
    meter.finish(&stats, &metrics);
    assert_eq!(lost_total(&metrics), 6);
    assert_eq!(
        metrics.link.packets_out.with_label_values(&["quic"]).get(),
        150
    );
    // Only the seconds that sent packets were loss samples: the first and none after it
    // (`finish` takes no sample).
    assert_eq!(
        metrics
            .link
            .loss
            .with_label_values(&["quic"])
            .get_sample_count(),
        1
    );
    // Nothing was labelled with another transport.
    assert!(!metrics.render().contains("transport=\"udp\""));
}
