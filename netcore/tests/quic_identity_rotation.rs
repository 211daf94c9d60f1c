//! Certificate rotation: after `set_identity` new clients must pin the new hash (the old one
//! is refused), while a link opened under the old certificate keeps working.

#![allow(clippy::unwrap_used)]

use crate::quic_common;

use quic_common::*;
use starlane_netcore::quic::{QuicIdentity, connect_pinned};
use starlane_netcore::transport::LinkEvent;
use starlane_netcore::webtransport::self_signed_identity;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_certificate_for_new_connections_old_links_stay_up() {
    let (server, mut accepted, old_hash) = server("127.0.0.1:0", Duration::from_secs(10));
    let addr = server.local_addr();
    let mut old_client = connect_pinned(addr, old_hash, WAIT).await.unwrap();
    assert!(
        old_client
            .sender
            .send_reliable(b"before".to_vec())
            .is_queued()
    );
    let mut old_edge = accept(&mut accepted).await;
    assert_eq!(
        next(&mut old_edge).await,
        LinkEvent::Reliable(b"before".to_vec())
    );

    let (wt, new_hash) = self_signed_identity(&["localhost"]).unwrap();
    assert_ne!(new_hash, old_hash);
    server
        .set_identity(&QuicIdentity::from_webtransport(&wt).unwrap())
        .unwrap();

    assert!(
        connect_pinned(addr, old_hash, WAIT).await.is_err(),
        "old pin refused"
    );
    let new_client = connect_pinned(addr, new_hash, WAIT).await.unwrap();
    assert!(new_client.sender.send_reliable(b"new".to_vec()).is_queued());
    let mut new_edge = accept(&mut accepted).await;
    assert_eq!(
        next(&mut new_edge).await,
        LinkEvent::Reliable(b"new".to_vec())
    );

    assert!(
        old_edge
            .sender
            .send_reliable(b"still here".to_vec())
            .is_queued()
    );
    assert_eq!(
        next_reliable(&mut old_client).await,
        LinkEvent::Reliable(b"still here".to_vec())
    );
    server.shutdown();
}
