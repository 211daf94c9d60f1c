//! With 50 % upstream loss about half the round trips through the proxy fail.

#![allow(clippy::unwrap_used)]

use crate::impair_common;

use impair_common::{Echo, client, recv_within};
use starlane_bench::impair::ImpairProxy;
use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::collections::HashSet;
use std::time::Duration;

const ROUND_TRIPS: u32 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_the_round_trips_fail() {
    let echo = Echo::start().await;
    let lossy = ImpairmentConfig {
        loss: 0.5,
        latency_ms: 2.0,
        seed: 17,
        ..ImpairmentConfig::default()
    };
    let proxy = ImpairProxy::start(
        "127.0.0.1:0".parse().unwrap(),
        echo.addr,
        lossy,
        ImpairmentConfig::default(),
    )
    .unwrap();
    let socket = client().await;
    for i in 0..ROUND_TRIPS {
        socket
            .send_to(&i.to_le_bytes(), proxy.local_addr())
            .await
            .unwrap();
        if i % 50 == 49 {
            // Let the loopback buffers drain now and then.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut echoed = HashSet::new();
    while let Some(data) = recv_within(&socket, Duration::from_millis(500)).await {
        assert!(echoed.insert(u32::from_le_bytes(data.try_into().unwrap())));
    }
    let rate = echoed.len() as f64 / f64::from(ROUND_TRIPS);
    assert!(
        (0.4..=0.6).contains(&rate),
        "{rate} of round trips succeeded"
    );

    let stats = proxy.stats();
    assert_eq!(stats.up.sent, u64::from(ROUND_TRIPS));
    assert_eq!(stats.up.lost + stats.up.delivered, u64::from(ROUND_TRIPS));
    assert_eq!(stats.down.delivered, echoed.len() as u64);
    assert_eq!(stats.down.lost, 0);
}
