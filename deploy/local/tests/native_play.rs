//! Scenario: a native client gets a token, connects over encrypted UDP through the edge, sees
//! its own units, orders a move and sees the unit arrive; a second player's units, out of
//! vision, are never received; a returning player gets the same empire back.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_protocol::Hex;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_plays_through_the_edge() {
    let server = start().await;
    let mut alice = server.join("alice").await;
    let mut bob = server.join("bob").await;
    assert_ne!(alice.empire, bob.empire, "two players get two empires");

    // The map travels reliably, the entity packets as datagrams: either may come first.
    wait_for_map(&mut alice, Duration::from_secs(10)).await;

    // Pick a passable target three hexes from one of alice's units, not occupied by a unit.
    let (unit, from) = alice
        .world
        .my_units()
        .map(|u| (u.id, u.pos))
        .next()
        .unwrap();
    let target = [
        Hex::new(3, 0),
        Hex::new(0, 3),
        Hex::new(-3, 0),
        Hex::new(0, -3),
        Hex::new(3, -3),
        Hex::new(-3, 3),
    ]
    .into_iter()
    .map(|d| Hex::new(from.q + d.q, from.r + d.r))
    .find(|h| alice.world.is_passable(*h) && !alice.world.entities.values().any(|e| e.pos == *h))
    .expect("a free passable hex near the unit");
    move_and_arrive(&mut alice, unit, target).await;

    // Let both sessions run a little, then check vision filtering (anti-ESP).
    pump(&mut bob, Duration::from_millis(300)).await;
    pump(&mut alice, Duration::from_millis(700)).await;
    let bobs: Vec<_> = bob.world.my_units().cloned().collect();
    assert!(!bobs.is_empty());
    let far = bobs
        .iter()
        .all(|b| alice.world.my_units().all(|a| a.pos.distance(b.pos) > 8));
    assert!(
        far,
        "the spawn points are far apart, so bob's units are outside alice's vision"
    );
    for b in &bobs {
        assert!(
            !alice.world.ever_seen.contains_key(&b.id),
            "alice received bob's hidden unit {b:?}"
        );
    }
    assert!(
        alice
            .world
            .ever_seen
            .values()
            .all(|e| e.owner != bob.empire)
    );

    // A returning player gets the same empire back.
    let empire = alice.empire;
    alice.close();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = server.join("alice").await;
    assert_eq!(again.empire, empire);
    assert!(
        again.world.entities.contains_key(&unit),
        "the same units come back"
    );

    again.close();
    bob.close();
    server.local.shutdown().await.unwrap();
}
