//! Without impairment the proxy echoes everything, and each client gets its own upstream source.

#![allow(clippy::unwrap_used)]

use crate::impair_common;

use impair_common::{Echo, client, recv_within};
use starlane_bench::impair::{ImpairProxy, ProxyOptions};
use starlane_netcore::proto::emulator::ImpairmentConfig;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_proxy_echoes_every_datagram() {
    let echo = Echo::start().await;
    let clean = ImpairmentConfig::default();
    let proxy = ImpairProxy::start(
        "127.0.0.1:0".parse().unwrap(),
        echo.addr,
        clean.clone(),
        clean,
    )
    .unwrap();

    let (a, b) = (client().await, client().await);
    for i in 0..200u32 {
        let socket = if i % 2 == 0 { &a } else { &b };
        let payload = format!("ping {i}").into_bytes();
        socket.send_to(&payload, proxy.local_addr()).await.unwrap();
        assert_eq!(recv_within(socket, WAIT).await, Some(payload), "echo {i}");
    }
    // A datagram as large as UDP allows on loopback goes through whole.
    let big = vec![7u8; 60_000];
    a.send_to(&big, proxy.local_addr()).await.unwrap();
    assert_eq!(
        recv_within(&a, WAIT).await.map(|d| d.len()),
        Some(big.len()),
        "{}",
        proxy.stats()
    );

    let sources = echo.sources();
    assert_eq!(sources.len(), 2, "one upstream source per client");
    assert!(!sources.contains(&a.local_addr().unwrap()));
    assert!(sources.iter().all(|s| s.ip().is_loopback()));

    let stats = proxy.stats();
    assert_eq!((stats.clients_active, stats.clients_total), (2, 2));
    assert_eq!(stats.up.sent, 201);
    assert_eq!(stats.up.delivered, 201);
    assert_eq!(stats.down.delivered, 201);
    assert_eq!(
        stats.up.dropped() + stats.down.dropped() + stats.socket_errors,
        0
    );
    proxy.shutdown();
    proxy.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_limit_and_idle_expiry() {
    let echo = Echo::start().await;
    let clean = ImpairmentConfig {
        latency_ms: 5.0,
        ..ImpairmentConfig::default()
    };
    let proxy = ImpairProxy::start_with(ProxyOptions {
        max_clients: 1,
        idle_timeout: Duration::from_millis(300),
        ..ProxyOptions::new(
            "127.0.0.1:0".parse().unwrap(),
            echo.addr,
            clean.clone(),
            clean,
        )
    })
    .unwrap();
    let (a, b) = (client().await, client().await);
    a.send_to(b"a", proxy.local_addr()).await.unwrap();
    assert_eq!(recv_within(&a, WAIT).await, Some(b"a".to_vec()));
    b.send_to(b"b", proxy.local_addr()).await.unwrap();
    assert_eq!(
        recv_within(&b, Duration::from_millis(300)).await,
        None,
        "over the limit"
    );
    assert_eq!(proxy.stats().clients_rejected, 1);

    // Once `a` has been idle past the timeout its slot is free again (bounded wait).
    let mut served = false;
    for _ in 0..20 {
        b.send_to(b"b", proxy.local_addr()).await.unwrap();
        if recv_within(&b, Duration::from_millis(200)).await == Some(b"b".to_vec()) {
            served = true;
            break;
        }
    }
    assert!(
        served,
        "the idle client expired and the new one was admitted"
    );
    let stats = proxy.stats();
    assert_eq!(stats.clients_expired, 1);
    assert_eq!((stats.clients_active, stats.clients_total), (1, 2));
}
