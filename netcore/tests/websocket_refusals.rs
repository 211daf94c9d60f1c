//! What a WebSocket server refuses (WEBSOCKET.md, "Opening" and "Ignoring a message"): a
//! handshake without the subprotocol gets HTTP 400 and no link; a text message, an empty one
//! or an unknown channel closes the link with 4250 and is counted by reason; a first reliable
//! message over the first-message limit reaches the edge as `FirstMessageTooLarge`.

use crate::link_events::{accept, next};
use crate::ws_common::{client, raw_client, server};
use futures_util::{SinkExt, StreamExt};
use starlane_netcore::transport::{CloseReason, LinkEvent};
use std::sync::atomic::Ordering;
use tokio_tungstenite::tungstenite::{Error, Message};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_handshakes_and_messages_are_refused_and_counted() {
    let (server, mut accepted, url) = server(Some(100));
    let counters = server.counters();

    // No subprotocol, or another one: HTTP 400, nothing handed to the edge.
    for offered in [None, Some("starlane.v0")] {
        match raw_client(&url, offered, None).await {
            Err(Error::Http(response)) => assert_eq!(response.status(), 400),
            other => panic!("expected HTTP 400, got {other:?}"),
        }
    }
    assert_eq!(counters.wrong_subprotocol.load(Ordering::Relaxed), 2);
    assert!(
        accepted.try_recv().is_err(),
        "a refused handshake made a link"
    );

    // Each malformed message closes its link with 4250 and counts its reason.
    let bad = [
        Message::Text("hello".into()),
        Message::Binary(Vec::new().into()),
        Message::Binary(vec![2, 1, 2, 3].into()),
        Message::Binary([&[1u8][..], &[0; 1_101]].concat().into()),
    ];
    for message in bad {
        let mut ws = client(&url).await;
        let mut edge = accept(&mut accepted).await;
        ws.send(message).await.expect("sent");
        let close = loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => break frame.expect("a close code"),
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        assert_eq!(u16::from(close.code), 4250);
        assert_eq!(
            next(&mut edge).await,
            LinkEvent::Closed(CloseReason::Local(250))
        );
    }
    let refusals = counters.refusals();
    assert_eq!(
        refusals,
        [
            ("text", 1),
            ("empty", 1),
            ("unknown_channel", 1),
            ("too_large", 1)
        ]
    );

    // A first reliable message over the limit is not delivered, only its length; datagrams
    // still are.
    let mut ws = client(&url).await;
    let mut edge = accept(&mut accepted).await;
    let first = [&[0u8][..], &[9; 101]].concat();
    ws.send(Message::Binary(first.into())).await.expect("sent");
    ws.send(Message::Binary(vec![0, 1].into()))
        .await
        .expect("sent");
    ws.send(Message::Binary(vec![1, 42].into()))
        .await
        .expect("sent");
    assert_eq!(next(&mut edge).await, LinkEvent::FirstMessageTooLarge(101));
    assert_eq!(next(&mut edge).await, LinkEvent::Datagram(vec![42]));
    assert_eq!(counters.first_messages_too_large.load(Ordering::Relaxed), 1);
    server.shutdown();
}
