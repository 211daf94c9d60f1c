//! Reliable messages larger than one reliable chunk (1024 B), mixed with small ones, arrive exactly
//! once and in order through loss, duplication and jitter. (laminar 0.5 alone delivers a
//! reassembled fragmented packet outside its ordered stream, and again on each resend; the
//! driver's chunking is what makes this hold.)

#![allow(clippy::unwrap_used)]

use crate::impair_common;

use impair_common::*;
use starlane_netcore::proto::emulator::{DuplexConfig, ImpairmentConfig};
use std::time::Duration;

/// Message `i`: large (3 KB, three chunks) for even `i`, small for odd `i`.
fn message(i: u32) -> Vec<u8> {
    let mut m = format!("msg {i} ").into_bytes();
    if i.is_multiple_of(2) {
        m.resize(3000, (i % 251) as u8);
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_and_small_messages_arrive_once_in_order() {
    let path = DuplexConfig::symmetric(ImpairmentConfig {
        latency_ms: 5.0,
        jitter_ms: 3.0,
        loss: 0.05,
        duplicate: 0.05,
        seed: 11,
        ..ImpairmentConfig::default()
    });
    let ImpairedSession {
        mut client,
        edge,
        proxy,
        server,
    } = impaired_session(path).await;
    const N: u32 = 60;
    for i in 0..N {
        assert!(edge.sender.send_reliable(message(i)).is_queued());
    }
    let filler = spawn_filler(client.sender.clone(), edge.sender.clone());
    for i in 0..N {
        assert_eq!(next_message(&mut client).await, message(i), "message {i}");
    }
    // Nothing more may follow: no late duplicate of any message.
    let extra = next_message_within(&mut client, Duration::from_millis(1500)).await;
    assert_eq!(extra.map(|m| m.len()), None, "a message arrived twice");
    filler.abort();
    let stats = proxy.stats();
    assert!(
        stats.down.lost > 0 && stats.down.duplicated > 0,
        "impairment happened: {stats}"
    );
    server.shutdown();
}
