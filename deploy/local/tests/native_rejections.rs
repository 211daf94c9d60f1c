//! Scenario: bad input at the session boundary gets typed rejections: an invalid token, a move
//! for another empire's unit, a move off the map or onto an impassable hex.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::{Client, ClientError};
use starlane_protocol::{CommandError, Hex, RejectReason};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_and_bad_moves_get_typed_rejections() {
    let server = start().await;

    let err = Client::connect(&server.info, "not-a-jwt")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Rejected(RejectReason::MalformedToken)),
        "{err:?}"
    );

    let mut alice = server.join("alice").await;
    let bob = server.join("bob").await;
    let (mine, at) = alice
        .world
        .my_units()
        .map(|u| (u.id, u.pos))
        .next()
        .unwrap();
    let (bobs, _) = bob.world.my_units().map(|u| (u.id, u.pos)).next().unwrap();

    let seq = alice.send_move(bobs, at);
    let res = command_result(&mut alice, seq).await;
    assert!(
        matches!(
            res,
            Err(CommandError::NotYourUnit) | Err(CommandError::UnknownUnit)
        ),
        "moving another empire's unit: {res:?}"
    );

    let seq = alice.send_move(mine, Hex::new(10_000, -10_000));
    assert_eq!(
        command_result(&mut alice, seq).await,
        Err(CommandError::OffMap)
    );

    let seq = alice.send_move(987_654, at);
    assert_eq!(
        command_result(&mut alice, seq).await,
        Err(CommandError::UnknownUnit)
    );

    let rock = alice
        .world
        .map
        .as_ref()
        .and_then(|m| m.blocked.first().copied());
    let rock = rock.expect("the default map has asteroid hexes");
    let seq = alice.send_move(mine, rock);
    assert_eq!(
        command_result(&mut alice, seq).await,
        Err(CommandError::Impassable)
    );

    alice.close();
    bob.close();
    server.local.shutdown().await.unwrap();
}
