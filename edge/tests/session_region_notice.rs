//! A region's `Notice` frame (link version 5; e.g. the region restored its world from a
//! snapshot) reaches that session's client as the client protocol's `Notice`, after its
//! `Welcome`, through the hub and the session core; a notice of a kind this build does not
//! know is dropped and counted, and the link and the session carry on.

#![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.

use crate::common::session_harness::*;
use starlane_netcore::transport::Outgoing;
use starlane_protocol::NoticeKind;
use starlane_protocol::client::ServerMsg;
use starlane_protocol::link::{RegionToEdge, SessionNotice};
use std::time::Duration;

const TEXT: &str = "the region restarted from its snapshot of 2026-12-03 22:00:00 UTC (tick 7200); \
                    up to 5 s of play before it may be lost";

#[tokio::test]
async fn a_link_notice_reaches_its_client_and_an_unknown_kind_is_dropped() {
    let mut h = harness(Duration::from_secs(10));
    let (mut d, session) = open_session(&mut h, 7).await;
    let (mut other, _) = open_session(&mut h, 8).await;

    // A kind of a later version first: dropped and counted.
    h.region.send(RegionToEdge::Notice(SessionNotice {
        session,
        kind: 200,
        text: "from the future".into(),
    }));
    h.region.send(RegionToEdge::Notice(SessionNotice::new(
        session,
        NoticeKind::WorldRestored,
        TEXT,
    )));
    assert_eq!(
        reliable(&mut d).await,
        ServerMsg::Notice {
            kind: NoticeKind::WorldRestored,
            text: TEXT.into()
        }
    );
    let dropped = h
        .hub
        .metrics()
        .dropped
        .with_label_values(&["unknown_notice_kind"])
        .get();
    assert_eq!(dropped, 1);
    // Only the session it names is told.
    let until = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(o)) = tokio::time::timeout_at(until, other.outgoing.recv()).await {
        if let Outgoing::Reliable(b) = o {
            let msg = ServerMsg::decode(&b).unwrap();
            assert!(!matches!(msg, ServerMsg::Notice { .. }), "{msg:?}");
        }
    }
    assert!(h.hub.is_up());
}
