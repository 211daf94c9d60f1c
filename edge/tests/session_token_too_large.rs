//! A hello over the token limit gets `TokenTooLarge` at once, however the session learns of
//! it: the transport refused the first message from its length (`FirstMessageTooLarge`), the
//! hello decoded with a token over `max_token_bytes`, or it declared a token past the
//! protocol's ceiling. A token at the limit is verified as usual.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::padded_token;
use crate::common::session_harness::*;
use starlane_edge::session::DEFAULT_MAX_TOKEN_BYTES;
use starlane_netcore::proto::link::RegionLinkEvent;
use starlane_netcore::transport::LinkEvent;
use starlane_protocol::RejectReason;
use starlane_protocol::codec::MAX_TOKEN_LEN;
use std::time::Duration;

#[tokio::test]
async fn every_oversized_hello_gets_token_too_large() {
    let mut h = harness(Duration::from_secs(10));
    // The transport refused the first message from its length: 120 kB declared.
    let (mut d, task) = h.connect();
    d.events
        .try_deliver(LinkEvent::FirstMessageTooLarge(120_000))
        .unwrap();
    expect_reject(&mut d, RejectReason::TokenTooLarge).await;
    task.await.unwrap();

    // A hello that arrived whole, one byte over the configured limit.
    let (mut d, _task) = h.connect();
    let over = "x".repeat(DEFAULT_MAX_TOKEN_BYTES + 1);
    d.events.try_deliver(hello(&over)).unwrap();
    expect_reject(&mut d, RejectReason::TokenTooLarge).await;

    // A hello declaring a token past the protocol's ceiling (it does not decode).
    let (mut d, _task) = h.connect();
    let mut declared = vec![0x01, 0x00, 0x01];
    let mut len = MAX_TOKEN_LEN + 1;
    while len >= 0x80 {
        declared.push(0x80 | (len & 0x7F) as u8);
        len >>= 7;
    }
    declared.push(len as u8);
    d.events.try_deliver(LinkEvent::Reliable(declared)).unwrap();
    expect_reject(&mut d, RejectReason::TokenTooLarge).await;

    assert_eq!(
        counter(
            &h.metrics,
            "starlane_edge_rejections_total",
            "token_too_large"
        ),
        3
    );

    // At the limit: verified, and the player joins the region.
    let (d, _task) = h.connect();
    let token = padded_token(&h.issuer, 77, DEFAULT_MAX_TOKEN_BYTES);
    d.events.try_deliver(hello(&token)).unwrap();
    let RegionLinkEvent::Join { join, .. } = h.region_event().await else {
        panic!("expected a join")
    };
    assert_eq!(join.player.user_id, 77);
}
