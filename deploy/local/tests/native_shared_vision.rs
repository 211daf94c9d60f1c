//! Scenario: two native clients over encrypted UDP share vision (protocol version 4). Alice
//! and Bob start far apart and see nothing of each other; Alice shares her vision with Bob's
//! empire: both hear of the grant, and Bob's view gains Alice's units (what her units see,
//! through the real edge). Alice revokes: Bob hears of it, her units leave his view, and he
//! keeps her station as last seen (the vision cache). A
//! share with her own empire is refused `InvalidEmpire`, a second revocation `NotShared`.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::{Client, ClientEvent};
use starlane_protocol::sharing::SharingEvent;
use starlane_protocol::{Command, CommandError, EntityId};
use std::time::Duration;

/// Drive `client` until a `Sharing` event arrives; panics after 10 s.
async fn next_sharing(client: &mut Client) -> SharingEvent {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::Sharing(s))) => return s,
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("no sharing event"),
        }
    }
}

fn sees_any(client: &Client, ids: &[EntityId]) -> bool {
    ids.iter().any(|id| client.world.entities.contains_key(id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_shares_and_revokes_her_vision_with_bob() {
    let server = start().await;
    let mut alice = server.join("alice").await;
    let mut bob = server.join("bob").await;
    let hers: Vec<EntityId> = alice.world.my_units().map(|u| u.id).collect();
    assert!(!hers.is_empty());
    pump(&mut bob, Duration::from_millis(300)).await;
    assert!(
        !sees_any(&bob, &hers),
        "Bob sees Alice's units before any grant"
    );

    let seq = alice.send_command(Command::ShareVision { to: alice.empire });
    assert_eq!(
        command_result(&mut alice, seq).await,
        Err(CommandError::InvalidEmpire)
    );
    let seq = alice.send_command(Command::ShareVision { to: bob.empire });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    let told = SharingEvent {
        empire: bob.empire,
        outgoing: true,
        active: true,
    };
    assert_eq!(next_sharing(&mut alice).await, told);
    assert_eq!(
        next_sharing(&mut bob).await,
        SharingEvent {
            empire: alice.empire,
            outgoing: false,
            active: true,
        }
    );
    wait_until(&mut bob, Duration::from_secs(10), |c| {
        hers.iter().all(|id| c.world.entities.contains_key(id))
    })
    .await;
    assert!(bob.world.shared_from.contains(&alice.empire));
    assert!(alice.world.shares_to.contains(&bob.empire));

    let seq = alice.send_command(Command::RevokeVision { to: bob.empire });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    assert!(!next_sharing(&mut bob).await.active);
    wait_until(&mut bob, Duration::from_secs(10), |c| !sees_any(c, &hers)).await;
    assert!(bob.world.shared_from.is_empty());
    // Bob remembers the station he saw through her vision, as last seen (SPEC.md §20.6).
    let station = alice.world.my_buildings().next().unwrap().clone();
    wait_until(&mut bob, Duration::from_secs(10), |c| {
        c.world.last_seen.contains_key(&station.id)
    })
    .await;
    let seen = bob.world.last_seen[&station.id];
    assert_eq!(
        (seen.kind, seen.owner, seen.pos),
        (station.kind, alice.empire, station.pos)
    );
    assert!(!bob.world.entities.contains_key(&station.id));
    let seq = alice.send_command(Command::RevokeVision { to: bob.empire });
    assert_eq!(
        command_result(&mut alice, seq).await,
        Err(CommandError::NotShared)
    );
}
