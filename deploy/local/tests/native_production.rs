//! Scenario: a native client over encrypted UDP plays the economy of protocol version 3. It
//! receives the recipe catalog, queues a scout at its starting station (paid at once, the job
//! runs and completes, a scout appears on the station's hex), cancels a second scout for a
//! refund, and has a frigate lay out a shipyard next to it: the site appears with its
//! construction job.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use starlane_client::{Client, ClientEvent};
use starlane_protocol::economy::{JobEvent, JobState, RecipeOutput};
use starlane_protocol::{Command, EntityKind, ResourceKind};
use std::time::Duration;

/// Job events until one is `state` for `job` of `building`; panics after 20 s.
async fn wait_job(client: &mut Client, building: u32, job: u32, state: JobState) -> Vec<JobEvent> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, client.next_event()).await {
            Ok(Some(ClientEvent::Job(j))) => {
                seen.push(j);
                if j.building == building && j.job == job && j.state == state {
                    return seen;
                }
            }
            Ok(Some(ClientEvent::Closed(why))) => panic!("session closed: {why}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session ended"),
            Err(_) => panic!("no {state:?} for job {job} of #{building}: {seen:?}"),
        }
    }
}

fn credits(client: &Client) -> u32 {
    client.world.resources[&ResourceKind::Credits.code()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_client_trains_cancels_and_builds() {
    let server = start().await;
    let mut alice = server.join("alice").await;
    wait_until(&mut alice, Duration::from_secs(10), |c| {
        c.world.catalog.is_some()
            && c.world.my_buildings().next().is_some()
            && c.world
                .resources
                .contains_key(&ResourceKind::Credits.code())
    })
    .await;
    let catalog = alice.world.catalog.clone().unwrap();
    let scout = catalog
        .recipes
        .iter()
        .find(|r| r.name == "train_scout")
        .unwrap();
    assert_eq!(scout.producer, EntityKind::Station);
    assert_eq!(scout.output, RecipeOutput::Unit(EntityKind::Scout));
    let cost = scout.inputs[0].1;
    let station = alice.world.my_buildings().next().unwrap().clone();
    let before = credits(&alice);
    let scouts = |c: &Client| {
        c.world
            .my_units()
            .filter(|u| u.kind == EntityKind::Scout)
            .count()
    };
    let had = scouts(&alice);

    let seq = alice.send_command(Command::Train {
        building: station.id,
        recipe: scout.id,
        repeat: false,
    });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    let seq = alice.send_command(Command::Train {
        building: station.id,
        recipe: scout.id,
        repeat: false,
    });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    let seq = alice.send_command(Command::Cancel {
        building: station.id,
        job: 2,
    });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    wait_until(&mut alice, Duration::from_secs(5), |c| {
        credits(c) == before - cost
    })
    .await;

    let seen = wait_job(&mut alice, station.id, 1, JobState::Completed).await;
    assert!(seen.iter().all(|j| j.building == station.id), "{seen:?}");
    wait_until(&mut alice, Duration::from_secs(5), |c| scouts(c) == had + 1).await;
    let new = alice
        .world
        .my_units()
        .filter(|u| u.kind == EntityKind::Scout)
        .max_by_key(|u| u.id)
        .unwrap();
    assert_eq!(new.pos, station.pos, "on the station's hex");
    assert!(alice.world.jobs.is_empty(), "{:?}", alice.world.jobs);

    // A shipyard next to a frigate, on a hex with no building and no field.
    let frigate = alice
        .world
        .my_units()
        .find(|u| u.kind == EntityKind::Frigate)
        .unwrap()
        .clone();
    let taken = |c: &Client, h| {
        c.world
            .entities
            .values()
            .any(|e| e.pos == h && (e.kind.is_building() || e.kind.deposit().is_some()))
    };
    let site = frigate
        .pos
        .neighbors()
        .into_iter()
        .find(|h| alice.world.is_passable(*h) && !taken(&alice, *h))
        .unwrap();
    let seq = alice.send_command(Command::Build {
        unit: frigate.id,
        kind: EntityKind::Shipyard,
        at: site,
    });
    assert_eq!(command_result(&mut alice, seq).await, Ok(()));
    wait_until(&mut alice, Duration::from_secs(5), |c| {
        c.world
            .my_buildings()
            .any(|b| b.kind == EntityKind::Shipyard && b.pos == site)
            && c.world.jobs.values().any(|q| q.len() == 1)
    })
    .await;
}
