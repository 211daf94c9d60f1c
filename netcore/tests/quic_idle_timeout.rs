//! When the path goes silent (a relay between client and server stops forwarding), both
//! ends of a QUIC link close with `CloseReason::Timeout` after the idle timeout.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::quic::connect_pinned;
use starlane_netcore::transport::{CloseReason, LinkEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_path_times_out_on_both_ends() {
    let (server, mut accepted, hash) = server("127.0.0.1:0", Duration::from_secs(1));
    let cut = Arc::new(AtomicBool::new(false));
    let via = relay(server.local_addr(), cut.clone()).await;

    let mut client = connect_pinned(via, hash, WAIT).await.expect("connect");
    assert!(client.sender.send_reliable(b"hello".to_vec()).is_queued());
    let mut edge = accept(&mut accepted).await;
    assert_eq!(
        next(&mut edge).await,
        LinkEvent::Reliable(b"hello".to_vec())
    );

    // Keep-alives hold the link up well past the idle timeout while the path works.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(edge.events.try_recv().is_err(), "link still open");

    let silent_since = Instant::now();
    cut.store(true, Ordering::Relaxed);
    assert_eq!(
        next(&mut edge).await,
        LinkEvent::Closed(CloseReason::Timeout)
    );
    assert_eq!(
        next_reliable(&mut client).await,
        LinkEvent::Closed(CloseReason::Timeout)
    );
    assert!(silent_since.elapsed() >= Duration::from_millis(900));
    server.shutdown();
}
