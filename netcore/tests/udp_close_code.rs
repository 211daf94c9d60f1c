//! Closing a link with a code is seen by the other side, both directions; shutdown closes too.

use crate::link_events::{WAIT, accept};
use crate::udp_common::loopback_server;
use starlane_netcore::proto::conn::codes;
use starlane_netcore::transport::{CloseReason, Link, LinkEvent, QueueLimits};
use starlane_netcore::udp::{UdpServer, connect};

async fn closed(link: &mut Link) -> CloseReason {
    closed_after(link).await.1
}

/// The events before the close, and the close reason.
async fn closed_after(link: &mut Link) -> (Vec<LinkEvent>, CloseReason) {
    let mut before = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, link.events.recv())
            .await
            .expect("in time")
        {
            Some(LinkEvent::Closed(r)) => return (before, r),
            Some(e) => before.push(e),
            None => panic!("events ended without Closed"),
        }
    }
}

async fn pair(
    server: &UdpServer,
    accepted: &mut tokio::sync::mpsc::Receiver<Link>,
    key: [u8; 32],
) -> (Link, Link) {
    let client = connect(server.local_addr(), key, WAIT)
        .await
        .expect("connect");
    let edge = accept(accepted).await;
    (client, edge)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_codes_reach_the_peer() {
    let (server, mut accepted, public) = loopback_server(QueueLimits::DEFAULT);

    // Server closes: the client sees the code.
    let (mut client, mut edge) = pair(&server, &mut accepted, public).await;
    assert!(edge.sender.send_reliable(b"bye soon".to_vec()).is_queued());
    edge.sender.close(7);
    assert_eq!(closed(&mut edge).await, CloseReason::Local(7));
    let (before, reason) = closed_after(&mut client).await;
    assert_eq!(reason, CloseReason::Peer(7));
    assert!(
        before.contains(&LinkEvent::Reliable(b"bye soon".to_vec())),
        "a message queued before the close is delivered first: {before:?}"
    );

    // Client closes: the server sees the code.
    let (mut client, mut edge) = pair(&server, &mut accepted, public).await;
    client.sender.close(42);
    assert_eq!(closed(&mut client).await, CloseReason::Local(42));
    assert_eq!(closed(&mut edge).await, CloseReason::Peer(42));

    // Shutdown closes the remaining links with the shutdown code.
    let (mut client, mut edge) = pair(&server, &mut accepted, public).await;
    server.shutdown();
    assert_eq!(closed(&mut edge).await, CloseReason::Local(codes::SHUTDOWN));
    assert_eq!(
        closed(&mut client).await,
        CloseReason::Peer(codes::SHUTDOWN)
    );
}
