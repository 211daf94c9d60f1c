//! An encrypted UDP session (Noise handshake, AEAD, netcore reliability) works through the proxy at 5 % loss
//! each way: every reliable message arrives, in order.

#![allow(clippy::unwrap_used)]

use crate::impair_common;

use impair_common::*;
use starlane_netcore::proto::emulator::{DuplexConfig, ImpairmentConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_messages_survive_five_percent_loss() {
    let path = DuplexConfig::symmetric(ImpairmentConfig {
        latency_ms: 5.0,
        jitter_ms: 2.0,
        loss: 0.05,
        seed: 3,
        ..ImpairmentConfig::default()
    });
    let ImpairedSession {
        mut client,
        mut edge,
        proxy,
        server,
    } = impaired_session(path).await;
    assert_eq!(client.peer, proxy.local_addr());
    assert_eq!(edge.peer.ip(), proxy.local_addr().ip());
    assert_ne!(
        edge.peer,
        proxy.local_addr(),
        "the server sees the proxy's upstream socket"
    );

    for i in 0..100u32 {
        assert!(
            client
                .sender
                .send_reliable(format!("up {i}").into_bytes())
                .is_queued()
        );
        assert!(
            edge.sender
                .send_reliable(format!("down {i}").into_bytes())
                .is_queued()
        );
    }
    let filler = spawn_filler(client.sender.clone(), edge.sender.clone());
    for i in 0..100u32 {
        assert_eq!(
            next_message(&mut edge).await,
            format!("up {i}").into_bytes()
        );
    }
    for i in 0..100u32 {
        assert_eq!(
            next_message(&mut client).await,
            format!("down {i}").into_bytes()
        );
    }
    filler.abort();
    let stats = proxy.stats();
    assert!(
        stats.up.lost > 0 && stats.down.lost > 0,
        "loss happened: {stats}"
    );
    server.shutdown();
}
