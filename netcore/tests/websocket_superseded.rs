//! A client that stops reading its WebSocket: the edge's datagrams wait unwritten, a newer one
//! drops the oldest (counted), and when the client reads again it gets every reliable message
//! exactly once and in order, and the newest datagrams, never one older than one it already
//! has (WEBSOCKET.md, "Messages").

use crate::link_events::accept;
use crate::ws_common::{raw_client, server};
use futures_util::StreamExt;
use starlane_netcore::proto::ws::WS_SUBPROTOCOL;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const DATAGRAMS: u32 = 3_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_gets_the_newest_datagrams_and_every_reliable_message() {
    let (server, mut accepted, url) = server(None);
    let mut ws = raw_client(&url, Some(WS_SUBPROTOCOL), Some(4096))
        .await
        .expect("handshake");
    let edge = accept(&mut accepted).await;

    // The client reads nothing while the edge sends 3 MB of datagrams between two reliable
    // messages.
    assert!(edge.sender.send_reliable(b"start".to_vec()).is_queued());
    let mut queued = 0u32;
    for i in 0..DATAGRAMS {
        let mut body = i.to_be_bytes().to_vec();
        body.resize(1_000, 0);
        if edge.sender.send_datagram(body).is_queued() {
            queued += 1;
        }
        if i % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    assert!(edge.sender.send_reliable(b"end".to_vec()).is_queued());
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Now it reads: both reliable messages in order, datagrams in increasing order, the last
    // one sent among them.
    let mut reliable = Vec::new();
    let mut datagrams = Vec::new();
    let read = async {
        while datagrams.last() != Some(&(DATAGRAMS - 1)) || reliable.len() < 2 {
            let Some(Ok(Message::Binary(m))) = ws.next().await else {
                continue;
            };
            match m[0] {
                0 => reliable.push(m[1..].to_vec()),
                _ => datagrams.push(u32::from_be_bytes([m[1], m[2], m[3], m[4]])),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("the newest datagram and both reliable messages in time");
    assert_eq!(reliable, [b"start".to_vec(), b"end".to_vec()]);
    assert!(datagrams.windows(2).all(|w| w[0] < w[1]), "out of order");
    let superseded = server.counters().superseded.load(Ordering::Relaxed);
    assert!(superseded > 0, "nothing was superseded");
    assert_eq!(datagrams.len() as u64 + superseded, u64::from(queued));
    let stats = edge.stats.snapshot();
    assert_eq!(
        stats.datagrams_dropped_full,
        superseded + u64::from(DATAGRAMS - queued)
    );
    println!(
        "{queued} queued, {} delivered, {superseded} superseded",
        datagrams.len()
    );
    server.shutdown();
}
