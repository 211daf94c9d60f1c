//! Scenario: an entity frame wakes the sessions that see what it changed, and only them, and
//! feeds each the ids it sees. Three sessions on one hub see different entities (from the
//! `View` changes the region routes to them); a frame that moves one entity signals the
//! sessions that see it with that id, a frame about an entity nobody sees signals none, a
//! session that saw an entity leave is no longer signalled for it, and a reset frame signals
//! every session to look at everything.

#![allow(clippy::unwrap_used)]

use crate::common::loop_region::LoopRegion;
use starlane_edge::region_hub::{FeedChanges, FrameFeed, RegionHub};
use starlane_protocol::link::{
    EntityFrame, Joined, LinkServerMsg, PlayerIdentity, RegionToEdge, SessionId, ToClient,
    ViewChange,
};
use starlane_protocol::{EntityChange, EntityId, EntityKind, EntityState, Hex, MapInfo};
use std::sync::Arc;

fn player(id: i64) -> PlayerIdentity {
    PlayerIdentity {
        user_id: id,
        username: format!("p{id}"),
        command_stream: 0,
    }
}

fn ship(id: EntityId) -> EntityState {
    EntityState {
        id,
        kind: EntityKind::Frigate,
        owner: 9,
        pos: Hex::new(0, 0),
        health: 10,
    }
}

fn view(session: SessionId, entered: &[EntityId], left: &[EntityId]) -> RegionToEdge {
    RegionToEdge::ToClient(ToClient {
        session,
        msgs: vec![LinkServerMsg::View(ViewChange {
            entered: entered.to_vec(),
            left: left.to_vec(),
            ..ViewChange::default()
        })],
    })
}

fn moved(ids: &[EntityId]) -> RegionToEdge {
    RegionToEdge::Entities(EntityFrame {
        tick: 2,
        changed: ids
            .iter()
            .map(|&id| EntityChange {
                id,
                pos: Some(Hex::new(1, 0)),
                health: None,
            })
            .collect(),
        ..EntityFrame::default()
    })
}

/// Which of `signals` were notified since the last look (taking their permits and what
/// their feeds gathered).
async fn signalled(signals: &[(SessionId, Arc<FrameFeed>)]) -> Vec<SessionId> {
    fed(signals).await.into_iter().map(|(s, _)| s).collect()
}

/// The sessions of `signals` notified since the last look, with what their feeds gathered.
async fn fed(signals: &[(SessionId, Arc<FrameFeed>)]) -> Vec<(SessionId, FeedChanges)> {
    let mut out = Vec::new();
    for (session, signal) in signals {
        let woken = tokio::select! {
            biased;
            () = signal.notified() => true,
            () = std::future::ready(()) => false,
        };
        let changes = signal.take();
        if woken {
            out.push((*session, changes));
        } else {
            assert_eq!(changes, FeedChanges::default(), "fed without a wake");
        }
    }
    out
}

#[tokio::test]
async fn frames_wake_only_the_sessions_that_see_what_changed() {
    let hub = Arc::new(RegionHub::default());
    let mut region = LoopRegion::connect(&hub);
    let sessions: Vec<SessionId> = vec![1, 2, 3];
    let _events: Vec<_> = sessions
        .iter()
        .map(|&s| hub.join(s, player(s as i64 * 10)).unwrap())
        .collect();
    assert_eq!(
        region.take_events().len(),
        3,
        "three joins reach the region"
    );
    let signals: Vec<(SessionId, Arc<FrameFeed>)> = sessions
        .iter()
        .map(|&s| (s, hub.frame_feed(s).expect("a registered session")))
        .collect();
    assert!(hub.frame_feed(99).is_none());
    for &session in &sessions {
        region.send(RegionToEdge::Joined(Joined {
            catalog: Default::default(),
            session,
            empire: 7,
            tick_rate_hz: 20,
            map: MapInfo {
                chunk_radius: 9,
                chunks: vec![Hex::new(0, 0)],
                blocked: vec![],
            },
        }));
    }
    region.send(RegionToEdge::Entities(EntityFrame {
        tick: 1,
        appeared: (10..=14).map(ship).collect(),
        ..EntityFrame::default()
    }));
    assert!(
        signalled(&signals).await.is_empty(),
        "entities nobody sees yet wake nobody"
    );
    region.send(view(1, &[10, 11], &[]));
    region.send(view(2, &[11, 12], &[]));
    region.send(view(3, &[13], &[]));

    region.send(moved(&[11]));
    assert_eq!(signalled(&signals).await, vec![1, 2]);
    region.send(moved(&[10, 12, 14]));
    region.send(moved(&[10]));
    let ids = |v: &[EntityId]| FeedChanges {
        ids: v.to_vec(),
        everything: false,
    };
    assert_eq!(
        fed(&signals).await,
        vec![(1, ids(&[10, 10])), (2, ids(&[12]))],
        "each session is fed the ids it sees, frame after frame"
    );
    region.send(moved(&[13]));
    assert_eq!(signalled(&signals).await, vec![3]);
    region.send(moved(&[14]));
    assert!(signalled(&signals).await.is_empty(), "nobody sees 14");

    region.send(view(2, &[], &[11]));
    region.send(moved(&[11, 12]));
    assert_eq!(signalled(&signals).await, vec![1, 2]);
    region.send(moved(&[11]));
    assert_eq!(signalled(&signals).await, vec![1], "2 saw 11 leave");

    hub.leave(1);
    region.send(moved(&[10, 11]));
    assert!(signalled(&signals).await.is_empty(), "1 ended");

    region.send(RegionToEdge::Entities(EntityFrame {
        tick: 9,
        reset: true,
        appeared: vec![ship(20)],
        ..EntityFrame::default()
    }));
    let everything = FeedChanges {
        ids: vec![],
        everything: true,
    };
    assert_eq!(
        fed(&signals).await,
        vec![(2, everything.clone()), (3, everything)],
        "a reset wakes every session to look at everything"
    );
}
