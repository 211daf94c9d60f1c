//! Scenario: a native client over encrypted UDP takes its units to the pirates' den, orders an
//! attack on a pirate it sees, and the region fights it out: the attack is acknowledged, the
//! pirate's health falls (or it is destroyed), and the empire's combat reports arrive as
//! `Combat` events with damage dealt. A made-up target is refused as `UnknownTarget`.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::ClientEvent;
use starlane_protocol::{Command, CommandError, EntityKind, Hex, NEUTRAL_EMPIRE};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_attacks_a_pirate() {
    let server = start().await;
    let mut alice = server.join("alice").await;
    wait_for_map(&mut alice, Duration::from_secs(10)).await;
    let den = alice.world.map.as_ref().unwrap().chunks[0];

    // Every unit towards the den, to a free hex four hexes short of it on its own side.
    let units: Vec<_> = alice.world.my_units().map(|u| (u.id, u.pos)).collect();
    for (id, pos) in &units {
        let step = |d: i32| d.signum() * 4;
        let near = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]
            .into_iter()
            .map(|(a, b)| {
                Hex::new(
                    den.q + step(pos.q - den.q) * a,
                    den.r + step(pos.r - den.r) * b,
                )
            })
            .find(|h| alice.world.is_passable(*h))
            .expect("a passable hex near the den");
        alice.send_move(*id, near);
    }
    wait_until(&mut alice, Duration::from_secs(40), |c| {
        c.world
            .entities
            .values()
            .any(|e| e.owner == NEUTRAL_EMPIRE && is_ship(e.kind))
    })
    .await;

    let frigate = alice
        .world
        .my_units()
        .find(|u| u.kind == EntityKind::Frigate)
        .map(|u| u.id)
        .expect("a frigate");
    let refused = alice.send_command(Command::Attack {
        unit: frigate,
        target: 4_000_000,
    });
    assert_eq!(
        command_result(&mut alice, refused).await,
        Err(CommandError::UnknownTarget)
    );
    let (pirate, health) = alice
        .world
        .entities
        .values()
        .filter(|e| e.owner == NEUTRAL_EMPIRE && is_ship(e.kind))
        .map(|e| (e.id, e.health))
        .next()
        .unwrap();
    let seq = alice.send_command(Command::Attack {
        unit: frigate,
        target: pirate,
    });
    // The pirate may leave sight before the order lands; then the answer says so.
    let answer = command_result(&mut alice, seq).await;
    assert!(
        matches!(answer, Ok(()) | Err(CommandError::UnknownTarget)),
        "{answer:?}"
    );

    // The fight: reports with damage dealt, and the pirate hurt or gone.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    let mut dealt = 0u32;
    loop {
        let hurt = alice
            .world
            .entities
            .get(&pirate)
            .is_none_or(|e| e.health < health);
        if dealt > 0 && hurt {
            break;
        }
        match tokio::time::timeout_at(deadline, alice.next_event()).await {
            Ok(Some(ClientEvent::Combat(r))) => dealt += r.dealt,
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("no fight within 40 s: dealt {dealt}, hurt {hurt}"),
        }
    }
    alice.close();
}

/// Pirates are ships; resource fields are neutral too, but not combatants.
fn is_ship(kind: EntityKind) -> bool {
    !kind.is_building() && kind.deposit().is_none()
}
