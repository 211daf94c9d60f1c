//! A client that only receives (it sends nothing reliable back, like a player watching the
//! map) keeps its link and gets every message: the driver acknowledges for it. laminar alone
//! would resend what arrived and drop the connection past 512 unacknowledged packets.

use crate::udp_common;
use starlane_netcore::transport::LinkEvent;
use std::time::Duration;
use udp_common::loopback_pair;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receive_only_client_keeps_its_link_and_gets_everything_once() {
    let (server, mut client, edge) = loopback_pair().await;

    // 800 messages (over laminar's 512 in-flight limit), some spanning several chunks.
    const N: u32 = 800;
    let message = |i: u32| {
        let mut m = i.to_le_bytes().to_vec();
        m.resize(if i.is_multiple_of(10) { 2500 } else { 40 }, 7);
        m
    };
    let sender = edge.sender.clone();
    let pace = tokio::spawn(async move {
        for i in 0..N {
            sender.send_reliable(message(i));
            if i.is_multiple_of(20) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    });
    let mut next = 0;
    let deadline = tokio::time::Instant::now() + WAIT;
    while next < N {
        match tokio::time::timeout_at(deadline, client.events.recv()).await {
            Ok(Some(LinkEvent::Reliable(m))) => {
                assert_eq!(m, message(next), "message {next} in order, once");
                next += 1;
            }
            Ok(Some(LinkEvent::Datagram(_) | LinkEvent::FirstMessageTooLarge(_))) => {}
            Ok(Some(LinkEvent::Closed(why))) => {
                panic!("link closed after {next} messages: {why:?}")
            }
            Ok(None) => panic!("link gone after {next} messages"),
            Err(_) => panic!("only {next} of {N} messages in time"),
        }
    }
    pace.await.expect("sender task");
    // Nothing more (no duplicate) and still open a moment later.
    match tokio::time::timeout(Duration::from_millis(500), client.events.recv()).await {
        Err(_) | Ok(Some(LinkEvent::Datagram(_))) => {}
        Ok(other) => panic!("unexpected event after the last message: {other:?}"),
    }
    server.shutdown();
}
