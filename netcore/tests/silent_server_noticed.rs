//! With the default liveness (2.5 s idle timeout, keep-alives every 500 ms) a QUIC or
//! WebTransport client notices a server that went silent without a close (here: a relay
//! between them stops forwarding, as when the edge is killed with `kill -9`) within 3 s,
//! while a connection that carries no application traffic stays up thanks to keep-alives.
//! The clients are the native ones with their defaults; the server's advertised idle timeout
//! is what governs a browser.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::{WAIT, accept, relay};
use starlane_netcore::quic::{QuicIdentity, QuicServer, QuicServerConfig, connect_pinned};
use starlane_netcore::transport::{CloseReason, Link, LinkEvent, Liveness, QueueLimits};
use starlane_netcore::webtransport::{
    WtServer, WtServerConfig, connect_native, self_signed_identity,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longer than twice the default idle timeout.
const QUIET: Duration = Duration::from_millis(7_000);
/// Generous bounds on when a silent server is noticed: 2.5 to 3 s after the last packet heard
/// (the cut follows a receive at once).
const NOTICED_AFTER: Duration = Duration::from_millis(1_800);
const NOTICED_BEFORE: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quic_client_notices_a_silent_server_but_not_an_idle_one() {
    let (wt, hash) = self_signed_identity(&["localhost", "127.0.0.1"]).unwrap();
    let (server, mut accepted) = QuicServer::bind(QuicServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: QuicIdentity::from_webtransport(&wt).unwrap(),
        liveness: Liveness::DEFAULT,
        queues: QueueLimits::DEFAULT,
        first_message_limit: None,
    })
    .unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let via = relay(server.local_addr(), cut.clone()).await;
    let client = connect_pinned(via, hash, WAIT).await.unwrap();
    assert!(client.sender.send_reliable(b"hello".to_vec()).is_queued());
    let edge = accept(&mut accepted).await;

    idle_then_silent(client, edge, &cut).await;
    server.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webtransport_client_notices_a_silent_server_but_not_an_idle_one() {
    let (identity, hash) = self_signed_identity(&["localhost", "127.0.0.1"]).unwrap();
    let (server, mut accepted) = WtServer::bind(WtServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity,
        queues: QueueLimits::DEFAULT,
        first_message_limit: None,
        liveness: Liveness::DEFAULT,
    })
    .unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let via = relay(server.local_addr(), cut.clone()).await;
    let url = format!("https://127.0.0.1:{}/", via.port());
    let client = connect_native(&url, hash).await.unwrap();
    assert!(client.sender.send_reliable(b"hello".to_vec()).is_queued());
    let edge = accept(&mut accepted).await;

    idle_then_silent(client, edge, &cut).await;
    server.shutdown();
}

/// The link stays open through [`QUIET`] without application traffic, then, once `cut`
/// silences the path, the client sees `Closed(Timeout)` within the bounds.
async fn idle_then_silent(mut client: Link, mut edge: Link, cut: &AtomicBool) {
    assert_eq!(
        next(&mut edge, WAIT).await,
        LinkEvent::Reliable(b"hello".to_vec())
    );

    tokio::time::sleep(QUIET).await;
    assert!(client.events.try_recv().is_err(), "client link still open");
    assert!(edge.events.try_recv().is_err(), "server link still open");
    assert!(
        edge.sender
            .send_reliable(b"still here".to_vec())
            .is_queued()
    );
    assert_eq!(
        next(&mut client, WAIT).await,
        LinkEvent::Reliable(b"still here".to_vec())
    );

    let silent_since = Instant::now();
    cut.store(true, Ordering::Relaxed);
    assert_eq!(
        next(&mut client, NOTICED_BEFORE).await,
        LinkEvent::Closed(CloseReason::Timeout)
    );
    let noticed = silent_since.elapsed();
    eprintln!("noticed after {noticed:?}");
    assert!(
        (NOTICED_AFTER..NOTICED_BEFORE).contains(&noticed),
        "silent server noticed after {noticed:?}"
    );
}

/// The next event of `link` that is not a datagram, within `within`.
async fn next(link: &mut Link, within: Duration) -> LinkEvent {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let event = tokio::time::timeout_at(deadline, link.events.recv())
            .await
            .expect("event in time")
            .expect("link open");
        if !matches!(event, LinkEvent::Datagram(_)) {
            return event;
        }
    }
}
